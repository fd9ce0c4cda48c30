import AGJSON
import AGState
import AGStorage
import CAgstateHeader

// Durable storage (include/agstate.h, "Durable storage"). The storage does the work; stores opened from it
// are ordinary store handles.

let storages = HandleTable<Storage>(kind: 0x70, name: "storage")

/// Computed: the struct holds pointers (NULL here), which a global constant may not share across threads.
var defaultStorageOptions: ags_storage_options { ags_storage_options(
    version: UInt32(AGS_STORAGE_OPTIONS_VERSION), durability: AGS_DURABILITY_FULL, key: nil, key_id: 0, old_keys: nil,
    old_key_count: 0, busy_timeout_ms: UInt32(AGS_STORAGE_DEFAULT_BUSY_TIMEOUT_MS),
    checkpoint_changes: UInt64(AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES), checkpoint_bytes: UInt64(AGS_STORAGE_DEFAULT_CHECKPOINT_BYTES)) }

/// The engine's storage options from the caller's struct (NULL: the defaults), every field checked.
func storageOptions(_ pointer: UnsafePointer<ags_storage_options>?) throws(AGError) -> StorageOptions {
    let raw = try readOptions(pointer, defaultStorageOptions, current: AGS_STORAGE_OPTIONS_VERSION, "ags_storage_options")
    var options = StorageOptions()
    options.durability = try Durability(id: Int32(bitPattern: raw.durability.rawValue))
    if let key = raw.key {
        options.key = try StorageKey(id: raw.key_id, bytes: Array(UnsafeBufferPointer(start: key, count: StorageKey.size)))
    }
    guard raw.old_key_count <= StorageOptions.maxOldKeys else {
        throw AGError(.invalidArgument, "old_key_count \(raw.old_key_count) is beyond \(StorageOptions.maxOldKeys)")
    }
    if raw.old_key_count > 0 {
        guard let keys = raw.old_keys else { throw AGError(.invalidArgument, "old_keys is NULL but old_key_count is \(raw.old_key_count)") }
        for entry in UnsafeBufferPointer(start: keys, count: raw.old_key_count) {
            let bytes = withUnsafeBytes(of: entry.key) { Array($0) }
            options.oldKeys.append(try StorageKey(id: entry.id, bytes: bytes))
        }
    }
    options.busyTimeoutMilliseconds = raw.busy_timeout_ms
    options.checkpointChanges = raw.checkpoint_changes
    options.checkpointBytes = raw.checkpoint_bytes
    return options
}

/// Caller text as a Swift string, checked as UTF-8.
func utf8Text(_ data: CText, _ length: Int, _ what: String) throws(AGError) -> String {
    let raw = try bytes(data, length, what)
    guard let text = String(validating: raw, as: UTF8.self) else { throw AGError(.invalidArgument, "\(what) is not valid UTF-8") }
    return text
}

/// The ids of stores as a JSON array, for the caller.
func writeIDs(_ ids: [String], _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ outLength: COutLen) throws(AGError) {
    try write(.array(JSONArray(ids.map { JSONValue.string($0) })), .compact, out, outLength)
}

@_cdecl("ags_storage_options_init")
public func ags_storage_options_init(_ options: UnsafeMutablePointer<ags_storage_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultStorageOptions, current: AGS_STORAGE_OPTIONS_VERSION, "ags_storage_options")
}

@_cdecl("ags_storage_open")
public func ags_storage_open(_ url: CText, _ urlLength: Int, _ options: UnsafePointer<ags_storage_options>?,
                             _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let handle = try require(handle, "storage")
        let url = try utf8Text(url, urlLength, "the storage URL")
        let storage = try Storage(url: url, options: try storageOptions(options))
        do throws(AGError) { handle.pointee = try storages.insert(storage) } catch { storage.close(); throw error }
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
        try writeIDs(try storages.object(handle).list(), out, outLength)
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
        if let out { try writeIDs(ids, out, outLength) }
    }
}

@_cdecl("ags_storage_stats")
public func ags_storage_stats(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(bytes: Array(try storages.object(handle).statistics().utf8), out, outLength)
    }
}

@_cdecl("ags_storage_close")
public func ags_storage_close(_ handle: OpaquePointer?) {
    guard let storage = try? storages.object(handle) else { return }
    storages.remove(handle)
    storage.close()
}
