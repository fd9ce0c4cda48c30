import AGCore
import Synchronization

/// A gauge: a value that goes up and down.
final class Gauge: Sendable {
    private let value = Atomic<Int>(0)
    init() {}
    @inline(__always) func add(_ amount: Int) { value.wrappingAdd(amount, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
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
    let subscriberFailures = Counter()
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
