import AGCore
import AGJSON
import AGState
import Synchronization

/// Many stores by id in one process: each loaded on first use (or created from an initial state), kept
/// resident while used, and let go of when idle past a TTL or, least recently used first, when the byte
/// estimate of all resident stores passes the budget. A store someone holds (`Hold`) stays resident.
///
/// Ids are spread over shards, each with its own lock, so lookups of different ids rarely wait for one
/// another. Eviction picks the least recently used unheld store among the shards' oldest ones (the
/// global LRU order up to the coarse clock's tick, since each shard's list is in order). Loading and
/// eviction call the loader with the id's shard lock held: two threads asking for the same new id get one
/// store, and an evicted id is opened again only once the loader has its last state. Hooks (logs, spans)
/// run with no lock held.
///
/// Without a durable loader, nothing is evicted unless `evictWithoutStorage` asks for it (the evicted
/// state would be lost); a registry over its budget then refuses new stores with `limitExceeded`.
public final class Registry: @unchecked Sendable {
    public let options: RegistryOptions
    let loader: (any StoreLoader)?
    private let shards: [RegistryShard]
    let metrics: RegistryMetrics
    let observers: Observers
    private let rateLimiter: RateLimiter?
    /// What a store's commits report to: kept apart from the registry, so that stores do not keep it alive.
    private let commitSink: CommitSink
    let started = monotonicNanoseconds()
    private let closed = Atomic<Bool>(false)
    private let limitsLock = Lock()
    private var storeLimits: StoreLimits

    public init(loader: (any StoreLoader)? = nil, options: RegistryOptions = RegistryOptions()) throws(AGError) {
        guard options.shards >= 1 && options.shards <= RegistryOptions.maxShards else {
            throw AGError(.invalidArgument, "the number of shards must be between 1 and \(RegistryOptions.maxShards), not \(options.shards)")
        }
        guard options.budgetBytes >= 0 else { throw AGError(.invalidArgument, "the budget must be at least 0 bytes") }
        let r = options.rates
        guard r.commitsPerSecond >= 0, r.bytesPerSecond >= 0, r.commitBurst >= 0, r.bytesBurst >= 0,
              r.commitsPerSecond.isFinite, r.bytesPerSecond.isFinite, r.commitBurst.isFinite, r.bytesBurst.isFinite,
              r.maxClients >= 1 else {
            throw AGError(.invalidArgument, "rates and bursts must be finite and at least 0, and the client bound at least 1")
        }
        let t = options.thresholds
        guard (0...1).contains(t.errorRate), (0...1).contains(t.memoryShare), t.p95CommitMilliseconds >= 0,
              t.p95CommitMilliseconds.isFinite else {
            throw AGError(.invalidArgument, "the error rate and memory share thresholds must be between 0 and 1, the latency at least 0")
        }
        self.options = options
        self.loader = loader
        storeLimits = options.limits
        shards = (0..<options.shards).map { _ in RegistryShard() }
        rateLimiter = options.rates.isOn ? RateLimiter(options.rates, shards: options.shards) : nil
        metrics = RegistryMetrics()
        observers = Observers()
        commitSink = CommitSink(metrics: metrics, observers: observers, rateLimiter: rateLimiter)
    }

    /// The limits given to the stores the registry opens from now on.
    public var limits: StoreLimits { limitsLock.withLock { storeLimits } }

    /// Reads one limit of the registry's stores and, when `newValue` is given, sets it for the stores it
    /// opens from now on and for those resident now. Returns the value before.
    public func exchangeLimit(_ id: LimitID, _ newValue: Int64?) throws(AGError) -> Int64 {
        let old = try limitsLock.withLock { () throws(AGError) -> Int64 in
            let old = storeLimits.value(of: id)
            if let newValue { try storeLimits.set(id, to: newValue) }
            return old
        }
        if let newValue { for store in residentStores() { _ = try? store.exchangeLimit(id, newValue) } }
        return old
    }

    /// Memory a resident store holds besides its state and history, added to each store's byte estimate:
    /// measured (malloc's bytes in use) at about 810 bytes for a store holding `{}`: the store object, its
    /// three locks, history and notification queues, and the registry's entry, gate and table slot.
    public static let storeOverheadBytes = 800

    /// True when stores may be evicted: the loader keeps them durably, or the options ask for it.
    public var evicts: Bool { (loader?.isDurable ?? false) || options.evictWithoutStorage }

    // MARK: getting and releasing

    /// A caller's hold on a resident store: the store stays resident until `release()` (or deinit).
    public final class Hold: @unchecked Sendable {
        public let store: Store
        public let id: String
        private let registry: Registry
        private let entry: Entry
        private let released = Atomic<Bool>(false)

        init(registry: Registry, entry: Entry) {
            self.registry = registry
            self.entry = entry
            self.store = entry.store
            self.id = entry.id
        }

        /// Lets go of the store; the registry decides when it leaves memory. Harmless when repeated.
        public func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { registry.release(entry) }
        }

        deinit { release() }
    }

    /// The store with `id`, held for the caller: resident already (a hit), or opened through the loader
    /// (loaded from storage, or created holding `initial`), or without a loader created holding `initial`.
    /// Fails with `pathNotFound` when the id is nowhere and `initial` is nil, and with `limitExceeded` when
    /// the registry is over its budget and may not evict.
    public func get(_ id: String, initial: JSONValue? = nil) throws(AGError) -> Hold {
        try checkOpen()
        let shard = shards[shardIndex(id)]
        let now = coarseMonotonicNanoseconds()
        var expired: [Entry] = []
        let found = shard.lock.withLock { () -> Entry? in
            if evicts && options.ttlMilliseconds > 0 { collectExpired(shard, now: now, into: &expired) }
            guard let entry = shard.entries[id] else { return nil }
            entry.holds += 1
            shard.touch(entry, now: now)
            return entry
        }
        finishEvictions(expired, cause: .ttl)
        if let found {
            metrics.hits.add()
            metrics.heldStores.add(1)
            return Hold(registry: self, entry: found)
        }
        return try load(id, initial: initial, shard: shard)
    }

    private func load(_ id: String, initial: JSONValue?, shard: RegistryShard) throws(AGError) -> Hold {
        if !evicts && metrics.residentBytes.current >= options.budgetBytes {
            metrics.refusedOverBudget.add()
            let error = AGError(.limitExceeded, "the registry holds \(metrics.residentBytes.current) bytes, at its budget of \(options.budgetBytes), and may not evict without storage: refusing store \"\(id)\"")
            observers.log(.warning, "registry over budget", ["id": .string(id), "resident_bytes": .int(Int64(metrics.residentBytes.current))])
            observers.noteError(error)
            throw error
        }
        let start = monotonicNanoseconds()
        let entry = try shard.lock.withLock { () throws(AGError) -> Entry in
            if let raced = shard.entries[id] {  // loaded by another thread meanwhile
                raced.holds += 1
                shard.touch(raced, now: coarseMonotonicNanoseconds())
                return raced
            }
            let store: Store
            do throws(AGError) {
                if let loader {
                    guard let opened = try loader.open(id, initial: initial, limits: limits) else {
                        throw AGError(.pathNotFound, "no store \"\(id)\" is stored, and no initial state was given")
                    }
                    store = opened
                } else {
                    guard let initial else {
                        throw AGError(.pathNotFound, "no store \"\(id)\" is resident, and no initial state was given")
                    }
                    store = try Store(initial, limits: limits)
                }
            } catch {
                metrics.loadFailures.add()
                throw error
            }
            let entry = Entry(id: id, store: store, bytes: store.estimatedBytes() + Registry.storeOverheadBytes,
                              now: coarseMonotonicNanoseconds())
            store.gate = StoreGate(sink: commitSink, id: id, commits: entry.commits)
            entry.holds = 1
            shard.entries[id] = entry
            shard.append(entry)
            metrics.residentStores.add(1)
            metrics.residentBytes.add(entry.bytes)
            return entry
        }
        let elapsed = monotonicNanoseconds() &- start
        metrics.misses.add()
        metrics.heldStores.add(1)
        metrics.loadLatency.observe(nanoseconds: elapsed)
        observers.span("load", id: id, version: entry.store.version, nanoseconds: elapsed, status: 0)
        evictOverBudget()
        return Hold(registry: self, entry: entry)
    }

    /// A hold ends: the store's byte estimate is brought up to date when its version moved, and the
    /// registry evicts when it is now over its budget.
    func release(_ entry: Entry) {
        let version = entry.store.version
        let bytes = version == entry.bytesVersion.load(ordering: .relaxed) ? nil
            : entry.store.estimatedBytes() + Registry.storeOverheadBytes
        let shard = shards[shardIndex(entry.id)]
        shard.lock.withLock {
            entry.holds -= 1
            entry.lastUsed = coarseMonotonicNanoseconds()
            if let bytes, shard.entries[entry.id] === entry {
                metrics.residentBytes.add(bytes - entry.bytes)
                entry.bytes = bytes
                entry.bytesVersion.store(version, ordering: .relaxed)
            }
        }
        metrics.heldStores.add(-1)
        evictOverBudget()
    }

    // MARK: eviction

    /// Evicts least recently used unheld stores while the resident bytes pass the budget.
    func evictOverBudget() {
        guard evicts else { return }
        while metrics.residentBytes.current > options.budgetBytes {
            guard evictOldest(cause: .budget) else { return }
        }
    }

    /// Evicts the least recently used unheld store of all shards; false when every store is held.
    @discardableResult
    func evictOldest(cause: EvictionCause) -> Bool {
        var best: (shard: RegistryShard, entry: Entry, lastUsed: UInt64)?
        for shard in shards {
            shard.lock.withLock {
                if let entry = shard.oldestUnheld(), best == nil || entry.lastUsed < best!.lastUsed {
                    best = (shard, entry, entry.lastUsed)
                }
            }
        }
        guard let best else { return false }
        let taken = best.shard.lock.withLock { () -> Bool in
            guard best.entry.holds == 0, best.shard.entries[best.entry.id] === best.entry else { return false }
            evict(best.entry, from: best.shard)
            return true
        }
        if taken { finishEvictions([best.entry], cause: cause) }
        return true  // another thread may have taken or held it: the caller looks again
    }

    /// Entries of `shard` unused past the TTL and unheld, removed from it (the shard's lock is held).
    private func collectExpired(_ shard: RegistryShard, now: UInt64, into expired: inout [Entry]) {
        let (ttl, overflow) = options.ttlMilliseconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return }  // a TTL of more than 584 years: nothing expires
        var candidate = shard.oldest
        while let entry = candidate, now &- entry.lastUsed > ttl {
            candidate = entry.newer
            if entry.holds == 0 {
                evict(entry, from: shard)
                expired.append(entry)
            }
        }
    }

    /// Evicts every store unused past the TTL (and unheld); returns how many. Also done a shard at a time
    /// by `get`; call it from a timer to let go of idle stores when no lookups come.
    @discardableResult
    public func sweep() -> Int {
        guard evicts && options.ttlMilliseconds > 0 else { return 0 }
        let now = coarseMonotonicNanoseconds()
        var total = 0
        for shard in shards {
            var expired: [Entry] = []
            shard.lock.withLock { collectExpired(shard, now: now, into: &expired) }
            finishEvictions(expired, cause: .ttl)
            total += expired.count
        }
        return total
    }

    /// Tells the loader of entries already taken out of their shards, with no lock held, and counts them.
    /// Takes `entry` out of `shard` and hands its store back to the loader, with the shard's lock held: a
    /// get of the same id waits for that lock, so it cannot open the store again (from what the loader
    /// kept) before the loader has the evicted store's last state.
    private func evict(_ entry: Entry, from shard: RegistryShard) {
        shard.remove(entry)
        let start = monotonicNanoseconds()
        loader?.release(entry.id, store: entry.store)
        entry.evictionNanoseconds = monotonicNanoseconds() &- start
    }

    /// Counts, times, traces and logs evictions done by `evict`, with no lock held.
    private func finishEvictions(_ entries: [Entry], cause: EvictionCause) {
        for entry in entries {
            let elapsed = entry.evictionNanoseconds
            metrics.residentStores.add(-1)
            metrics.residentBytes.add(-entry.bytes)
            metrics.evictions[cause]!.add()
            metrics.evictionLatency.observe(nanoseconds: elapsed)
            observers.span("evict", id: entry.id, version: entry.store.version, nanoseconds: elapsed, status: 0)
            observers.log(.debug, "store evicted", ["id": .string(entry.id), "cause": .string(cause.rawValue),
                                                    "bytes": .int(Int64(entry.bytes)), "version": .number(JSONNumber.from(entry.store.version))])
        }
    }

    // MARK: closing

    /// Lets go of every store (the loader is told of each) and refuses later gets with `closed`. Stores
    /// callers still hold stay usable by them.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for shard in shards {
            let all = shard.lock.withLock { () -> [Entry] in
                let all = Array(shard.entries.values)
                for entry in all { evict(entry, from: shard) }
                return all
            }
            finishEvictions(all, cause: .close)
        }
    }

    deinit { close() }

    private func checkOpen() throws(AGError) {
        if closed.load(ordering: .acquiring) { throw AGError(.closed, "the registry is closed") }
    }

    @inline(__always)
    private func shardIndex(_ id: String) -> Int {
        shards.count == 1 ? 0 : Int(UInt(bitPattern: id.hashValue) % UInt(shards.count))
    }

    /// Calls `body` with every resident entry, shard by shard, with that shard's lock held (so that it reads
    /// the entries' fields safely): keep it short, and take no other lock in it.
    func forEachResident(_ body: (Entry) -> Void) {
        for shard in shards {
            shard.lock.withLock { shard.entries.values.forEach(body) }
        }
    }

    /// The stores resident now.
    func residentStores() -> [Store] {
        shards.flatMap { shard in shard.lock.withLock { shard.entries.values.map(\.store) } }
    }
}

/// What the stores of one registry report their commits to: its rate limits, metrics and observers.
final class CommitSink: @unchecked Sendable {
    let metrics: RegistryMetrics
    let observers: Observers
    let rateLimiter: RateLimiter?

    init(metrics: RegistryMetrics, observers: Observers, rateLimiter: RateLimiter?) {
        self.metrics = metrics
        self.observers = observers
        self.rateLimiter = rateLimiter
    }
}

/// What a registry's store asks before and tells after each commit: rate limits, counts, latency, spans
/// and logs. Set once when the store is opened; it outlives the store's time in the registry harmlessly.
final class StoreGate: CommitGate, @unchecked Sendable {
    private let sink: CommitSink
    private let id: String
    private let commits: Counter

    init(sink: CommitSink, id: String, commits: Counter) {
        self.sink = sink
        self.id = id
        self.commits = commits
    }

    func admit(_ origin: CommitOrigin?) throws(AGError) -> UInt64 {
        if let limiter = sink.rateLimiter, let origin, !origin.client.isEmpty {
            do {
                try limiter.admit(client: origin.client, bytes: origin.bytes)
            } catch {
                sink.metrics.rateRefusals.add()
                sink.observers.log(.warning, "commit refused by a rate limit",
                                   ["id": .string(id), "client": .string(origin.client), "error": .string(error.message),
                                    "retry_after_ms": .number(JSONNumber.from(error.retryAfterMilliseconds ?? 0))])
                throw error
            }
        }
        return monotonicNanoseconds()
    }

    func committed(started: UInt64, version: UInt64, error: AGError?) {
        let elapsed = monotonicNanoseconds() &- started
        let metrics = sink.metrics
        if let error {
            metrics.commitFailures.add()
            if error.code == .limitExceeded {
                metrics.limitRefusals.add()
                sink.observers.log(.warning, "commit refused by a limit",
                                   ["id": .string(id), "error": .string(error.message), "pointer": .string(error.pointer ?? ""),
                                    "operation": .int(Int64(error.operationIndex ?? -1))])
            }
            sink.observers.noteError(error)
        } else {
            metrics.commits.add()
            commits.add()
        }
        metrics.noteOutcome(failed: error != nil)
        metrics.commitLatency.observe(nanoseconds: elapsed)
        sink.observers.span("commit", id: id, version: version, nanoseconds: elapsed, status: error?.code.rawValue ?? 0)
    }

    func subscriberFailed(version: UInt64) {
        sink.metrics.subscriberFailures.add()
        sink.observers.log(.warning, "a subscriber failed", ["id": .string(id), "version": .number(JSONNumber.from(version))])
    }
}
