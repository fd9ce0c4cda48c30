import AGCore

/// Stops calling a server that keeps failing: after `threshold` failures in a row it opens and every call
/// fails at once with `unavailable`; after `openMilliseconds` it lets one probe through (half-open), which
/// closes it on success or opens it again on failure. Only failures of the connection count.
final class CircuitBreaker: @unchecked Sendable {
    enum State: String { case closed, open, halfOpen = "half_open" }

    private let lock = Lock()
    private(set) var state = State.closed
    private var failures = 0
    private var openUntil: UInt64 = 0
    private var probing = false
    let threshold: Int
    let openMilliseconds: UInt64
    /// How many times it entered each state, for the statistics.
    private(set) var transitions: [State: UInt64] = [.closed: 0, .open: 0, .halfOpen: 0]
    private(set) var rejected: UInt64 = 0

    init(threshold: Int, openMilliseconds: UInt64) {
        self.threshold = threshold
        self.openMilliseconds = openMilliseconds
    }

    /// Throws `unavailable` when calls are not let through now.
    func admit() throws(AGError) {
        try lock.withLock { () throws(AGError) in
            switch state {
            case .closed: return
            case .open:
                guard monotonicMilliseconds() >= openUntil else { break }
                enter(.halfOpen)
                probing = true
                return
            case .halfOpen:
                guard probing else { probing = true; return }
            }
            rejected += 1
            throw AGError(.unavailable, "the server is unavailable (circuit breaker \(state.rawValue) after \(failures) failures)")
        }
    }

    func succeeded() {
        lock.withLock {
            failures = 0
            probing = false
            if state != .closed { enter(.closed) }
        }
    }

    func failed() {
        lock.withLock {
            failures += 1
            probing = false
            if state == .halfOpen || (state == .closed && failures >= threshold) {
                openUntil = monotonicMilliseconds() + openMilliseconds
                enter(.open)
            } else if state == .open {
                openUntil = monotonicMilliseconds() + openMilliseconds
            }
        }
    }

    private func enter(_ next: State) {
        state = next
        transitions[next, default: 0] += 1
    }

    /// The state and counters as JSON members.
    func statistics() -> String {
        lock.withLock {
            #""state":"\#(state.rawValue)","consecutive_failures":\#(failures),"opened":\#(transitions[.open] ?? 0),"# +
            #""half_opened":\#(transitions[.halfOpen] ?? 0),"closed":\#(transitions[.closed] ?? 0),"rejected":\#(rejected)"#
        }
    }
}
