import Synchronization

/// A counter that many threads add to without a lock.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    init() {}
    @inline(__always) func add(_ amount: Int = 1) { value.wrappingAdd(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// A gauge: a value that goes up and down.
final class Gauge: Sendable {
    private let value = Atomic<Int>(0)
    init() {}
    @inline(__always) func add(_ amount: Int) { value.wrappingAdd(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}

/// A latency histogram with fixed buckets (Prometheus' cumulative form is made when it is read).
/// Observations take no lock: one atomic add for the bucket, the count and the sum.
public final class LatencyHistogram: Sendable {
    /// Upper bounds in nanoseconds: 1 µs to 10 s, roughly 1-2.5-5 steps.
    static let bounds: [UInt64] = [
        1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000,
        500_000_000, 1_000_000_000, 2_500_000_000, 10_000_000_000,
    ]
    private let buckets: [Counter]  // one per bound, then +Inf
    private let sumNanoseconds = Counter()

    init() { buckets = (0...LatencyHistogram.bounds.count).map { _ in Counter() } }

    func observe(nanoseconds: UInt64) {
        var index = 0
        let bounds = LatencyHistogram.bounds
        while index < bounds.count && nanoseconds > bounds[index] { index += 1 }
        buckets[index].add()
        sumNanoseconds.add(Int(truncatingIfNeeded: min(nanoseconds, UInt64(Int.max))))
    }

    /// Counts per bucket (not cumulative), the total count and the sum in nanoseconds.
    var read: (counts: [Int], count: Int, sumNanoseconds: Int) {
        let counts = buckets.map(\.current)
        return (counts, counts.reduce(0, +), sumNanoseconds.current)
    }

    /// The upper bound of the bucket holding the `q` quantile, in nanoseconds (nil with no observation;
    /// the largest finite bound when it falls in +Inf).
    func quantile(_ q: Double) -> UInt64? {
        let (counts, count, _) = read
        guard count > 0 else { return nil }
        let rank = Int((q * Double(count)).rounded(.up))
        var cumulative = 0
        for (i, c) in counts.enumerated() {
            cumulative += c
            if cumulative >= rank { return i < LatencyHistogram.bounds.count ? LatencyHistogram.bounds[i] : LatencyHistogram.bounds.last! }
        }
        return LatencyHistogram.bounds.last!
    }
}

/// Why a store left the registry.
public enum EvictionCause: String, Sendable, CaseIterable {
    case ttl, budget, close
}

/// Everything a registry counts. Read together by `Registry.statistics` and the exports.
final class RegistryMetrics: Sendable {
    let hits = Counter()
    let misses = Counter()
    let loadFailures = Counter()
    let refusedOverBudget = Counter()
    let evictions: [EvictionCause: Counter] = Dictionary(uniqueKeysWithValues: EvictionCause.allCases.map { ($0, Counter()) })
    let commits = Counter()
    let commitFailures = Counter()
    let limitRefusals = Counter()
    let rateRefusals = Counter()
    let residentStores = Gauge()
    let residentBytes = Gauge()
    let heldStores = Gauge()
    let commitLatency = LatencyHistogram()
    let loadLatency = LatencyHistogram()
    let evictionLatency = LatencyHistogram()

    /// The last 1024 commits' outcomes (1: failed), for the health report's error rate; written without a
    /// lock (a slot per commit sequence number).
    private let ring = OutcomeRing()

    func noteOutcome(failed: Bool) { ring.note(failed: failed) }

    /// Failed share of the last commits (0 with none).
    var recentErrorRate: Double { ring.failedShare }
}

final class OutcomeRing: @unchecked Sendable {
    private static let size = 1024
    private let sequence = Atomic<Int>(0)
    private let slots = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: OutcomeRing.size)

    init() {
        for i in 0..<OutcomeRing.size { (slots + i).initialize(to: Atomic<Int>(0)) }
    }

    deinit { slots.deallocate() }

    func note(failed: Bool) {
        let n = sequence.wrappingAdd(1, ordering: .relaxed).oldValue
        slots[n % OutcomeRing.size].store(failed ? 1 : 0, ordering: .relaxed)
    }

    var failedShare: Double {
        let filled = min(sequence.load(ordering: .relaxed), OutcomeRing.size)
        guard filled > 0 else { return 0 }
        var failed = 0
        for i in 0..<filled { failed += slots[i].load(ordering: .relaxed) }
        return Double(failed) / Double(filled)
    }
}
