import AGJSON
import AGState

/// Where a registry gets the stores it does not hold: storage, or anything that can hand out a store by id.
/// Called from many threads at once for ids of different shards; `open` and `release` run with the id's
/// shard lock held (so that an id is never opened again before its eviction is complete): they must be
/// quick and must not call back into the registry.
public protocol StoreLoader: AnyObject, Sendable {
    /// True when every commit to a store this loader opened is durable before it is acknowledged, so that
    /// a store the registry lets go of comes back from `open` with its exact state and version. Only then
    /// does a registry evict without being asked to.
    var isDurable: Bool { get }

    /// The store with `id`: loaded as it was stored, or, when none is stored, created holding `initial`
    /// (nil when `initial` is nil). `limits` are the registry's limits for its stores.
    func open(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store?

    /// The registry has let go of `store` (evicted or closed): it is no longer used through the registry.
    func release(_ id: String, store: Store)

    /// True when the storage behind the loader answers now (for the health report).
    func isReachable() -> Bool
}

/// Keeps stores in memory, as a stand-in for storage: a store let go of is kept as a snapshot and opened
/// again with its exact state and version. For tests, and for hosts whose "storage" is the process.
public final class MemoryStoreLoader: StoreLoader, @unchecked Sendable {
    private let lock = Lock()
    private var saved: [String: (state: JSONValue, version: UInt64)] = [:]
    public private(set) var opens = 0
    public let isDurable = true

    public init() {}

    public func open(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store? {
        let found = lock.withLock { () -> (state: JSONValue, version: UInt64)? in
            opens += 1
            return saved[id]
        }
        if let found {
            return try Store(found.state, limits: limits.json, history: limits.history, content: limits.content,
                             version: found.version, checksContent: false)
        }
        guard let initial else { return nil }
        return try Store(initial, limits: limits)
    }

    public func release(_ id: String, store: Store) {
        let snapshot = store.snapshot()
        lock.withLock { saved[id] = (snapshot.state, snapshot.version) }
    }

    public func isReachable() -> Bool { true }

    /// How many stores are kept.
    public var count: Int { lock.withLock { saved.count } }
}
