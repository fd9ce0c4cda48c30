#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A counter that many threads add to without a lock.
public final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    @inline(__always) public func add(_ amount: Int = 1) { value.wrappingAdd(amount, ordering: .relaxed) }
    public var current: Int { value.load(ordering: .relaxed) }
}

/// A latency histogram with fixed buckets (Prometheus' cumulative form is made when it is read).
/// Observations take no lock: one atomic add for the bucket and one for the sum.
public final class LatencyHistogram: Sendable {
    /// Upper bounds in nanoseconds: 1 µs to 10 s, roughly 1-2.5-5 steps.
    public static let bounds: [UInt64] = [
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000,
        500_000_000, 1_000_000_000, 2_500_000_000, 10_000_000_000,
    ]
    private let buckets: [Counter]  // one per bound, then +Inf
    private let sumNanoseconds = Counter()

    public init() { buckets = (0...LatencyHistogram.bounds.count).map { _ in Counter() } }

    public func observe(nanoseconds: UInt64) {
        var index = 0
        let bounds = LatencyHistogram.bounds
        while index < bounds.count && nanoseconds > bounds[index] { index += 1 }
        buckets[index].add()
        sumNanoseconds.add(Int(truncatingIfNeeded: min(nanoseconds, UInt64(Int.max))))
    }

    /// Observes the time `body` takes.
    @inline(__always)
    public func time<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let start = monotonicNanoseconds()
        defer { observe(nanoseconds: monotonicNanoseconds() &- start) }
        return try body()
    }

    /// Counts per bucket (not cumulative), the total count and the sum in nanoseconds.
    public var read: (counts: [Int], count: Int, sumNanoseconds: Int) {
        let counts = buckets.map(\.current)
        return (counts, counts.reduce(0, +), sumNanoseconds.current)
    }

    /// The upper bound of the bucket holding the `q` quantile, in nanoseconds (nil with no observation;
    /// the largest finite bound when it falls in +Inf).
    public func quantile(_ q: Double) -> UInt64? {
        let (counts, count, _) = read
        guard count > 0 else { return nil }
        let rank = Int((q * Double(count)).rounded(.up))
        var cumulative = 0
        for (i, c) in counts.enumerated() {
            cumulative += c
            if cumulative >= rank { return LatencyHistogram.bounds[min(i, LatencyHistogram.bounds.count - 1)] }
        }
        return LatencyHistogram.bounds.last!
    }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC).
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

/// What the whole process observes outside any registry: event validation and compression latency, and
/// validator findings by rule id. Read by every registry's metrics (labelled as process-wide there).
public enum ProcessMetrics {
    /// One stream piece fed to a validator (or its finish).
    public static let validationLatency = LatencyHistogram()
    /// One-shot compression and decompression calls.
    public static let compressionLatency = LatencyHistogram()
    public static let decompressionLatency = LatencyHistogram()
    /// Findings reported by validators, by rule id (a fixed set: the validator's rules).
    public static let findings = FindingCounts()
}

/// Counts by rule id, under a lock (findings are rare next to events).
public final class FindingCounts: @unchecked Sendable {
    private let lock = Lock()
    private var counts: [String: Int] = [:]

    public func add(_ rule: String) { lock.withLock { counts[rule, default: 0] += 1 } }

    public var all: [(rule: String, count: Int)] {
        lock.withLock { counts.map { ($0.key, $0.value) }.sorted { $0.rule < $1.rule } }
    }
}
