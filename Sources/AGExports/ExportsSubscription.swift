import AGJSON
import AGState

// Subscriptions (include/agstate.h): a C function and its user_data behind a Swift callback.

public typealias ChangeFunction = @convention(c) (UnsafeMutableRawPointer?, UInt64, UnsafePointer<CChar>?, Int) -> Int32

let subscriptions = HandleTable<Subscription>(kind: 0x5D, name: "subscription")

/// The caller's function and pointer, carried into the callback. The caller promises they stay valid
/// until the subscription is closed.
private struct CCallback: @unchecked Sendable {
    let function: ChangeFunction
    let userData: UnsafeMutableRawPointer?

    func call(_ notice: ChangeNotice) -> Bool {
        var text = JSONSerializer.serialize(JSONPatch(notice.operations).json)
        let count = text.count
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                function(userData, notice.version, chars.baseAddress, count) == 0
            }
        }
    }
}

@_cdecl("ags_store_subscribe")
public func ags_store_subscribe(_ handle: OpaquePointer?, _ ptr: CText, _ ptrLength: Int, _ function: ChangeFunction?,
                                _ userData: UnsafeMutableRawPointer?,
                                _ subscription: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let subscription = try require(subscription, "subscription")
        guard let function else { throw AGError(.invalidArgument, "the callback is NULL") }
        let store = try stores.object(handle)
        let callback = CCallback(function: function, userData: userData)
        let created = store.subscribe(try pointer(ptr, ptrLength)) { callback.call($0) }
        subscription.pointee = try subscriptions.insert(created) { $0.cancel() }
    }
}

@_cdecl("ags_subscription_close")
public func ags_subscription_close(_ subscription: OpaquePointer?) {
    guard let object = try? subscriptions.object(subscription) else { return }
    subscriptions.remove(subscription)
    object.cancel()
}

@_cdecl("ags_subscription_failures")
public func ags_subscription_failures(_ subscription: OpaquePointer?, _ count: UnsafeMutablePointer<UInt64>?) -> Int32 {
    run { () throws(AGError) in
        let count = try require(count, "count")
        count.pointee = try subscriptions.object(subscription).failureCount
    }
}
