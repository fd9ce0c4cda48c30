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

    /// Called after `record` threw `error`, on the committing thread, with no lock of the store held. A
    /// journal that other processes write too brings the store up to date here (through `applyStored`),
    /// so that a commit that lost a race to another process can be retried at once.
    func recordFailed(_ error: AGError, store: Store)
}

extension StoreJournal {
    public func recordFailed(_ error: AGError, store: Store) {}
}

extension Store {
    /// Applies a change that is already stored (written by another process sharing the storage) as
    /// `version` (by `author`), without writing it to the journal: recorded in the history and told to subscribers like
    /// any commit. Returns false, changing nothing, when the store is already at `version` or past it;
    /// fails with `conflict` when a version between is missing (the caller applies those first).
    @discardableResult
    public func applyStored(_ patch: JSONPatch, version: UInt64, author: String? = nil) throws(AGError) -> Bool {
        do {
            _ = try commit(author: author, journaled: false) { (_: JSONValue, context: CommitContext) throws(AGError) in
                if context.version >= version { throw StoredChangeSkip.alreadyApplied }
                guard context.version + 1 == version else {
                    throw AGError(.conflict, "stored version \(version) does not follow the store's version \(context.version)")
                }
            } apply: { (state: inout JSONValue, limits: JSONLimits, _: Void) throws(AGError) in
                try patch.applyRecording(inPlace: &state, limits: limits)
            }
            return true
        } catch where error.code == .conflict && error.message == StoredChangeSkip.alreadyApplied.message {
            return false
        }
    }
}

/// The marker error `applyStored` throws out of a commit that must not happen (never seen by callers).
private enum StoredChangeSkip {
    static let alreadyApplied = AGError(.conflict, "the stored change is already applied")
}

extension Store {
    /// A store rebuilt from storage: `state` at `version`, with an empty history (the storage replays the
    /// later changes through `apply`, which refills it, then attaches its journal).
    public convenience init(restoring state: JSONValue, version: UInt64, limits: StoreLimits) throws(AGError) {
        try self.init(state, limits: limits)
        startVersion(at: version)
    }
}
