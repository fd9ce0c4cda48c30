import AGCore
import AGJSON
import AGState

/// Carries a store's pending changes from the fallback to the primary, run inside `Store.reconcile` (no
/// commit of the store meanwhile).
///
/// The changes were made on the primary's version `synced`. Each is written to the primary as its own
/// version, in order, while the primary is still where the change was made; a version the primary
/// already holds with the same operations and author is taken as that change (written by an earlier
/// replay whose answer was lost). Once the primary holds a different version there, the rest meet
/// another writer's changes: the primary's changes since then (as one patch, from the two states) and
/// the rest (as one patch, made against that base) are resolved by the store's default strategy and
/// committed as one version, or refused; either way the conflict goes to the store's conflict log with
/// both sides, and the store takes the primary's state and version.
struct HybridReplay {
    let storage: HybridStorage
    let primary: PostgresStorage
    let id: String
    let limits: StoreLimits
    let store: Store

    struct Pending {
        let version: UInt64
        let patch: JSONPatch
        let author: String?
    }

    struct Outcome {
        /// The store's new journal on the primary.
        let journal: PostgresJournal
        /// What the store becomes (the caller leaves a store that already equals it as it is).
        let replacement: (state: JSONValue, version: UInt64, author: String?)
        let replayed: UInt64
        let conflict: Bool
    }

    /// How many times a resolved change is tried when other processes keep committing first.
    static let maxAttempts = 5

    func run(current: Snapshot) throws(AGError) -> Outcome {
        let (synced, startState, pending) = try readPending()
        guard (pending.last?.version ?? synced) == current.version else {
            throw AGError(.corruptData, "store \"\(id)\": the fallback holds changes to version \(pending.last?.version ?? synced), the store is at \(current.version)")
        }
        var attempt = 0
        while true {
            attempt += 1
            // Creates the store on the primary (as it was when the changes began) when it has none.
            let target = try primary.load(id, initial: startState, limits: limits)
            target.attach(journal: PostgresJournal(id: id, storage: primary))
            var base = synced
            var baseState = startState
            var rest = pending[...]
            var replayed: UInt64 = 0
            while let next = rest.first {
                var written = false
                if target.version == base {
                    do throws(AGError) {
                        _ = try target.apply(next.patch, commit: CommitOptions(expectedVersion: base, author: next.author))
                        written = true
                    } catch where error.code == .conflict {
                        // Another process wrote this version first; the target has caught up.
                    }
                }
                guard written || holdsAlready(next, target: target, after: base) else { break }
                try next.patch.apply(inPlace: &baseState, limits: limits.json)
                base = next.version
                rest.removeFirst()
                replayed += 1
            }
            if rest.isEmpty {
                try storage.finishReplay(id)
                // Every change made here is on the primary. The store takes the primary's state when it
                // differs: others committed after those changes, or the store was opened on the fallback
                // (created there) and has not changed since.
                return Outcome(journal: PostgresJournal(id: id, storage: primary), replacement: (target.state, target.version, nil),
                               replayed: replayed, conflict: false)
            }
            let strategy = store.defaultStrategy
            let theirs = try JSONDiff.diff(baseState, target.state)
            let authors = Set(rest.map(\.author))
            let author = authors.count == 1 ? rest.first!.author : nil
            let mine = JSONValue.array(JSONArray(rest.map { change -> JSONValue in
                var o = JSONObject()
                o["version"] = .number(.from(change.version))
                o["author"] = change.author.map { .string($0) } ?? .null
                o["patch"] = change.patch.json
                return .object(o)
            }))
            let (carried, points) = resolve(rest, over: theirs, base: baseState, strategy: strategy, author: author)
            let primaryVersion = target.version
            guard let carried else {
                store.logReplayConflict(author: author, base: base, primaryVersion: primaryVersion, result: nil, strategy: strategy,
                                        points: points, theirs: JSONPatch(theirs).json, mine: mine)
                try storage.finishReplay(id)
                return Outcome(journal: PostgresJournal(id: id, storage: primary),
                               replacement: (target.state, target.version, nil), replayed: replayed, conflict: true)
            }
            let version: UInt64
            do throws(AGError) {
                version = try target.apply(carried, commit: CommitOptions(expectedVersion: primaryVersion, author: author))
            } catch where error.code == .conflict && attempt < HybridReplay.maxAttempts {
                continue
            }
            store.logReplayConflict(author: author, base: base, primaryVersion: primaryVersion, result: version, strategy: strategy,
                                    points: points, theirs: JSONPatch(theirs).json, mine: mine)
            try storage.finishReplay(id)
            return Outcome(journal: PostgresJournal(id: id, storage: primary),
                           replacement: (target.state, version, author), replayed: replayed, conflict: true)
        }
    }

    /// The fallback's base version and state, and the changes after it.
    private func readPending() throws(AGError) -> (UInt64, JSONValue, [Pending]) {
        let fallback = storage.fallback
        let loader = StoreLoader(storage: fallback, id: id, limits: limits)
        let id = self.id
        return try fallback.database.transaction(writing: false) { (connection) throws(AGError) -> (UInt64, JSONValue, [Pending]) in
            guard let synced = try PendingRows.synced(connection, store: id) else {
                throw AGError(.internal, "store \"\(id)\" has no pending changes in the fallback")
            }
            let row = try StoreRows.checkpoint(connection, store: id, version: synced)
            let state = try RowCodec.parse(try fallback.codec.decode(row, store: id, version: synced, kind: RowFormat.checkpoint),
                                           "the fallback's checkpoint of store \"\(id)\" at version \(synced)")
            var pending: [Pending] = []
            var expected = synced + 1
            try StoreRows.changes(connection, store: id, after: synced) { (version, data) throws(AGError) in
                guard version == expected else {
                    throw AGError(.corruptData, "store \"\(id)\" is missing pending changes in the fallback: version \(version) follows \(expected - 1)")
                }
                let (patch, author) = try loader.decodePatch(version, data)
                pending.append(Pending(version: version, patch: patch, author: author))
                expected += 1
            }
            return (synced, state, pending)
        }
    }

    /// True when the primary's version after `base` is `change` itself.
    private func holdsAlready(_ change: Pending, target: Store, after base: UInt64) -> Bool {
        guard target.version > base, let held = try? target.changes(since: base).first, held.version == base + 1 else { return false }
        return held.author == change.author && JSONPatch(held.operations).json == change.patch.json
    }

    /// The rest carried over the primary's changes by `strategy` (nil: refused), and the conflict points.
    private func resolve(_ rest: ArraySlice<Pending>, over theirs: [PatchOperation], base: JSONValue,
                         strategy: ConflictStrategy, author: String?) -> (JSONPatch?, [ConflictPoint]) {
        var scratchLimits = limits
        scratchLimits.history = HistoryLimits(maxVersions: 2, maxBytes: Int.max)
        scratchLimits.content = .unbounded
        do throws(AGError) {
            let scratch = try Store(restoring: base, version: 0, limits: scratchLimits)
            try scratch.applyStored(JSONPatch(theirs), version: 1)
            let combined = JSONPatch(rest.flatMap { $0.patch.operations })
            do throws(AGError) {
                _ = try scratch.apply(combined, commit: CommitOptions(baseVersion: 0, strategy: strategy, author: author))
            } catch {
                let points = scratch.conflicts().flatMap(\.points)
                return (nil, points.isEmpty ? [ConflictPoint(path: .root, outcome: "refused")] : points)
            }
            guard let carried = try scratch.changes(since: 1).first else { return (nil, []) }
            return (JSONPatch(carried.operations), scratch.conflicts().flatMap(\.points))
        } catch {
            return (nil, [ConflictPoint(path: .root, outcome: "refused")])
        }
    }
}
