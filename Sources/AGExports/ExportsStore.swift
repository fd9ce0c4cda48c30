import AGJSON
import AGState
import CAgstateHeader

// Stores (include/agstate.h). Handles are checked through the table; the store does the work.

let stores = HandleTable<Store>(kind: 0x5A, name: "store")

@_cdecl("ags_store_open")
public func ags_store_open(_ text: CText, _ length: Int, _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let handle = try require(handle, "store")
        let limits = DefaultLimits.current
        let initial: JSONValue = (text == nil && length == 0)
            ? .object(JSONObject()) : try json(text, length, "the initial state", limits: limits.json)
        // The handle owns a store it opened: closing it closes the store. (A store from a storage or a
        // registry is shared by every handle to its id; closing one of those handles only lets it go.)
        let store = try Store(initial, limits: limits)
        handle.pointee = try stores.insert(store, onRemove: { store.close() })
    }
}

@_cdecl("ags_store_close")
public func ags_store_close(_ handle: OpaquePointer?) {
    stores.remove(handle)
}

@_cdecl("ags_store_version")
public func ags_store_version(_ handle: OpaquePointer?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let version = try require(version, "version")
        version.pointee = try stores.object(handle).version
    }
}

@_cdecl("ags_store_get")
public func ags_store_get(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ flags: UInt32,
                          _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let store = try stores.object(handle)
        try write(try store.get(try pointer(ptr, ptrLength)), options, out, outLength)
    }
}

@_cdecl("ags_store_export")
public func ags_store_export(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try stores.object(handle).state, options, out, outLength)
    }
}

@_cdecl("ags_store_set")
public func ags_store_set(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ value: CText, _ valueLength: Int,
                          _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let path = try pointer(ptr, ptrLength), options = try commitOptions(options, input: value, valueLength)
        writeVersion(try store.set(try json(value, valueLength, "the value", limits: store.limits), at: path, options: options), version)
    }
}

@_cdecl("ags_store_add")
public func ags_store_add(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ value: CText, _ valueLength: Int,
                          _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let path = try pointer(ptr, ptrLength), options = try commitOptions(options, input: value, valueLength)
        writeVersion(try store.add(try json(value, valueLength, "the value", limits: store.limits), at: path, options: options), version)
    }
}

@_cdecl("ags_store_remove")
public func ags_store_remove(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int,
                             _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let path = try pointer(ptr, ptrLength), options = try commitOptions(options)
        writeVersion(try store.remove(at: path, options: options), version)
    }
}

@_cdecl("ags_store_patch")
public func ags_store_patch(_ handle: OpaquePointer?, _ patchText: CText, _ patchLength: Int,
                            _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let options = try commitOptions(options, input: patchText, patchLength)
        let patch = try jsonPatch(patchText, patchLength, limits: store.limits)
        writeVersion(try store.apply(patch, commit: options), version)
    }
}

@_cdecl("ags_store_merge")
public func ags_store_merge(_ handle: OpaquePointer?, _ patchText: CText, _ patchLength: Int,
                            _ options: UnsafePointer<ags_commit_options>?, _ version: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let options = try commitOptions(options, input: patchText, patchLength)
        writeVersion(try store.merge(try json(patchText, patchLength, "the merge patch", limits: store.limits), options: options), version)
    }
}

@_cdecl("ags_store_limit")
public func ags_store_limit(_ handle: OpaquePointer?, _ id: Int32, _ newValue: Int64,
                            _ oldValue: UnsafeMutablePointer<Int64>?) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        // Evaluated first: an assignment through `?.` would skip the call when old_value is NULL.
        let old = try store.exchangeLimit(try limitID(id), newValue < 0 ? nil : newValue)
        oldValue?.pointee = old
    }
}

@_cdecl("ags_commit_options_init")
public func ags_commit_options_init(_ options: UnsafeMutablePointer<ags_commit_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultCommitOptions, current: AGS_COMMIT_OPTIONS_VERSION, "ags_commit_options")
}
