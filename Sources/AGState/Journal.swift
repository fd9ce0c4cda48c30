import AGJSON

/// Where a durable store writes each change before it publishes it. The storage layer (AGStorage)
/// implements it; a store without one keeps its state in memory only.
///
/// The store calls `record` with its write lock held, so the calls for one store come one at a time and
/// in version order. It calls it before the change becomes visible: when `record` throws, the store
/// publishes nothing, and its state and version stay exactly as they were.
public protocol StoreJournal: AnyObject, Sendable {
    /// Makes `change` durable (the state after it is `state`), returning only once it is stored.
    /// `history` is the store's history bound, which says how far back stored changes must reach.
    func record(_ change: Change, state: JSONValue, history: HistoryLimits) throws(AGError)
}

extension Store {
    /// A store rebuilt from storage: `state` at `version`, with an empty history (the storage replays the
    /// later changes through `apply`, which refills it, then attaches its journal).
    public convenience init(restoring state: JSONValue, version: UInt64, limits: StoreLimits) throws(AGError) {
        try self.init(state, limits: limits)
        startVersion(at: version)
    }
}
