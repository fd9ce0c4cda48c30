import AGCore
import AGJSON
import AGState

/// The journal of one store in a hybrid storage: writes to the primary while it answers; when a write
/// finds it unavailable, moves the store to the fallback (its state before the change becomes the
/// fallback's checkpoint) and writes there from then on, each change marked pending, until a replay
/// (see `HybridReplay`) carries them to the primary and puts the store back on it.
///
/// `record` runs with the store's write lock held, and a replay switches the mode under that lock too,
/// so a change is never written to one backend while the store moves to the other.
final class HybridJournal: StoreJournal, @unchecked Sendable {
    enum Mode {
        case primary(PostgresJournal)
        case fallback(DurableJournal)
    }

    let id: String
    /// Strong: a store may outlive its storage's handle (its commits then fail with `closed`); the storage
    /// holds its stores and journals weakly, so there is no cycle.
    private let storage: HybridStorage
    /// The store this journal writes for (read at a failover: its state before the change).
    weak var store: Store?
    private let lock = Lock()
    // Guarded by `lock`.
    private var mode: Mode
    private var pending: UInt64
    private var deleted = false

    init(id: String, storage: HybridStorage, mode: Mode, pending: UInt64 = 0) {
        self.id = id
        self.storage = storage
        self.mode = mode
        self.pending = pending
    }

    var onFallback: Bool {
        lock.withLock { if case .fallback = mode { return true } else { return false } }
    }

    var pendingCount: UInt64 { lock.withLock { pending } }

    func markDeleted() { lock.withLock { deleted = true } }

    /// Puts the store back on the primary (after a replay, under the store's write lock).
    func usePrimary(_ journal: PostgresJournal) {
        lock.withLock {
            mode = .primary(journal)
            pending = 0
        }
    }

    func record(_ change: Change, state: JSONValue, history: HistoryLimits) throws(AGError) {
        let (current, deleted) = lock.withLock { (mode, self.deleted) }
        guard !deleted else { throw AGError(.closed, "store \"\(id)\" was deleted from the storage") }
        guard !storage.isClosed else { throw AGError(.closed, "the storage of store \"\(id)\" was closed") }
        switch current {
        case .primary(let journal):
            do throws(AGError) {
                try journal.record(change, state: state, history: history)
            } catch where error.code == .unavailable {
                guard let store else { throw error }
                let durable = try storage.failover(id, store: store)
                lock.withLock {
                    mode = .fallback(durable)
                    pending = 0
                }
                try recordPending(durable, change, state: state)
            }
        case .fallback(let durable):
            try recordPending(durable, change, state: state)
        }
    }

    private func recordPending(_ durable: DurableJournal, _ change: Change, state: JSONValue) throws(AGError) {
        let waiting = lock.withLock { pending }
        guard waiting < HybridStorage.maxPendingChanges else {
            throw AGError(.unavailable, "the primary of store \"\(id)\" is unreachable and \(waiting) changes already wait in the fallback for it (the most kept)")
        }
        // Everything since the failover is kept: the pending changes must reach the primary.
        try durable.record(change, state: state, history: HybridStorage.keepEverything)
        lock.withLock { pending += 1 }
    }

    func recordFailed(_ error: AGError, store: Store) {
        if case .primary(let journal) = lock.withLock({ mode }) { journal.recordFailed(error, store: store) }
    }
}
