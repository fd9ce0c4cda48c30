import AGJSON
import AGState
import CAgstateHeader

// Snapshots (include/agstate.h).

final class SnapshotBox {
    let snapshot: Snapshot
    init(_ snapshot: Snapshot) { self.snapshot = snapshot }
}

let snapshots = HandleTable<SnapshotBox>(kind: 0x5B, name: "snapshot")

@_cdecl("ags_store_snapshot")
public func ags_store_snapshot(_ handle: OpaquePointer?, _ snapshot: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let snapshot = try require(snapshot, "snapshot")
        snapshot.pointee = try snapshots.insert(SnapshotBox(try stores.object(handle).snapshot()))
    }
}

@_cdecl("ags_snapshot_close")
public func ags_snapshot_close(_ snapshot: OpaquePointer?) {
    snapshots.remove(snapshot)
}

@_cdecl("ags_snapshot_version")
public func ags_snapshot_version(_ snapshot: OpaquePointer?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let version = try require(version, "version")
        version.pointee = try snapshots.object(snapshot).snapshot.version
    }
}

@_cdecl("ags_snapshot_get")
public func ags_snapshot_get(_ snapshot: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ flags: UInt32,
                             _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let box = try snapshots.object(snapshot)
        try write(try box.snapshot.get(try pointer(ptr, ptrLength)), options, out, outLength)
    }
}

@_cdecl("ags_store_restore")
public func ags_store_restore(_ handle: OpaquePointer?, _ snapshot: OpaquePointer?,
                              _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let options = try commitOptions(options)
        writeVersion(try store.restore(try snapshots.object(snapshot).snapshot, options: options), version)
    }
}
