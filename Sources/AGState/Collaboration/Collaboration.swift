#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// A store's collaboration state besides its versions: the default strategy, the conflict log, section
/// locks and presence, behind one lock of their own (never held while a listener runs).
final class Collaboration: @unchecked Sendable {
    private let lock = Lock()
    // Guarded by `lock`.
    var defaultStrategy: ConflictStrategy = .rebase
    var log = ConflictLog()
    private var locks = SectionLocks()
    private var presence = PresenceTable()
    private var lockListeners: [Listener<LockEvent>] = []
    private var presenceListeners: [Listener<PresenceEvent>] = []
    private var nextListener = 1
    /// Milliseconds on a monotonic clock; tests set their own.
    var clock: @Sendable () -> UInt64 = { Collaboration.monotonicMilliseconds() }
    static let maxListeners = 1000

    static func monotonicMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    func withState<R>(_ body: (Collaboration) throws(AGError) -> R) throws(AGError) -> R {
        try lock.withLock { () throws(AGError) -> R in try body(self) }
    }

    // MARK: locks

    /// Runs `change` on the locks after dropping expired leases, then tells listeners what changed (the
    /// expiries found on the way too, when `change` fails).
    func changeLocks<R>(_ change: (inout SectionLocks, UInt64, inout [LockEvent]) throws(AGError) -> R) throws(AGError) -> R {
        var events: [LockEvent] = []
        let (outcome, listeners) = lock.withLock { () -> (Result<R, AGError>, [Listener<LockEvent>]) in
            let now = clock()
            locks.expire(now: now, into: &events)
            do throws(AGError) {
                return (.success(try change(&locks, now, &events)), lockListeners)
            } catch {
                return (.failure(error), lockListeners)
            }
        }
        for event in events { for listener in listeners { listener.call(event) } }
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw error
        }
    }

    var currentLocks: [SectionLock] {
        (try? changeLocks { (locks: inout SectionLocks, _: UInt64, _: inout [LockEvent]) throws(AGError) in locks.locks }) ?? []
    }

    /// Throws `locked` when a lease of another owner covers one of `written`.
    func checkLocks(_ written: [JSONPointer], author: String?) throws(AGError) {
        try lock.withLock { () throws(AGError) in
            if locks.locks.isEmpty { return }
            try locks.check(written, author: author, now: clock())
        }
    }

    func addLockListener(_ callback: @escaping @Sendable (LockEvent) -> Void) throws(AGError) -> Int {
        try lock.withLock { () throws(AGError) -> Int in
            guard lockListeners.count < Collaboration.maxListeners else {
                throw AGError(.limitExceeded, "a store may have at most \(Collaboration.maxListeners) lock subscriptions")
            }
            nextListener += 1
            lockListeners.append(Listener(id: nextListener, callback))
            return nextListener
        }
    }

    // MARK: presence

    func changePresence<R>(_ change: (inout PresenceTable, UInt64, inout [PresenceEvent]) throws(AGError) -> R) throws(AGError) -> R {
        var events: [PresenceEvent] = []
        let (result, listeners) = try lock.withLock { () throws(AGError) -> (R, [Listener<PresenceEvent>]) in
            let now = clock()
            presence.expire(now: now, into: &events)
            return (try change(&presence, now, &events), presenceListeners)
        }
        for event in events { for listener in listeners { listener.call(event) } }
        return result
    }

    func addPresenceListener(_ callback: @escaping @Sendable (PresenceEvent) -> Void) throws(AGError) -> Int {
        try lock.withLock { () throws(AGError) -> Int in
            guard presenceListeners.count < Collaboration.maxListeners else {
                throw AGError(.limitExceeded, "a store may have at most \(Collaboration.maxListeners) presence subscriptions")
            }
            nextListener += 1
            presenceListeners.append(Listener(id: nextListener, callback))
            return nextListener
        }
    }

    /// Removes a listener; when it returns, no call of it runs on another thread and none will start.
    func removeListener(_ id: Int) {
        let (locks, presence) = lock.withLock { () -> ([Listener<LockEvent>], [Listener<PresenceEvent>]) in
            defer {
                lockListeners.removeAll { $0.id == id }
                presenceListeners.removeAll { $0.id == id }
            }
            return (lockListeners.filter { $0.id == id }, presenceListeners.filter { $0.id == id })
        }
        // Outside the state lock: a call in progress may be making a lock or presence call of its own.
        for listener in locks { listener.deactivate() }
        for listener in presence { listener.deactivate() }
    }
}
