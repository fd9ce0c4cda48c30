import AGJSON

extension Store {
    /// The strategy for patches made against an older version when a commit names none (`rebase` unless
    /// set).
    public var defaultStrategy: ConflictStrategy {
        get { (try? collaboration.withState { $0.defaultStrategy }) ?? .rebase }
        set { try? collaboration.withState { $0.defaultStrategy = newValue } }
    }

    /// Applies `patch`, made against version `base`, to the current state as `options.strategy` (or the
    /// store's default) says, and commits the result as one version: what is recorded and told to
    /// subscribers is the patch as it was carried over the changes since `base`. Fails with
    /// `notInHistory` when those changes are no longer kept (the client resyncs), `conflict` where the
    /// strategy refuses. Every conflict met, and what became of it, goes to the conflict log.
    func apply(_ patch: JSONPatch, madeAgainst base: UInt64, options: CommitOptions) throws(AGError) -> UInt64 {
        let strategy = options.strategy ?? defaultStrategy
        var points: [ConflictPoint] = []
        var resolving = false
        do throws(AGError) {
            let version = try commit(urgent: options.patch.urgent, author: options.author, origin: options.origin) {
                (state: JSONValue, context: CommitContext) throws(AGError) -> JSONPatch in
                try options.check(context)
                guard base <= context.version else {
                    throw AGError(.invalidArgument, "base version \(base) is newer than the current version \(context.version)")
                }
                if base == context.version { return patch }
                guard let later = context.changes(since: base) else {
                    throw AGError(.notInHistory, "base version \(base) is no longer in the history (the oldest kept is \(context.history.oldestVersion(current: context.version))); resync from a snapshot")
                }
                var theirs: [Edit] = []
                theirs.reserveCapacity(later.count)
                for change in later {
                    Edit.resolve(change.operations, inverse: change.inverse, touched: change.touched,
                                 touchedEnds: change.touchedEnds, into: &theirs)
                }
                // The patch's edits: told from the current state when possible (rebuilding the base state
                // costs as much as undoing every change since, which for an insertion at the front of a
                // large array is a copy of the array); otherwise from the patch applied to its base.
                var mine: [Edit]
                if !options.patch.lenient, let quick = Edit.resolveAgainstCurrent(patch.operations, later: theirs, current: state) {
                    mine = quick
                } else {
                    let baseState = try Store.rebuild(state, undoing: later)
                    let recorded: RecordedPatch
                    do throws(AGError) {
                        recorded = try patch.applyRecording(to: baseState, limits: context.limits, options: options.patch).record
                    } catch {
                        throw AGError(error.code, "the patch does not apply to its base version \(base): \(error.message)",
                                      pointer: error.pointer, operationIndex: error.operationIndex)
                    }
                    mine = Edit.resolve(recorded.applied, inverse: recorded.inverse, touched: recorded.touched,
                                        touchedEnds: recorded.touchedEnds)
                }
                resolving = true
                if strategy == .reject {
                    var read: [JSONPointer] = mine.flatMap(\.touched)
                    for op in patch.operations {
                        switch op {
                        case .test(let path, _): read.append(path)
                        case .move(let from, _), .copy(let from, _): read.append(from)
                        default: break
                        }
                    }
                    if let clash = later.first(where: { $0.touches(any: read) }),
                       let place = clash.touched.first(where: { t in read.contains { $0.overlaps(t) } }) {
                        points.append(ConflictPoint(path: place, outcome: "refused"))
                        throw AGError(.conflict, "version \(clash.version) changed \"\(place)\", which the patch reads or writes (strategy reject)",
                                      pointer: place.description)
                    }
                    return patch
                }
                var rebase = Rebase(strategy: strategy, resolver: options.resolver,
                                    base: { try? Store.rebuild(state, undoing: later) }, current: state)
                defer { points = rebase.points }
                return JSONPatch(try rebase.carry(mine, over: theirs).map(\.operation))
            } apply: { (state: inout JSONValue, limits: JSONLimits, carried: JSONPatch) throws(AGError) in
                do throws(AGError) {
                    return try carried.applyRecording(inPlace: &state, limits: limits)
                } catch where resolving && Store.carriedFailures.contains(error.code) {
                    points.append(ConflictPoint(path: (try? JSONPointer(parsing: error.pointer ?? "")) ?? .root, outcome: "refused"))
                    throw AGError(.conflict, "the patch carried over the changes since version \(base) does not apply: \(error.message)",
                                  pointer: error.pointer, operationIndex: error.operationIndex)
                }
            }
            if !points.isEmpty { logConflict(options.author, base, version, strategy, points) }
            return version
        } catch {
            if resolving && error.code == .conflict { logConflict(options.author, base, nil, strategy, points) }
            throw error
        }
    }

    /// Failures of a carried patch that mean the changes since its base made it impossible: conflicts.
    static let carriedFailures: [AGErrorCode] = [.pathNotFound, .testFailed, .invalidPointer, .invalidPatch]

    private func logConflict(_ author: String?, _ base: UInt64, _ version: UInt64?, _ strategy: ConflictStrategy, _ points: [ConflictPoint]) {
        try? collaboration.withState { $0.log.append(author: author, base: base, result: version, strategy: strategy, points: points) }
    }

    /// The state before `changes` (the latest ones, oldest first) were applied to `state`.
    static func rebuild(_ state: JSONValue, undoing changes: [Change]) throws(AGError) -> JSONValue {
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

    // MARK: conflict log

    /// The kept conflict records after `sequence` (0 for all), oldest first.
    public func conflicts(after sequence: UInt64 = 0) -> [ConflictRecord] {
        (try? collaboration.withState { $0.log.records(after: sequence) }) ?? []
    }

    /// Records a conflict met while replaying changes made on a fallback storage to the primary: the
    /// changes were made against the primary's version `base`, the primary had moved on to
    /// `primaryVersion` (`theirs`: its changes since `base`), and `strategy` committed the replayed
    /// changes (`mine`) as `result` or refused them (nil), with `points` where they met.
    public func logReplayConflict(author: String?, base: UInt64, primaryVersion: UInt64, result: UInt64?,
                                  strategy: ConflictStrategy, points: [ConflictPoint], theirs: JSONValue, mine: JSONValue) {
        let record = ConflictRecord(sequence: 0, author: author, baseVersion: base, resultVersion: result, strategy: strategy,
                                    outcome: result == nil ? "refused" : "applied", points: points, kind: "replay",
                                    primaryVersion: primaryVersion, theirs: theirs, mine: mine)
        try? collaboration.withState { $0.log.append(replay: record) }
    }

    /// How many conflict records are kept (the oldest go first).
    public var conflictLogCapacity: Int {
        get { (try? collaboration.withState { $0.log.capacity }) ?? 0 }
        set { try? collaboration.withState { $0.log.capacity = max(0, newValue) } }
    }

    // MARK: section locks

    /// Takes (or, for its owner, renews) a lease on `path` for `ttl` milliseconds. Fails with `locked`,
    /// naming the owner, when another owner holds a lease at, inside or above `path`. While it holds,
    /// a commit by anyone else that writes at, inside or above `path` fails with `locked`; an insertion
    /// into or removal from the array holding a locked element counts as a write above it (it would
    /// shift the element out from under the lease).
    public func lock(_ path: JSONPointer, owner: String, ttl: UInt64) throws(AGError) {
        try collaboration.changeLocks { (locks: inout SectionLocks, now: UInt64, events: inout [LockEvent]) throws(AGError) in
            try locks.lock(path, owner: owner, ttl: ttl, now: now, into: &events)
        }
    }

    /// Extends the owner's lease on `path` to `ttl` milliseconds from now; `pathNotFound` when it holds
    /// none (it expired).
    public func renewLock(_ path: JSONPointer, owner: String, ttl: UInt64) throws(AGError) {
        try collaboration.changeLocks { (locks: inout SectionLocks, now: UInt64, events: inout [LockEvent]) throws(AGError) in
            try locks.renew(path, owner: owner, ttl: ttl, now: now, into: &events)
        }
    }

    /// Releases the owner's lease on `path`.
    public func unlock(_ path: JSONPointer, owner: String) throws(AGError) {
        try collaboration.changeLocks { (locks: inout SectionLocks, _: UInt64, events: inout [LockEvent]) throws(AGError) in
            try locks.unlock(path, owner: owner, into: &events)
        }
    }

    /// The leases in force now.
    public var locks: [SectionLock] { collaboration.currentLocks }

    /// Calls `callback` for every lease taken, renewed, released or expired (an expiry is noticed by the
    /// next lock call, `locks` or `expireSessions`), on the thread that made the call, with no lock held.
    public func subscribeLocks(_ callback: @escaping @Sendable (LockEvent) -> Void) throws(AGError) -> CollaborationSubscription {
        CollaborationSubscription(store: self, id: try collaboration.addLockListener(callback))
    }

    // MARK: presence

    /// Sets, or renews with a heartbeat, `client`'s presence for `ttl` milliseconds.
    public func setPresence(_ client: String, _ value: JSONValue, ttl: UInt64) throws(AGError) {
        try collaboration.changePresence { (table: inout PresenceTable, now: UInt64, events: inout [PresenceEvent]) throws(AGError) in
            try table.set(client, value, ttl: ttl, now: now, into: &events)
        }
    }

    /// Removes `client`'s presence (it left); false when it had none.
    @discardableResult
    public func leave(_ client: String) -> Bool {
        (try? collaboration.changePresence { (table: inout PresenceTable, _: UInt64, events: inout [PresenceEvent]) throws(AGError) in
            table.remove(client, into: &events)
        }) ?? false
    }

    /// Who is present now, by client id.
    public var presence: [PresenceEntry] {
        let entries = (try? collaboration.changePresence { (table: inout PresenceTable, _: UInt64, _: inout [PresenceEvent]) throws(AGError) in
            Array(table.entries.values)
        }) ?? []
        return entries.sorted { $0.client < $1.client }
    }

    /// Calls `callback` when a client joins, updates its value, leaves or expires (noticed by the next
    /// presence call or `expireSessions`), on the thread that made the call, with no lock held.
    public func subscribePresence(_ callback: @escaping @Sendable (PresenceEvent) -> Void) throws(AGError) -> CollaborationSubscription {
        CollaborationSubscription(store: self, id: try collaboration.addPresenceListener(callback))
    }

    /// Drops the leases and presence entries whose time is up, telling their subscribers.
    public func expireSessions() {
        _ = collaboration.currentLocks
        _ = presence
    }

    /// Sets the clock that leases and presence use (milliseconds, monotonic); for tests.
    public func setCollaborationClock(_ clock: @escaping @Sendable () -> UInt64) {
        try? collaboration.withState { $0.clock = clock }
    }
}

/// A lock or presence subscription; `cancel` ends it.
public final class CollaborationSubscription: @unchecked Sendable {
    private weak var store: Store?
    private let id: Int

    init(store: Store, id: Int) {
        self.store = store
        self.id = id
    }

    public func cancel() { store?.collaboration.removeListener(id) }
}

extension Store {
    /// The author of `version`, from the history (nil when it had none); `notInHistory` when the version is
    /// no longer kept, `invalidArgument` for version 0 or one not yet committed.
    public func author(of version: UInt64) throws(AGError) -> String? {
        guard version >= 1 else { throw AGError(.invalidArgument, "version 0 is the initial state: no change made it") }
        let changes = try changes(since: version - 1)
        guard let change = changes.first else { throw AGError(.invalidArgument, "version \(version) is not committed") }
        return change.author
    }

    /// The leases in force as `[{"path","owner","expires_in_ms"}]`.
    public var locksJSON: JSONValue {
        let now = collaboration.clock()
        return .array(JSONArray(locks.map { lock -> JSONValue in
            var o = JSONObject()
            o["path"] = .string(lock.path.description)
            o["owner"] = .string(lock.owner)
            o["expires_in_ms"] = .number(.from(lock.expiresAt > now ? lock.expiresAt - now : 0))
            return .object(o)
        }))
    }

    /// Who is present as `{client: value}`, clients in order.
    public var presenceJSON: JSONValue {
        var o = JSONObject()
        for entry in presence { o[entry.client] = entry.value }
        return .object(o)
    }
}

extension LockEvent {
    /// `{"kind","path","owner"}`
    public var json: JSONValue {
        var o = JSONObject()
        o["kind"] = .string(kind.rawValue)
        o["path"] = .string(path.description)
        o["owner"] = .string(owner)
        return .object(o)
    }
}

extension PresenceEvent {
    /// `{"kind","client","value"}`
    public var json: JSONValue {
        var o = JSONObject()
        o["kind"] = .string(kind.rawValue)
        o["client"] = .string(client)
        o["value"] = value ?? .null
        return .object(o)
    }
}
