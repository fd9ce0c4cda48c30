import AGJSON
import AGState
import AGStorage

// Durable storage (include/agstate.h, "Durable storage"). The storage does the work; stores opened from it
// are ordinary store handles.

let storages = HandleTable<Storage>(kind: 0x5E, name: "storage")

/// The C layout of `ags_storage_key`.
struct CStorageKey {
    var id: UInt32
    var key: (UInt64, UInt64, UInt64, UInt64)
}

/// The C layout of `ags_storage_options` (version 1).
struct CStorageOptions {
    var version: UInt32
    var durability: Int32
    var key: UnsafePointer<UInt8>?
    var keyID: UInt32
    var oldKeys: UnsafeRawPointer?
    var oldKeyCount: Int
    var busyTimeoutMilliseconds: UInt32
    var checkpointChanges: UInt64
    var checkpointBytes: UInt64

    static let version: UInt32 = 1
    static var defaults: CStorageOptions { CStorageOptions(
        version: version, durability: Durability.full.rawValue, key: nil, keyID: 0, oldKeys: nil, oldKeyCount: 0,
        busyTimeoutMilliseconds: StorageOptions.defaultBusyTimeoutMilliseconds,
        checkpointChanges: StorageOptions.defaultCheckpointChanges, checkpointBytes: StorageOptions.defaultCheckpointBytes) }
}

/// The C options converted, every field checked.
func storageOptions(_ raw: UnsafeRawPointer?) throws(AGError) -> StorageOptions {
    var options = StorageOptions()
    guard let raw else { return options }
    let c = raw.load(as: CStorageOptions.self)
    guard c.version == CStorageOptions.version else {
        throw AGError(.invalidArgument, "ags_storage_options version \(c.version) is not supported (\(CStorageOptions.version) is)")
    }
    guard let durability = Durability(rawValue: c.durability) else {
        throw AGError(.invalidArgument, "unknown durability \(c.durability) (AGS_DURABILITY_FULL or AGS_DURABILITY_NORMAL)")
    }
    options.durability = durability
    if let key = c.key {
        options.key = try StorageKey(id: c.keyID, bytes: Array(UnsafeBufferPointer(start: key, count: StorageKey.size)))
    }
    guard c.oldKeyCount <= StorageOptions.maxOldKeys else {
        throw AGError(.invalidArgument, "old_key_count \(c.oldKeyCount) is beyond \(StorageOptions.maxOldKeys)")
    }
    if c.oldKeyCount > 0 {
        guard let keys = c.oldKeys else { throw AGError(.invalidArgument, "old_keys is NULL but old_key_count is \(c.oldKeyCount)") }
        let stride = MemoryLayout<CStorageKey>.stride
        for i in 0..<c.oldKeyCount {
            let entry = keys + i * stride
            let id = entry.load(as: UInt32.self)
            let bytes = Array(UnsafeRawBufferPointer(start: entry + 4, count: StorageKey.size))
            options.oldKeys.append(try StorageKey(id: id, bytes: bytes))
        }
    }
    options.busyTimeoutMilliseconds = c.busyTimeoutMilliseconds
    options.checkpointChanges = c.checkpointChanges
    options.checkpointBytes = c.checkpointBytes
    return options
}

/// Caller text as a Swift string, checked as UTF-8.
func utf8Text(_ data: CText, _ length: Int, _ what: String) throws(AGError) -> String {
    let raw = try bytes(data, length, what)
    guard let text = String(validating: raw, as: UTF8.self) else { throw AGError(.invalidArgument, "\(what) is not valid UTF-8") }
    return text
}

@_cdecl("ags_storage_options_init")
public func ags_storage_options_init(_ options: UnsafeMutableRawPointer?, _ version: UInt32) -> Int32 {
    run { () throws(AGError) in
        guard let options else { throw AGError(.invalidArgument, "options is NULL") }
        guard version == CStorageOptions.version else {
            throw AGError(.invalidArgument, "ags_storage_options version \(version) is not supported (\(CStorageOptions.version) is)")
        }
        options.storeBytes(of: CStorageOptions.defaults, as: CStorageOptions.self)
    }
}

@_cdecl("ags_storage_open")
public func ags_storage_open(_ url: CText, _ urlLength: Int, _ options: UnsafeRawPointer?,
                             _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let handle = try require(handle, "storage")
        let url = try utf8Text(url, urlLength, "the storage URL")
        let storage = try Storage(url: url, options: try storageOptions(options))
        do throws(AGError) {
            handle.pointee = try storages.insert(storage)
        } catch {
            storage.close()
            throw error
        }
    }
}

@_cdecl("ags_storage_open_store")
public func ags_storage_open_store(_ handle: OpaquePointer?, _ id: CText, _ idLength: Int, _ initial: CText,
                                   _ initialLength: Int, _ store: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let out = try require(store, "store")
        let storage = try storages.object(handle)
        let id = try utf8Text(id, idLength, "the store id")
        let limits = DefaultLimits.current
        // Not a ternary: JSONValue is ExpressibleByNilLiteral, so `nil` there would become JSON null.
        var state: JSONValue?
        if initial != nil || initialLength != 0 { state = try json(initial, initialLength, "the initial state", limits: limits.json) }
        out.pointee = try stores.insert(try storage.openStore(id, initial: state, limits: limits))
    }
}

@_cdecl("ags_storage_list")
public func ags_storage_list(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let ids = try storages.object(handle).list()
        try write(.array(JSONArray(ids.map { JSONValue.string($0) })), .compact, out, outLength)
    }
}

@_cdecl("ags_storage_delete")
public func ags_storage_delete(_ handle: OpaquePointer?, _ id: CText, _ idLength: Int) -> Int32 {
    run { () throws(AGError) in
        let storage = try storages.object(handle)
        try storage.delete(try utf8Text(id, idLength, "the store id"))
    }
}

@_cdecl("ags_storage_export")
public func ags_storage_export(_ handle: OpaquePointer?, _ id: CText, _ idLength: Int, _ path: CText, _ pathLength: Int) -> Int32 {
    run { () throws(AGError) in
        let storage = try storages.object(handle)
        let ids: [String]? = (id == nil && idLength == 0) ? nil : [try utf8Text(id, idLength, "the store id")]
        try storage.exportBackup(ids: ids, to: try utf8Text(path, pathLength, "the backup path"))
    }
}

@_cdecl("ags_storage_import")
public func ags_storage_import(_ handle: OpaquePointer?, _ path: CText, _ pathLength: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let storage = try storages.object(handle)
        let ids = try storage.importBackup(from: try utf8Text(path, pathLength, "the backup path"))
        if let out { try write(.array(JSONArray(ids.map { JSONValue.string($0) })), .compact, out, outLength) }
    }
}

@_cdecl("ags_storage_close")
public func ags_storage_close(_ handle: OpaquePointer?) {
    guard let storage = try? storages.object(handle) else { return }
    storages.remove(handle)
    storage.close()
}
