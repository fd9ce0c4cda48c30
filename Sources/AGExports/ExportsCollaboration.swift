import AGJSON
import AGState
import CAgstateHeader

// Collaboration (include/agstate.h): strategies, the conflict log, section locks, presence and watches.

public typealias ResolveFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<ags_conflict>?,
                                                    UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafeMutablePointer<Int>?) -> Int32
public typealias WatchFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int) -> Int32

/// The caller's resolver behind the engine's: values in as JSON text, the answer back as a resolution.
struct CResolver: @unchecked Sendable {
    let function: ags_resolve_fn
    let userData: UnsafeMutableRawPointer?

    init(function: ags_resolve_fn, userData: UnsafeMutableRawPointer?) {
        self.function = function
        self.userData = userData
    }

    @Sendable func resolve(_ conflict: ConflictCase) -> Resolution {
        let texts = [conflict.path.description.utf8CString, conflict.base.map(serialized), conflict.current.map(serialized),
                     conflict.proposed.map(serialized)]
        return withCStrings(texts) { pointers in
            var c = ags_conflict(path: pointers[0], path_len: texts[0].map { $0.count - 1 } ?? 0,
                                 base: pointers[1], base_len: texts[1].map { $0.count - 1 } ?? 0,
                                 current: pointers[2], current_len: texts[2].map { $0.count - 1 } ?? 0,
                                 proposed: pointers[3], proposed_len: texts[3].map { $0.count - 1 } ?? 0)
            var value: UnsafePointer<CChar>? = nil
            var length = 0
            let answer = function(userData, &c, &value, &length)
            switch UInt32(bitPattern: answer) {
            case AGS_RESOLVE_KEEP_BASE.rawValue: return conflict.base.map { .keep($0) } ?? .remove
            case AGS_RESOLVE_KEEP_CURRENT.rawValue: return conflict.current.map { .keep($0) } ?? .remove
            case AGS_RESOLVE_KEEP_PROPOSED.rawValue: return conflict.proposed.map { .keep($0) } ?? .remove
            case AGS_RESOLVE_REMOVE.rawValue: return .remove
            case AGS_RESOLVE_KEEP_VALUE.rawValue:
                guard let parsed = try? json(value, length, "the resolver's value", limits: .default) else { return .refuse }
                return .keep(parsed)
            default: return .refuse
            }
        }
    }

    private func serialized(_ value: JSONValue) -> ContiguousArray<CChar> {
        var bytes = JSONSerializer.serialize(value)
        bytes.append(0)
        return ContiguousArray(bytes.map { CChar(bitPattern: $0) })
    }

    private func withCStrings<R>(_ texts: [ContiguousArray<CChar>?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafePointer<CChar>?] = []
        func nest(_ index: Int) -> R {
            if index == texts.count { return body(pointers) }
            guard let text = texts[index] else { pointers.append(nil); return nest(index + 1) }
            return text.withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress)
                return nest(index + 1)
            }
        }
        return nest(0)
    }
}

/// The caller's watch function: each event as JSON text.
private struct CWatch: @unchecked Sendable {
    let function: WatchFunction
    let userData: UnsafeMutableRawPointer?

    func call(_ event: JSONValue) {
        var text = JSONSerializer.serialize(event)
        let count = text.count
        text.append(0)
        text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = function(userData, $0.baseAddress, count) }
        }
    }
}

let watches = HandleTable<CollaborationSubscription>(kind: 0x63, name: "watch")

@_cdecl("ags_store_set_strategy")
public func ags_store_set_strategy(_ handle: OpaquePointer?, _ raw: UInt32) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        store.defaultStrategy = try strategy(raw)
    }
}

@_cdecl("ags_store_strategy")
public func ags_store_strategy(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "strategy")
        out.pointee = UInt32(try stores.object(handle).defaultStrategy.rawValue)
    }
}

@_cdecl("ags_store_conflicts")
public func ags_store_conflicts(_ handle: OpaquePointer?, _ after: UInt64, _ flags: UInt32, _ out: COut,
                                _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(.array(JSONArray(try stores.object(handle).conflicts(after: after).map(\.json))), options, out, outLength)
    }
}

@_cdecl("ags_store_author")
public func ags_store_author(_ handle: OpaquePointer?, _ version: UInt64, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(bytes: Array((try stores.object(handle).author(of: version) ?? "").utf8), out, outLength)
    }
}

@_cdecl("ags_store_lock")
public func ags_store_lock(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ owner: CText, _ ownerLength: Int,
                           _ ttl: UInt64) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        try store.lock(try pointer(ptr, ptrLength), owner: try text(owner, ownerLength, "the owner"), ttl: ttl)
    }
}

@_cdecl("ags_store_renew_lock")
public func ags_store_renew_lock(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ owner: CText,
                                 _ ownerLength: Int, _ ttl: UInt64) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        try store.renewLock(try pointer(ptr, ptrLength), owner: try text(owner, ownerLength, "the owner"), ttl: ttl)
    }
}

@_cdecl("ags_store_unlock")
public func ags_store_unlock(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ owner: CText, _ ownerLength: Int) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        try store.unlock(try pointer(ptr, ptrLength), owner: try text(owner, ownerLength, "the owner"))
    }
}

@_cdecl("ags_store_locks")
public func ags_store_locks(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try stores.object(handle).locksJSON, options, out, outLength)
    }
}

@_cdecl("ags_store_presence_set")
public func ags_store_presence_set(_ handle: OpaquePointer?, _ client: CText, _ clientLength: Int, _ value: CText,
                                   _ valueLength: Int, _ ttl: UInt64) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let id = try text(client, clientLength, "the client id")
        try store.setPresence(id, try json(value, valueLength, "the presence value", limits: store.limits), ttl: ttl)
    }
}

@_cdecl("ags_store_presence_leave")
public func ags_store_presence_leave(_ handle: OpaquePointer?, _ client: CText, _ clientLength: Int) -> Int32 {
    run { () throws(AGError) in
        let store = try stores.object(handle)
        let id = try text(client, clientLength, "the client id")
        guard store.leave(id) else { throw AGError(.pathNotFound, "\(id) is not present") }
    }
}

@_cdecl("ags_store_presence")
public func ags_store_presence(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try stores.object(handle).presenceJSON, options, out, outLength)
    }
}

@_cdecl("ags_store_expire")
public func ags_store_expire(_ handle: OpaquePointer?) -> Int32 {
    run { () throws(AGError) in try stores.object(handle).expireSessions() }
}

@_cdecl("ags_store_watch_locks")
public func ags_store_watch_locks(_ handle: OpaquePointer?, _ function: WatchFunction?, _ userData: UnsafeMutableRawPointer?,
                                  _ watch: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let watch = try require(watch, "watch")
        guard let function else { throw AGError(.invalidArgument, "the callback is NULL") }
        let callback = CWatch(function: function, userData: userData)
        let created = try stores.object(handle).subscribeLocks { callback.call($0.json) }
        watch.pointee = try watches.insert(created) { $0.cancel() }
    }
}

@_cdecl("ags_store_watch_presence")
public func ags_store_watch_presence(_ handle: OpaquePointer?, _ function: WatchFunction?, _ userData: UnsafeMutableRawPointer?,
                                     _ watch: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let watch = try require(watch, "watch")
        guard let function else { throw AGError(.invalidArgument, "the callback is NULL") }
        let callback = CWatch(function: function, userData: userData)
        let created = try stores.object(handle).subscribePresence { callback.call($0.json) }
        watch.pointee = try watches.insert(created) { $0.cancel() }
    }
}

@_cdecl("ags_watch_close")
public func ags_watch_close(_ watch: OpaquePointer?) {
    guard let object = try? watches.object(watch) else { return }
    watches.remove(watch)
    object.cancel()
}
