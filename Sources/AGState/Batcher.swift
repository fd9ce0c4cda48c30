#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// When a batcher sends what it gathered.
public struct BatcherOptions: Sendable, Equatable {
    /// Send when this many operations are pending.
    public var maxOperations: Int
    /// Send when the pending operations take this many bytes of JSON.
    public var maxBytes: Int
    /// Send when this many milliseconds have passed since the first pending change (checked by `poll`).
    public var windowMilliseconds: UInt64
    /// Pending operations may grow to this many times the bounds while the consumer is still busy with the
    /// last batch; beyond that they are replaced by one `replace` of the whole watched value.
    public static let backlogFactor = 16
    /// The largest bound accepted, 2^40: far above any real batch, and small enough that every multiple the
    /// batcher computes from a bound (the backlog, byte estimates) stays within an Int.
    public static let maxBound = 1 << 40

    /// The backlog's bound on operations: `maxOperations` times `backlogFactor`, or `Int.max` (no bound)
    /// when that product would pass it.
    public var backlogOperations: Int { BatcherOptions.times(maxOperations, BatcherOptions.backlogFactor) }
    /// The backlog's bound on bytes, likewise.
    public var backlogBytes: Int { BatcherOptions.times(maxBytes, BatcherOptions.backlogFactor) }

    static func times(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    public init(maxOperations: Int = 200, maxBytes: Int = 64 * 1024, windowMilliseconds: UInt64 = 100) {
        self.maxOperations = maxOperations
        self.maxBytes = maxBytes
        self.windowMilliseconds = windowMilliseconds
    }
}

/// One batch: a compacted STATE_DELTA taking a client from `fromVersion` to `toVersion`.
public struct Batch: Sendable {
    public let fromVersion: UInt64
    public let toVersion: UInt64
    public let operations: [PatchOperation]
    /// The STATE_DELTA event.
    public var event: JSONValue { StateEvent.deltaJSON(operations) }
}

/// Counts of what a batcher did.
public struct BatcherStatistics: Sendable, Equatable {
    public var batches: UInt64 = 0
    public var changes: UInt64 = 0
    public var operationsIn: UInt64 = 0
    public var operationsOut: UInt64 = 0
    /// Flushes that found the consumer still busy, whose changes went into the next batch instead.
    public var coalesced: UInt64 = 0
    /// Times the backlog passed its bound and was replaced by one `replace` of the watched value.
    public var resynced: UInt64 = 0
    /// Batches the consumer reported it could not send.
    public var failedSends: UInt64 = 0

    public var json: JSONValue {
        var o = JSONObject()
        for (name, value) in [("batches", batches), ("changes", changes), ("operationsIn", operationsIn),
                              ("operationsOut", operationsOut), ("coalesced", coalesced), ("resynced", resynced),
                              ("failedSends", failedSends)] {
            o[name] = .number(JSONNumber.from(value))
        }
        return .object(o)
    }
}

/// Gathers a store's commits and sends them as one compacted STATE_DELTA: when `maxOperations` or
/// `maxBytes` is reached, when `windowMilliseconds` have passed since the first pending change, or at once
/// for an urgent change. Time is driven by the caller (`poll(now:)`), deterministically, or by a thread the
/// batcher owns (`startTimer`).
///
/// `send` is called with no lock held, and never twice at once. With a timer thread (`startTimer`), every
/// batch is sent from that thread: a commit that makes a batch due only wakes it, so a slow consumer never
/// holds up writers; the changes that arrive meanwhile coalesce into the next batch (counted), and a backlog
/// past its bound is replaced by one `replace` (counted). Without a timer thread, a batch made due by a
/// commit is sent on the committing thread before the commit returns (a slow consumer then slows writers
/// down instead of queueing), and batches made due by time are sent by `poll`.
public final class Batcher: @unchecked Sendable {
    public let options: BatcherOptions
    public let pointer: JSONPointer
    private weak var store: Store?
    private let send: (Batch) -> Bool
    private let lock = ConditionLock()
    /// The backlog's bounds (`BatcherOptions.backlogOperations`, `backlogBytes`), worked out once.
    private let backlogOperations: Int
    private let backlogBytes: Int
    private var subscription: Subscription?

    // Guarded by `lock`.
    private var pending: [PatchOperation] = []
    private var pendingBytes = 0
    private var fromVersion: UInt64
    private var toVersion: UInt64
    private var firstPendingAt: UInt64?
    private var now: UInt64 = 0
    private var sending = false
    /// The thread running `send` while `sending`: a close from inside `send` must not wait for itself.
    private var sender: pthread_t?
    private var closed = false
    private var stats = BatcherStatistics()
    private var timer: pthread_t?
    private var timerStop = false
    private var urgentPending = false
    /// Set by a close with flush called from inside `send`: what is pending goes out when `send` returns.
    private var flushWhenSent = false

    public init(store: Store, pointer: JSONPointer = .root, options: BatcherOptions = BatcherOptions(),
                send: @escaping (Batch) -> Bool) throws(AGError) {
        guard (1...BatcherOptions.maxBound).contains(options.maxOperations),
              (1...BatcherOptions.maxBound).contains(options.maxBytes) else {
            throw AGError(.invalidArgument, "a batcher's bounds must be from 1 to \(BatcherOptions.maxBound) (max_operations \(options.maxOperations), max_bytes \(options.maxBytes))")
        }
        self.options = options
        backlogOperations = options.backlogOperations
        backlogBytes = options.backlogBytes
        self.pointer = pointer
        self.store = store
        self.send = send
        let version = store.version
        fromVersion = version
        toVersion = version
        subscription = store.subscribe(pointer) { [weak self] notice in
            self?.receive(notice)
            return true
        }
    }

    deinit { close(flush: false) }

    public var statistics: BatcherStatistics { lock.withLock { stats } }

    private func receive(_ notice: ChangeNotice) {
        let sendHere: Bool = lock.withLock {
            guard !closed else { return false }
            if pending.isEmpty {
                firstPendingAt = timer == nil ? now : Batcher.monotonicMilliseconds()
            }
            pending += notice.operations
            pendingBytes += notice.operations.reduce(0) { $0 + JSONSerializer.serialize($1.json).count + 1 }
            toVersion = notice.version
            stats.changes += 1
            stats.operationsIn += UInt64(notice.operations.count)
            if notice.urgent { urgentPending = true }
            boundBacklog()
            guard isDue() else { return false }
            if sending {
                stats.coalesced += 1 // the consumer is busy: this change goes out with the next batch
                return false
            }
            if timer != nil {
                lock.broadcast() // wake the timer thread, which sends
                return false
            }
            return true
        }
        if sendHere { flush() }
    }

    /// Keeps the backlog bounded while the consumer is busy: compacts it, then, if still too large, replaces
    /// it by one `replace` of the watched value as it is now.
    private func boundBacklog() {
        guard pending.count > backlogOperations || pendingBytes > backlogBytes else { return }
        pending = PatchCompaction.compact(pending).operations
        pendingBytes = pending.reduce(0) { $0 + JSONSerializer.serialize($1.json).count + 1 }
        guard pending.count > backlogOperations || pendingBytes > backlogBytes,
              let value = store?.state.valueIfPresent(at: pointer) else { return }
        pending = [.replace(path: pointer, value: value)]
        pendingBytes = JSONSerializer.serialize(pending[0].json).count
        stats.resynced += 1
    }

    /// Sends what is pending now, if anything.
    public func flush() {
        while true {
            let batch: Batch? = lock.withLock {
                guard !pending.isEmpty else { return nil }
                if sending {
                    stats.coalesced += 1
                    return nil
                }
                sending = true
                sender = currentThread()
                urgentPending = false
                let operations = PatchCompaction.compact(pending).operations
                let batch = Batch(fromVersion: fromVersion, toVersion: toVersion, operations: operations)
                stats.batches += 1
                stats.operationsOut += UInt64(operations.count)
                pending = []
                pendingBytes = 0
                firstPendingAt = nil
                fromVersion = toVersion
                return batch
            }
            guard let batch else { return }
            let sent = send(batch)
            // Changes that arrived while the consumer was busy and are due now go out next.
            let again: Bool = lock.withLock {
                sending = false
                sender = nil
                if !sent { stats.failedSends += 1 }
                lock.broadcast()
                // A close with flush from inside `send` left its pending changes to this loop.
                if closed { return !pending.isEmpty && flushWhenSent }
                return !pending.isEmpty && isDue()
            }
            if !again { return }
        }
    }

    private func isDue() -> Bool {
        if urgentPending || pending.count >= options.maxOperations || pendingBytes >= options.maxBytes { return true }
        guard let first = firstPendingAt else { return false }
        let current = timer == nil ? now : Batcher.monotonicMilliseconds()
        return current >= first && current - first >= options.windowMilliseconds
    }

    /// Tells the batcher the time, in milliseconds on any clock that only goes forward, and sends the
    /// pending changes if the window since the first of them has passed.
    public func poll(now time: UInt64) {
        let due: Bool = lock.withLock {
            now = max(now, time)
            if !pending.isEmpty && firstPendingAt == nil { firstPendingAt = now }
            return !pending.isEmpty && isDue()
        }
        if due { flush() }
    }

    /// Stops watching the store. With `flush`, what is pending is sent first; otherwise it is dropped.
    /// Stops the timer thread, if any, and waits for it, and waits for a batch being sent on another thread.
    ///
    /// From inside `send` (the batch being sent is the caller's own), it waits for nothing: it returns at
    /// once, the batch in hand is the last but one, and with `flush` what is pending is sent right after
    /// `send` returns, on that thread; without, it is dropped. A timer thread stops after its round.
    public func close(flush shouldFlush: Bool = true) {
        let (subscription, timer, insideSend): (Subscription?, pthread_t?, Bool) = lock.withLock {
            if closed { return (nil, nil, false) }
            closed = true
            timerStop = true
            lock.broadcast()
            let insideSend = sending && sender.map { pthread_equal($0, currentThread()) != 0 } == true
            if insideSend {
                if shouldFlush { flushWhenSent = true } else { pending = [] }
            }
            let taken = (self.subscription, self.timer, insideSend)
            self.subscription = nil
            return taken
        }
        subscription?.cancel()
        if let timer {
            // Closed from the timer thread itself (inside `send`): it ends after this round, unjoined.
            if pthread_equal(timer, pthread_self()) == 0 { pthread_join(timer, nil) } else { pthread_detach(timer) }
        }
        if insideSend { return }
        // A batch being sent on another thread goes first: the changes after it are then sent (or dropped)
        // here, and when this returns no send is running nor will start.
        lock.withLock {
            while sending { lock.wait() }
            if !shouldFlush { pending = [] }
        }
        if shouldFlush {
            flush()
            lock.withLock { while sending { lock.wait() } }
        }
    }

    // MARK: timer thread

    static func monotonicMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    /// Starts a thread that checks the window every `tickMilliseconds` (default: a quarter of the window).
    /// From then on the batcher uses the system's monotonic clock.
    public func startTimer(tickMilliseconds: UInt64? = nil) throws(AGError) {
        let tick = max(1, tickMilliseconds ?? max(1, options.windowMilliseconds / 4))
        try lock.withLock { () throws(AGError) in
            guard !closed else { throw AGError(.closed, "the batcher is closed") }
            guard timer == nil else { return }
            let box = Unmanaged.passRetained(TimerContext(batcher: self, tick: tick))
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<TimerContext>.fromOpaque(raw!).takeRetainedValue()
                context.run()
                return nil
            }, box.toOpaque())
            guard rc == 0 else {
                box.release()
                throw AGError(.noMemory, "cannot start the batcher's timer thread")
            }
            timer = thread
        }
    }

    /// One round of the timer thread: waits for a wake-up or a tick, then sends what is due. False to stop.
    fileprivate func timerRound(tick: UInt64) -> Bool {
        let stop: Bool = lock.withLock {
            if !timerStop && !(isDue() && !pending.isEmpty) { lock.wait(milliseconds: tick) }
            return timerStop
        }
        if stop { return false }
        poll(now: Batcher.monotonicMilliseconds())
        return true
    }
}

private final class TimerContext {
    weak var batcher: Batcher?
    let tick: UInt64
    init(batcher: Batcher, tick: UInt64) {
        self.batcher = batcher
        self.tick = tick
    }

    func run() {
        while true {
            guard let batcher, batcher.timerRound(tick: tick) else { return }
        }
    }
}
