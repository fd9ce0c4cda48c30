import AGJSON
import AGState

// History and time travel (include/agstate.h).

@_cdecl("ags_store_history_range")
public func ags_store_history_range(_ handle: OpaquePointer?, _ oldest: UnsafeMutablePointer<UInt64>?,
                                    _ newest: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let range = try stores.object(handle).historyRange
        oldest?.pointee = range.oldest
        newest?.pointee = range.newest
    }
}

@_cdecl("ags_store_history")
public func ags_store_history(_ handle: OpaquePointer?, _ since: UInt64, _ flags: UInt32,
                              _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let changes = try stores.object(handle).changes(since: since)
        try write(.array(JSONArray(changes.map(\.json))), options, out, outLength)
    }
}

@_cdecl("ags_store_state_at")
public func ags_store_state_at(_ handle: OpaquePointer?, _ version: UInt64, _ flags: UInt32,
                               _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try stores.object(handle).state(at: version), options, out, outLength)
    }
}

@_cdecl("ags_store_delta_since")
public func ags_store_delta_since(_ handle: OpaquePointer?, _ version: UInt64, _ flags: UInt32,
                                  _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(JSONPatch(try stores.object(handle).delta(since: version)).json, options, out, outLength)
    }
}
