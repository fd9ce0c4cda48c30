#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import DequeModule

/// The JSON state of one conversation thread: read and changed by JSON Pointer, JSON Patch and JSON
/// Merge Patch, with a version that counts committed changes, a bounded history of them, O(1) snapshots,
/// transactions and subscriptions.
///
/// Thread safety: writers are serialised by one lock. A reader takes the state (an O(1) reference to an
/// immutable value) under a second lock, which a writer holds only while it applies its change in place:
/// a reader waits at most for one change's application, whose cost follows the change, never the state. Subscribers are told of
/// each commit in commit order, by the committing thread, after every lock is released (see `subscribe`).
public final class Store: @unchecked Sendable {
    private let writeLock = Lock()
    private let stateLock = Lock()
    // Guarded by stateLock (changed only while writeLock is held too).
    private var current: JSONValue
    private var currentVersion: UInt64 = 0
    private var currentLimits: JSONLimits
    private var currentContentLimits = ContentLimits.unbounded
    private var history: History
    /// Admits or refuses each commit before any work (a registry's rate limits); set once, before use.
    public var gate: (any CommitGate)?
    /// Set once by `close`, under both locks: every commit after it fails.
    private var closed = false
    /// Strategies, the conflict log, section locks and presence (see Collaboration/).
    let collaboration = Collaboration()
    /// Where each change is written before it is published, for a durable store; nil keeps the
    /// in-memory path exactly as it is. Set once, under the write lock, before the store is shared.
    private var journal: StoreJournal?

    // Notification state, guarded by `notify`.
    private let notify = ConditionLock()
    private var subscriptions: [Subscription] = []
    private var pending: Deque<Change> = []
    private var deliveredVersion: UInt64 = 0
    private var drainer: pthread_t?
    private var commitsFromCallbacks = 0
    /// How many changes subscription callbacks may commit during one delivery run. Bounds both the queue
    /// and a chain of callbacks that answer every change with another change.
    public static let maxCommitsFromCallbacks = 10_000

    /// A store holding `initial` at `version` (0 for a new state; a reloaded one keeps its version).
    /// `checksContent`: refuse an initial state that passes the content limits (for a new state; a state
    /// loaded from storage is taken as it was stored, the limits applying to its later changes).
    public init(_ initial: JSONValue = .object(JSONObject()), limits: JSONLimits = .default,
                history: HistoryLimits = HistoryLimits(), content: ContentLimits = .unbounded,
                version: UInt64 = 0, checksContent: Bool = true) throws(AGError) {
        guard initial.height <= limits.maxDepth else {
            throw AGError(.limitExceeded, "AGS_LIMIT_DEPTH: the initial state nests \(initial.height) levels deep, beyond the limit of \(limits.maxDepth)", pointer: "")
        }
        if checksContent { try content.check(initial: initial) }
        current = initial
        currentVersion = version
        currentLimits = limits
        currentContentLimits = content
        self.history = History(limits: history)
    }

    /// Makes the store durable: every later change is recorded in `journal` before it is published.
    public func attach(journal: StoreJournal) {
        writeLock.withLock { self.journal = journal }
    }

    /// True when the store's changes are written to storage.
    public var isDurable: Bool { writeLock.withLock { journal != nil } }

    /// Sets the version of a store rebuilt from storage, before any change.
    func startVersion(at version: UInt64) {
        writeLock.withLock { stateLock.withLock { currentVersion = version } }
    }

    // MARK: reading

    /// The current state and its version, read together, in O(1).
    public func snapshot() -> Snapshot {
        stateLock.withLock { Snapshot(state: current, version: currentVersion, origin: ObjectIdentifier(self)) }
    }

    public var state: JSONValue { stateLock.withLock { current } }
    public var version: UInt64 { stateLock.withLock { currentVersion } }

    public var limits: JSONLimits {
        get { stateLock.withLock { currentLimits } }
        set { writeLock.withLock { stateLock.withLock { currentLimits = newValue } } }
    }

    public var contentLimits: ContentLimits {
        get { stateLock.withLock { currentContentLimits } }
        set { writeLock.withLock { stateLock.withLock { currentContentLimits = newValue } } }
    }

    /// The engine's byte estimate of the state and the kept history, counting at most `limit` for the
    /// state (a walk of the state, bounded by `limit`; the history's count is kept as it changes).
    public func estimatedBytes(upTo limit: Int = .max) -> Int {
        let (state, historyBytes) = stateLock.withLock { (current, history.bytes) }
        return state.estimatedBytes(upTo: limit) + historyBytes
    }

    public var historyLimits: HistoryLimits {
        get { stateLock.withLock { history.limits } }
        set { writeLock.withLock { stateLock.withLock { history.limits = newValue } } }
    }

    /// The value at `pointer` in the current state.
    public func get(_ pointer: JSONPointer) throws(AGError) -> JSONValue {
        try state.value(at: pointer)
    }

    // MARK: history

    /// The versions whose state can be rebuilt: from `oldest` to the current version.
    public var historyRange: (oldest: UInt64, newest: UInt64) {
        stateLock.withLock { (history.oldestVersion(current: currentVersion), currentVersion) }
    }

    /// The kept changes after `version`, oldest first.
    public func changes(since version: UInt64) throws(AGError) -> [Change] {
        let (changes, _, _) = try changesAndState(since: version)
        return changes
    }

    /// The state as it was at `version`, rebuilt by undoing the later changes.
    public func state(at version: UInt64) throws(AGError) -> JSONValue {
        let (changes, state, _) = try changesAndState(since: version)
        var value = state
        for change in changes.reversed() {
            do {
                try value.undo(change.inverse)
            } catch {
                throw AGError(.internal, "undoing version \(change.version) failed: \(error.message)")
            }
        }
        return value
    }

    /// One patch that takes the state of `version` to the current state: the operations of every later
    /// change, in order. Empty when `version` is current.
    public func delta(since version: UInt64) throws(AGError) -> [PatchOperation] {
        try changes(since: version).flatMap(\.operations)
    }

    private func changesAndState(since version: UInt64) throws(AGError) -> ([Change], JSONValue, JSONLimits) {
        try stateLock.withLock { () throws(AGError) -> ([Change], JSONValue, JSONLimits) in
            guard version <= currentVersion else {
                throw AGError(.invalidArgument, "version \(version) is newer than the current version \(currentVersion)")
            }
            guard let changes = history.changes(after: version, current: currentVersion) else {
                throw AGError(.notInHistory, "version \(version) is no longer in the history (the oldest kept is \(history.oldestVersion(current: currentVersion))); send a snapshot instead")
            }
            return (changes, current, currentLimits)
        }
    }

    // MARK: changing

    /// Applies `patch` atomically and commits it as one new version, which it returns. With
    /// `expectedVersion`, commits only when the current version is that one (compare-and-set), and fails
    /// with `conflict` otherwise.
    @discardableResult
    public func apply(_ patch: JSONPatch, options: PatchOptions = .strict, expectedVersion: UInt64? = nil) throws(AGError) -> UInt64 {
        try apply(patch, commit: CommitOptions(patch: options, expectedVersion: expectedVersion))
    }

    /// Applies `patch` atomically and commits it as one new version, as `options` say.
    @discardableResult
    public func apply(_ patch: JSONPatch, commit options: CommitOptions) throws(AGError) -> UInt64 {
        if let base = options.baseVersion { return try apply(patch, madeAgainst: base, options: options) }
        return try commit(urgent: options.patch.urgent, author: options.author, origin: options.origin) { (_: JSONValue, context: CommitContext) throws(AGError) in
            try options.check(context)
        } apply: { (state: inout JSONValue, limits: JSONLimits, _: Void) throws(AGError) in
            try patch.applyRecording(inPlace: &state, limits: limits, options: options.patch)
        }
    }

    /// Sets the value at `pointer`: replaces it when it exists, adds it otherwise (an object member, or
    /// an array element at `-` or at the array's length). The parent must exist.
    @discardableResult
    public func set(_ value: JSONValue, at pointer: JSONPointer, options: CommitOptions = .default) throws(AGError) -> UInt64 {
        try commit(urgent: options.patch.urgent, author: options.author, origin: options.origin) { (state: JSONValue, context: CommitContext) throws(AGError) -> PatchOperation in
            try options.check(context)
            return state.valueIfPresent(at: pointer) != nil ? .replace(path: pointer, value: value) : .add(path: pointer, value: value)
        } apply: { (state: inout JSONValue, limits: JSONLimits, op: PatchOperation) throws(AGError) in
            try JSONPatch([op]).applyRecording(inPlace: &state, limits: limits)
        }
    }

    /// RFC 6902 `add` at `pointer`.
    @discardableResult
    public func add(_ value: JSONValue, at pointer: JSONPointer, options: CommitOptions = .default) throws(AGError) -> UInt64 {
        try apply(JSONPatch([.add(path: pointer, value: value)]), commit: options)
    }

    /// RFC 6902 `remove` at `pointer`.
    @discardableResult
    public func remove(at pointer: JSONPointer, options: CommitOptions = .default) throws(AGError) -> UInt64 {
        try apply(JSONPatch([.remove(path: pointer)]), commit: options)
    }

    /// Applies an RFC 7386 merge patch and commits it as one new version, recorded as the equivalent
    /// RFC 6902 operations.
    @discardableResult
    public func merge(_ patch: JSONValue, options: CommitOptions = .default) throws(AGError) -> UInt64 {
        try commit(urgent: options.patch.urgent, author: options.author, origin: options.origin) { (state: JSONValue, context: CommitContext) throws(AGError) -> JSONPatch in
            try options.check(context)
            return JSONPatch(MergePatch.operations(patch, against: state))
        } apply: { (state: inout JSONValue, limits: JSONLimits, operations: JSONPatch) throws(AGError) in
            try operations.applyRecording(inPlace: &state, limits: limits)
        }
    }

    /// Makes `snapshot`'s state current again, as an ordinary change: a new version, recorded in history,
    /// told to subscribers.
    @discardableResult
    public func restore(_ snapshot: Snapshot, options: CommitOptions = .default) throws(AGError) -> UInt64 {
        try apply(JSONPatch([.replace(path: .root, value: snapshot.state)]), commit: options)
    }

    /// Commits a change in two steps, publishes its result as the next version, records it, and tells
    /// subscribers. Either step may throw; then nothing is committed (`change` must then leave the state
    /// as it was).
    ///
    /// `prepare` runs under the write lock only, so readers go on meanwhile: it reads the state and the
    /// history to check the change (a version, conflicts) and to work out what it will do. `change` then
    /// applies that under both locks, on the state itself: moved out of `current`, so that the containers
    /// no snapshot or reader holds are changed where they are instead of being copied along the changed
    /// paths (and the old copies freed). Readers wait for that step only, whose cost follows the size of
    /// the change, never that of the state.
    func commit<Prepared>(urgent: Bool = false, author: String? = nil, journaled: Bool = true, origin: CommitOrigin? = nil,
                          _ prepare: (JSONValue, CommitContext) throws(AGError) -> Prepared,
                          apply change: (inout JSONValue, JSONLimits, Prepared) throws(AGError) -> RecordedPatch) throws(AGError) -> UInt64 {
        guard let gate else { return try commitAdmitted(urgent: urgent, author: author, journaled: journaled, prepare, apply: change) }
        let started = try gate.admit(origin)
        do throws(AGError) {
            let version = try commitAdmitted(urgent: urgent, author: author, journaled: journaled, prepare, apply: change)
            gate.committed(started: started, version: version, error: nil)
            return version
        } catch {
            gate.committed(started: started, version: version, error: error)
            throw error
        }
    }

    private func commitAdmitted<Prepared>(urgent: Bool, author: String?, journaled: Bool,
                                          _ prepare: (JSONValue, CommitContext) throws(AGError) -> Prepared,
                                          apply change: (inout JSONValue, JSONLimits, Prepared) throws(AGError) -> RecordedPatch) throws(AGError) -> UInt64 {
        // The journal whose write failed: told after every lock is released (a shared journal catches up there).
        var failedJournal: StoreJournal?
        let version: UInt64
        let queued: Bool
        do {
        (version, queued) = try writeLock.withLock { () throws(AGError) -> (UInt64, Bool) in
            if closed { throw AGError(.closed, "the store is closed") }
            try notify.withLock { () throws(AGError) in
                guard let active = drainer, pthread_equal(active, currentThread()) != 0 else { return }
                guard commitsFromCallbacks < Store.maxCommitsFromCallbacks else {
                    throw AGError(.limitExceeded, "subscription callbacks committed \(Store.maxCommitsFromCallbacks) changes in one delivery run; refusing more")
                }
                commitsFromCallbacks += 1
            }
            let prepared: Prepared
            do {
                // The state and the history are held only in this scope: held later, they would make the
                // change copy the containers it changes, and the append copy the whole history. Writers
                // are serialised, so neither changes before the second step.
                let (state, context) = stateLock.withLock {
                    (current, CommitContext(version: currentVersion, limits: currentLimits, history: history))
                }
                prepared = try prepare(state, context)
            }
            // Changes pushed out of the history, freed at the end of this scope, with the state lock released.
            var evicted = History.Evicted()
            if let journal, journaled {
                return try commitDurably(journal, urgent: urgent, author: author, prepared: prepared, apply: change,
                                         evicting: &evicted, failed: &failedJournal)
            }
            let record = try stateLock.withLock { () throws(AGError) -> Change in
                var state = JSONValue.null
                swap(&state, &current)
                defer { swap(&state, &current) }
                let recorded = try change(&state, currentLimits, prepared)
                if !currentContentLimits.isUnbounded {
                    do throws(AGError) {
                        try currentContentLimits.check(recorded, in: state)
                    } catch {
                        do throws(AGError) { try state.undo(recorded.inverse) } catch let undoError {
                            throw AGError(.internal, "undoing a change that passed a limit failed: \(undoError.message)")
                        }
                        throw error
                    }
                }
                // Section locks: a change that writes where another owner holds a lease is taken back.
                do throws(AGError) {
                    try collaboration.checkLocks(recorded.touched, author: author)
                } catch {
                    do throws(AGError) { try state.undo(recorded.inverse) } catch let undoError {
                        throw AGError(.internal, "\(error.message); undoing the change failed too (\(undoError.message))")
                    }
                    throw error
                }
                let record = Change(version: currentVersion + 1, recorded: recorded,
                                    byteLimit: history.limits.maxBytes, urgent: urgent, author: author)
                currentVersion = record.version
                history.append(record, evicting: &evicted)
                return record
            }
            let queued = notify.withLock { () -> Bool in
                guard !subscriptions.isEmpty else { return false }
                pending.append(record)
                return true
            }
            return (record.version, queued)
        }
        } catch {
            failedJournal?.recordFailed(error, store: self)
            throw error
        }
        if queued { deliver(upTo: version) }
        return version
    }

    /// Refuses every later commit (with `closed`): a transaction or a batcher still holding the store can
    /// no longer write into a store its owner let go, where the write would be lost. Reads and snapshots
    /// go on working. Waits only for a commit in progress on another thread (never for a subscription
    /// callback, which runs with no lock held): safe from inside a callback. Harmless when repeated.
    public func close() {
        writeLock.withLock { stateLock.withLock { closed = true } }
    }

    public var isClosed: Bool { stateLock.withLock { closed } }

    /// Runs `body` with the write lock held, so that no commit runs meanwhile, and makes what it returns
    /// (nil: nothing) the state and version. For a durable copy that moved on without this store (changes
    /// made on a fallback storage, replayed to a primary that other processes wrote meanwhile): the new
    /// version may be lower than the current one, the history restarts at it (a patch based on an older
    /// version gets `notInHistory`), and subscribers are told of one replacement of the whole state.
    public func reconcile(_ body: (Snapshot) throws(AGError) -> (state: JSONValue, version: UInt64, author: String?)?) throws(AGError) {
        let replaced = try writeLock.withLock { () throws(AGError) -> (UInt64, Bool)? in
            if closed { throw AGError(.closed, "the store is closed") }
            let before = snapshot()
            guard let (state, version, author) = try body(before) else { return nil }
            var previous = before.state
            let limits = stateLock.withLock { currentLimits }
            let recorded = try JSONPatch([.replace(path: .root, value: state)]).applyRecording(inPlace: &previous, limits: limits)
            let record = Change(version: version, recorded: recorded, byteLimit: history.limits.maxBytes, author: author)
            // The old history is freed after the state lock is released.
            var old = History(limits: history.limits)
            stateLock.withLock {
                current = state
                currentVersion = version
                swap(&old, &history)
            }
            let queued = notify.withLock { () -> Bool in
                guard !subscriptions.isEmpty else { return false }
                pending.append(record)
                return true
            }
            return (version, queued)
        }
        if let (version, queued) = replaced, queued { deliver(upTo: version) }
    }

    /// The second step of a commit for a durable store: the change is applied to a copy of the state
    /// (which shares every container the change does not touch), written to the journal with no reader
    /// waiting, and published only once the journal has it. A failed write drops the copy: the state,
    /// the version and the history stay as they were. Called with the write lock held.
    private func commitDurably<Prepared>(_ journal: StoreJournal, urgent: Bool, author: String?, prepared: Prepared,
                                         apply change: (inout JSONValue, JSONLimits, Prepared) throws(AGError) -> RecordedPatch,
                                         evicting evicted: inout History.Evicted,
                                         failed: inout StoreJournal?) throws(AGError) -> (UInt64, Bool) {
        var (next, version, limits, historyLimits, content) = stateLock.withLock {
            (current, currentVersion, currentLimits, history.limits, currentContentLimits)
        }
        let recorded = try change(&next, limits, prepared)
        // `next` is a copy: a change that passes a limit or a lock is dropped with it, nothing to undo.
        if !content.isUnbounded { try content.check(recorded, in: next) }
        try collaboration.checkLocks(recorded.touched, author: author)
        let record = Change(version: version + 1, recorded: recorded, byteLimit: historyLimits.maxBytes, urgent: urgent,
                            author: author)
        do {
            try journal.record(record, state: next, history: historyLimits)
        } catch {
            failed = journal
            throw error
        }
        stateLock.withLock {
            current = next
            currentVersion = record.version
            history.append(record, evicting: &evicted)
        }
        version = record.version
        let queued = notify.withLock { () -> Bool in
            guard !subscriptions.isEmpty else { return false }
            pending.append(record)
            return true
        }
        return (version, queued)
    }

    // MARK: subscriptions

    /// Calls `callback` after every commit that touches `pointer`: a change of the location itself, of
    /// anything inside it, or of an ancestor (a subscriber to `/a/b` hears of a `replace` of `/a`). The
    /// callback gets the version and the operations concerned, returns false to report that it failed
    /// (counted in `failureCount`; the commit stands), and runs with no lock held: it may read the store
    /// and commit changes. Those changes are delivered after the callback returns, in commit order.
    ///
    /// Deliveries happen on the committing thread before its commit returns; while one thread delivers,
    /// another thread's commit waits until its own change has been delivered, so commit order is kept.
    public func subscribe(_ pointer: JSONPointer, _ callback: @escaping (ChangeNotice) -> Bool) -> Subscription {
        let subscription = Subscription(pointer: pointer, store: self, callback: callback)
        notify.withLock { subscriptions.append(subscription) }
        return subscription
    }

    func unsubscribe(_ subscription: Subscription) {
        notify.lock()
        defer { notify.unlock() }
        subscription.active = false
        subscriptions.removeAll { $0 === subscription }
        let onDeliveringThread = drainer.map { pthread_equal($0, currentThread()) != 0 } ?? false
        while subscription.inFlight > 0 && !onDeliveringThread { notify.wait() }
    }

    func notificationCount(of subscription: Subscription) -> UInt64 {
        notify.withLock { subscription.failures }
    }

    /// Delivers queued changes in commit order. One thread delivers at a time; the others wait until
    /// their change is delivered. A commit made by a callback (on the delivering thread) is queued and
    /// delivered by the loop below once the callback returns.
    private func deliver(upTo version: UInt64) {
        notify.lock()
        defer { notify.unlock() }
        if let active = drainer {
            if pthread_equal(active, currentThread()) != 0 { return }
            while deliveredVersion < version && drainer != nil { notify.wait() }
            if deliveredVersion >= version { return }
        }
        drainer = currentThread()
        commitsFromCallbacks = 0
        while let change = pending.popFirst() {
            for subscription in subscriptions {
                guard subscription.active, let notice = subscription.notice(for: change) else { continue }
                subscription.inFlight += 1
                notify.unlock()
                let ok = subscription.callback(notice)
                if !ok { gate?.subscriberFailed(version: change.version) }  // no lock held, as hooks want
                notify.lock()
                subscription.inFlight -= 1
                if !ok { subscription.failures += 1 }
                notify.broadcast()
            }
            deliveredVersion = change.version
            notify.broadcast()
        }
        drainer = nil
        notify.broadcast()
    }
}

/// What the first step of a commit sees (see `Store.commit`) besides the state: the version and limits the
/// change applies to, and the history.
struct CommitContext {
    let version: UInt64
    let limits: JSONLimits
    let history: History

    /// The kept changes after `version`, oldest first; nil when some are no longer kept.
    func changes(since version: UInt64) -> [Change]? {
        history.changes(after: version, current: self.version)
    }
}
