import AGJSON
import AGState
import CAgstateHeader

// AG-UI state events (include/agstate.h).

@_cdecl("ags_store_snapshot_event")
public func ags_store_snapshot_event(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try writeEvent(try stores.object(handle).snapshotEvent(), flags, out, outLength)
    }
}

@_cdecl("ags_store_delta_event")
public func ags_store_delta_event(_ handle: OpaquePointer?, _ since: UInt64, _ flags: UInt32,
                                  _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try writeEvent(try stores.object(handle).deltaEvent(since: since), flags, out, outLength)
    }
}

@_cdecl("ags_delta_event")
public func ags_delta_event(_ patchText: CText, _ patchLength: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let patch = try jsonPatch(patchText, patchLength, limits: DefaultLimits.current.json)
        try writeEvent(StateEvent.deltaJSON(patch.operations), flags, out, outLength)
    }
}

@_cdecl("ags_store_apply_event")
public func ags_store_apply_event(_ handle: OpaquePointer?, _ eventText: CText, _ eventLength: Int,
                                  _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let options = try commitOptions(options)
        let event = try StateEvent(parsing: try json(eventText, eventLength, "the event", limits: store.limits))
        writeVersion(try store.apply(event: event, commit: options), version)
    }
}

@_cdecl("ags_event_encode")
public func ags_event_encode(_ eventText: CText, _ eventLength: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let event = try json(eventText, eventLength, "the event", limits: DefaultLimits.current.json, persistent: false)
        try writeEvent(try StateEvent.checkedEvent(event), flags, out, outLength)
    }
}
