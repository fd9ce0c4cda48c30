import AGJSON

/// What a subscriber hears about one commit: its version and those of its operations that touch the
/// subscribed location (a change of an ancestor, the location itself, or anything inside it).
public struct ChangeNotice: Sendable {
    public let version: UInt64
    public let operations: [PatchOperation]
    /// The committer marked the change urgent.
    public var urgent = false
    /// Who committed the change, when known.
    public var author: String? = nil
}

/// A registered interest in changes at or around one location of a store's state.
public final class Subscription: @unchecked Sendable {
    public let pointer: JSONPointer
    let callback: (ChangeNotice) -> Bool
    // Guarded by the store's notification lock.
    var active = true
    var inFlight = 0
    var failures: UInt64 = 0
    weak var store: Store?

    init(pointer: JSONPointer, store: Store, callback: @escaping (ChangeNotice) -> Bool) {
        self.pointer = pointer
        self.store = store
        self.callback = callback
    }

    /// How many times the callback reported a failure (returned false).
    public var failureCount: UInt64 { store?.notificationCount(of: self) ?? failures }

    /// Stops deliveries. When it returns, no call of the callback is running on another thread and none
    /// will start. Called from the callback itself, it returns at once.
    public func cancel() { store?.unsubscribe(self) }

    /// The operations of `change` that concern this subscription, or nil when none does. Matching uses
    /// the locations each operation wrote, so an insertion into an array reaches the subscribers of the
    /// array's elements, whose positions it shifts.
    func notice(for change: Change) -> ChangeNotice? {
        guard change.touched.contains(where: { $0.overlaps(pointer) }) else { return nil }
        var ops: [PatchOperation] = []
        var start = 0
        for (op, end) in zip(change.operations, change.touchedEnds) {
            if change.touched[start..<end].contains(where: { $0.overlaps(pointer) }) { ops.append(op) }
            start = end
        }
        return ops.isEmpty ? nil : ChangeNotice(version: change.version, operations: ops, urgent: change.urgent, author: change.author)
    }
}
