import AGState

/// How a registry keeps its stores. Every bound has a default; `Int.max` / 0 mean "none" as documented.
public struct RegistryOptions: Sendable, Equatable {
    /// The engine's byte estimate of all resident stores (state and history) is kept under this.
    public var budgetBytes = Int.max
    /// A store nobody holds is evicted after this long unused (0: never).
    public var ttlMilliseconds: UInt64 = 0
    /// Evict even when the loader is not durable (or there is none): evicted states are then gone. Off by
    /// default, and then a registry over its budget refuses new stores instead.
    public var evictWithoutStorage = false
    /// Shards of the id table: lookups of ids in different shards take different locks.
    public var shards = 16
    /// The limits of every store of the registry.
    public var limits = StoreLimits()
    /// Token buckets per client id (see `RateLimits`).
    public var rates = RateLimits()
    /// Labels per store id on the per-store metrics (off: one series per registry whatever the number of
    /// stores, as Prometheus wants for unbounded ids).
    public var perStoreMetrics = false
    /// When the health report turns `degraded`.
    public var thresholds = HealthThresholds()

    public static let defaultShards = 16
    public static let maxShards = 4096

    public init() {}
}

/// Rate limits per client id: token buckets refilled continuously. 0 for a rate means no limit.
public struct RateLimits: Sendable, Equatable {
    public var commitsPerSecond: Double = 0
    /// Commits a client may make at once after being idle (default: one second's worth, at least 1).
    public var commitBurst: Double = 0
    public var bytesPerSecond: Double = 0
    /// Input bytes a client may send at once after being idle (default: one second's worth).
    public var bytesBurst: Double = 0
    /// Clients whose buckets are kept; past it, the least recently seen clients' buckets are dropped
    /// (a dropped client starts again with a full bucket).
    public var maxClients = 100_000

    public init() {}

    var isOn: Bool { commitsPerSecond > 0 || bytesPerSecond > 0 }
}

/// Alert thresholds of the health report; each is off at its default.
public struct HealthThresholds: Sendable, Equatable {
    /// Share of failed commits among the last commits (0...1; above it: degraded). 1 = off.
    public var errorRate: Double = 1
    /// p95 of the commit latency, in milliseconds (above it: degraded). 0 = off.
    public var p95CommitMilliseconds: Double = 0
    /// Share of the budget held by resident stores (0...1; above it: degraded). 1 = off.
    public var memoryShare: Double = 1

    public init() {}
}
