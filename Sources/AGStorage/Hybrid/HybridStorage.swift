#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState

/// Durable stores on a primary (PostgreSQL) with a local fallback (SQLite): `hybrid:PRIMARY|FALLBACK`.
///
/// While the primary answers, a store behaves exactly as one of a PostgreSQL storage. When a commit
/// finds the primary unavailable (its circuit breaker open, or a lost connection after the retries), the
/// store moves to the fallback and commits there: acknowledged once the fallback has them, marked
/// pending. A background thread probes the primary (once per breaker open interval) and replays each
/// store's pending changes to it in version order (see `HybridReplay`); the store is then back on the
/// primary. A store opened while the primary is unreachable, or with pending changes left by an earlier
/// process, is opened from the fallback. Pending changes survive a restart (they are rows in the fallback
/// file) and are replayed once the store is opened again with the primary reachable.
final class HybridStorage: @unchecked Sendable {
    let primaryURL: String
    let options: StorageOptions
    let fallback: SQLiteStorage
    /// How often the replayer looks for the primary (its breaker's open interval).
    let probeMilliseconds: UInt64

    /// Bounds the changes one store keeps waiting for the primary; past it, commits fail with `unavailable`.
    static let maxPendingChanges: UInt64 = 1_000_000
    /// The history given to the fallback's journal: nothing pending is ever pruned.
    static let keepEverything = HistoryLimits(maxVersions: Int.max, maxBytes: Int.max)

    /// Weak: the store holds its journal, and the journal this storage.
    private struct Entry {
        weak var store: Store?
        weak var journal: HybridJournal?
        let limits: StoreLimits
    }

    /// Guards `primary`, `lastConnect` and `entries` (never held while a store's write lock is taken).
    private let lock = Lock()
    private var primary: PostgresStorage?
    private var lastConnect: UInt64 = 0
    private var entries: [String: Entry] = [:]
    private var replayer: HybridReplayer?
    private var closed = false

    private let countersLock = Lock()
    private var failovers: UInt64 = 0
    private var replays: UInt64 = 0
    private var replayedChanges: UInt64 = 0
    private var replayConflicts: UInt64 = 0
    private var replayErrors: UInt64 = 0
    private var lastReplayError = ""

    init(url: String, options: StorageOptions) throws(AGError) {
        guard !url.utf8.contains(0) else { throw AGError(.invalidArgument, "the storage URL contains a NUL byte") }
        let (primaryURL, fallbackURL) = try HybridURL.split(url)
        self.primaryURL = primaryURL
        self.options = options
        probeMilliseconds = min(max(try PGSettings.parse(primaryURL).1.breakerOpenMilliseconds, 10), 60_000)
        fallback = try SQLiteStorage(url: fallbackURL, options: options)
        try fallback.database.transaction { (connection) throws(AGError) in try connection.execute(PendingRows.create) }
        do throws(AGError) {
            primary = try PostgresStorage(url: primaryURL, options: options)
        } catch where error.code == .unavailable {
            lastConnect = monotonicMilliseconds()
        }
        let replayer = HybridReplayer(storage: self)
        try replayer.start()
        self.replayer = replayer
    }

    var isClosed: Bool { lock.withLock { closed } }

    /// The primary, connecting again (at most once per probe interval) when it could not be reached before.
    func reachablePrimary() -> PostgresStorage? {
        lock.withLock { primaryLocked() }
    }

    private func primaryLocked() -> PostgresStorage? {
        if let primary { return primary }
        guard !closed else { return nil }
        let now = monotonicMilliseconds()
        guard now &- lastConnect >= probeMilliseconds else { return nil }
        lastConnect = now
        primary = try? PostgresStorage(url: primaryURL, options: options)
        return primary
    }

    func openStore(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store {
        let (store, onFallback) = try lock.withLock { () throws(AGError) -> (Store, Bool) in
            guard !closed else { throw AGError(.closed, "the storage is closed") }
            if let existing = entries[id], let store = existing.store, let journal = existing.journal { return (store, journal.onFallback) }
            let synced = try fallback.database.transaction(writing: false) { (connection) throws(AGError) in
                try PendingRows.synced(connection, store: id)
            }
            if synced == nil, let primary = primaryLocked() {
                do throws(AGError) {
                    let store = try primary.openStore(id, initial: initial, limits: limits)
                    guard let journal = primary.journal(of: id) else { throw AGError(.internal, "store \"\(id)\" has no journal") }
                    adopt(store, id: id, journal: HybridJournal(id: id, storage: self, mode: .primary(journal)), limits: limits)
                    return (store, false)
                } catch where error.code == .unavailable {
                    // Opened from the fallback below.
                }
            }
            let (store, durable) = try StoreLoader(storage: fallback, id: id, limits: limits).openOrCreate(initial: initial)
            let waiting = try fallback.database.transaction { (connection) throws(AGError) -> UInt64 in
                if synced == nil { try PendingRows.setSynced(connection, store: id, version: store.version) }
                return try PendingRows.count(connection, store: id)
            }
            adopt(store, id: id, journal: HybridJournal(id: id, storage: self, mode: .fallback(durable), pending: waiting), limits: limits)
            return (store, true)
        }
        if onFallback { replay(id) }
        return store
    }

    private func adopt(_ store: Store, id: String, journal: HybridJournal, limits: StoreLimits) {
        journal.store = store
        store.attach(journal: journal)
        entries[id] = Entry(store: store, journal: journal, limits: limits)
    }

    /// Moves store `id` to the fallback: its state now (before the change being written) becomes the
    /// fallback's checkpoint at the primary's version. Called by the journal under the store's write lock.
    func failover(_ id: String, store: Store) throws(AGError) -> DurableJournal {
        let base = store.snapshot()
        let row = try fallback.codec.encodeState(base.state, store: id, version: base.version)
        try fallback.database.transaction { (connection) throws(AGError) in
            try PendingRows.begin(connection, store: id, version: base.version, checkpoint: row)
        }
        // Other processes' changes must not be applied over the ones made here meanwhile.
        lock.withLock { primary }?.release(id)
        countersLock.withLock { failovers += 1 }
        return DurableJournal(id: id, storage: fallback, checkpoints: [base.version], changesSinceCheckpoint: 0, bytesSinceCheckpoint: 0)
    }

    /// Removes the fallback's copy of `id` once its changes are on the primary.
    func finishReplay(_ id: String) throws(AGError) {
        try fallback.database.transaction { (connection) throws(AGError) in try PendingRows.clear(connection, store: id) }
    }

    /// Replays the pending changes of the open store `id` when the primary answers; a failure is counted
    /// and the store stays on the fallback (the next probe tries again).
    func replay(_ id: String) {
        guard let entry = lock.withLock({ entries[id] }), let store = entry.store, let journal = entry.journal, journal.onFallback,
              let primary = reachablePrimary() else { return }
        var outcome: HybridReplay.Outcome?
        do throws(AGError) {
            try store.reconcile { (current) throws(AGError) in
                guard journal.onFallback else { return nil }
                let result = try HybridReplay(storage: self, primary: primary, id: id, limits: entry.limits, store: store).run(current: current)
                // Counted before the journal turns to the primary, so that statistics showing the store back
                // on the primary also show its replay.
                countersLock.withLock {
                    replays += 1
                    replayedChanges += result.replayed
                    if result.conflict { replayConflicts += 1 }
                }
                journal.usePrimary(result.journal)
                outcome = result
                let replacement = result.replacement
                guard replacement.version != current.version || replacement.state != current.state else { return nil }
                return replacement
            }
        } catch {
            countersLock.withLock {
                replayErrors += 1
                lastReplayError = error.message
            }
            return
        }
        guard let outcome else { return }
        primary.register(store, id: id, journal: outcome.journal)
        primary.catchUp(only: id)
    }

    /// Stops the background replays (tests then call `replayAll` when they choose).
    func stopReplayer() { lock.withLock { replayer }?.stop() }

    /// Replays every open store on the fallback, when the primary answers a probe.
    func replayAll() {
        let ids: [String] = lock.withLock {
            entries = entries.filter { $0.value.store != nil && $0.value.journal != nil }
            return entries.filter { $0.value.journal?.onFallback == true }.map(\.key)
        }
        guard !ids.isEmpty, let primary = reachablePrimary() else { return }
        do throws(AGError) {
            try primary.pool.run { (connection) throws(AGError) in _ = try connection.execute("SELECT 1") }
        } catch {
            return
        }
        for id in ids.sorted() { replay(id) }
    }

    /// The ids on the primary and those with pending changes in the fallback, sorted by their bytes.
    func list() throws(AGError) -> [String] {
        var ids = Set(try fallback.database.transaction(writing: false) { (connection) throws(AGError) in try PendingRows.stores(connection) })
        guard let primary = reachablePrimary() else {
            throw AGError(.unavailable, "the primary of the hybrid storage is unreachable; cannot list its stores")
        }
        ids.formUnion(try primary.list())
        return ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Deletes store `id` from the primary (which must answer) and from the fallback.
    func delete(_ id: String) throws(AGError) {
        guard let primary = reachablePrimary() else {
            throw AGError(.unavailable, "the primary of the hybrid storage is unreachable; cannot delete store \"\(id)\"")
        }
        let pending = try fallback.database.transaction(writing: false) { (connection) throws(AGError) in
            try PendingRows.synced(connection, store: id) != nil
        }
        do throws(AGError) {
            try primary.delete(id)
        } catch where error.code == .pathNotFound && pending {
            // Only the fallback has it.
        }
        try finishReplay(id)
        lock.withLock {
            entries[id]?.journal?.markDeleted()
            entries[id] = nil
        }
    }

    deinit { close() }

    func close() {
        let (replayer, primary) = lock.withLock { () -> (HybridReplayer?, PostgresStorage?) in
            defer { self.replayer = nil; closed = true }
            return (self.replayer, self.primary)
        }
        replayer?.stop()
        primary?.close()
        fallback.close()
    }

    /// Which backend is active, the pending and replayed changes, conflicts met on replay, the primary's
    /// breaker, and the primary's own statistics.
    func statistics() -> String {
        let (primary, onFallback) = lock.withLock { () -> (PostgresStorage?, Int) in
            (self.primary, entries.values.filter { $0.store != nil && $0.journal?.onFallback == true }.count)
        }
        let waiting = (try? fallback.database.transaction(writing: false) { (connection) throws(AGError) in
            try PendingRows.count(connection)
        }) ?? 0
        let breaker = primary?.pool.breaker.state.rawValue ?? "open"
        let active = (primary == nil || breaker != "closed" || onFallback > 0) ? "fallback" : "primary"
        let counters = countersLock.withLock {
            #""failovers":\#(failovers),"replays":\#(replays),"replayed_changes":\#(replayedChanges),"# +
            #""replay_conflicts":\#(replayConflicts),"replay_errors":\#(replayErrors),"# +
            #""last_replay_error":\#(String(decoding: JSONSerializer.serialize(.string(lastReplayError)), as: UTF8.self))"#
        }
        return #"{"backend":"hybrid","active":"\#(active)","breaker":"\#(breaker)","pending_replay":\#(waiting),"# +
            #""stores_on_fallback":\#(onFallback),\#(counters),"primary":\#(primary?.statistics() ?? "null")}"#
    }
}

/// The thread that probes the primary and replays the stores on the fallback.
final class HybridReplayer: @unchecked Sendable {
    private weak var storage: HybridStorage?
    private let interval: UInt64
    private let lock = Lock()
    private var stopping = false
    private var thread: pthread_t?

    init(storage: HybridStorage) {
        self.storage = storage
        interval = storage.probeMilliseconds
    }

    func start() throws(AGError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var made = pthread_t()
        let status = pthread_create(&made, nil, { raw in
            let replayer = Unmanaged<HybridReplayer>.fromOpaque(raw!).takeRetainedValue()
            replayer.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<HybridReplayer>.fromOpaque(context).release()
            throw AGError(.io, "cannot start the hybrid storage's replay thread (error \(status))")
        }
        thread = made
    }

    func stop() {
        lock.withLock { stopping = true }
        if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
        thread = nil
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func run() {
        while !isStopping {
            var slept: UInt64 = 0
            while slept < interval && !isStopping {
                usleep(10_000)
                slept += 10
            }
            if isStopping { return }
            storage?.replayAll()
        }
    }
}
