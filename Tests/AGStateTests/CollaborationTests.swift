import Testing
import AGJSON
@testable import AGState

private func parse(_ text: String) -> JSONValue { try! JSONParser.parse(text) }
private func patch(_ text: String) -> JSONPatch { try! JSONPatch(parsing: parse(text)) }
private func ptr(_ text: String) -> JSONPointer { try! JSONPointer(parsing: text) }

/// Two clients start from version 0 of `base`; A's patch commits first, then B's (made against version 0)
/// with `strategy`. Returns the state, or the error B got.
private func race(_ base: String, _ a: String, _ b: String, _ strategy: ConflictStrategy,
                  resolver: ConflictResolver? = nil) -> Result<JSONValue, AGError> {
    let store = try! Store(parse(base))
    try! store.apply(patch(a), commit: CommitOptions(author: "A"))
    do throws(AGError) {
        try store.apply(patch(b), commit: CommitOptions(baseVersion: 0, strategy: strategy, author: "B", resolver: resolver))
        return .success(store.state)
    } catch {
        #expect(store.version == 1, "a refused patch committed nothing")
        return .failure(error)
    }
}

/// The five concurrent-edit cases of the README's table: A commits first, B's patch was made against the
/// same base.
enum Case: CaseIterable {
    case sameIndexInsertions, sameLeaf, removedThenEdited, editedThenRemoved, editInsideMoved
    static let base = #"{"title":"T","items":["a","b","c"],"meta":{"owner":"x"}}"#
    var a: String {
        switch self {
        case .sameIndexInsertions: return #"[{"op":"add","path":"/items/1","value":"A"}]"#
        case .sameLeaf: return #"[{"op":"replace","path":"/title","value":"A"}]"#
        case .removedThenEdited: return #"[{"op":"remove","path":"/items/1"}]"#
        case .editedThenRemoved: return #"[{"op":"replace","path":"/items/1","value":"A"}]"#
        case .editInsideMoved: return #"[{"op":"move","from":"/meta","path":"/info"}]"#
        }
    }
    var b: String {
        switch self {
        case .sameIndexInsertions: return #"[{"op":"add","path":"/items/1","value":"B"}]"#
        case .sameLeaf: return #"[{"op":"replace","path":"/title","value":"B"}]"#
        case .removedThenEdited: return #"[{"op":"replace","path":"/items/1","value":"B"}]"#
        case .editedThenRemoved: return #"[{"op":"remove","path":"/items/1"}]"#
        case .editInsideMoved: return #"[{"op":"replace","path":"/meta/owner","value":"B"}]"#
        }
    }
}

@Suite struct CollaborationStrategyTests {
    /// The README's table: the same five cases under every strategy but custom ("conflict" = AGS_ERR_CONFLICT).
    static let table: [ConflictStrategy: [Case: String]] = [
        .reject: [.sameIndexInsertions: "conflict", .sameLeaf: "conflict", .removedThenEdited: "conflict",
                  .editedThenRemoved: "conflict", .editInsideMoved: "conflict"],
        .rebase: [.sameIndexInsertions: #"["a","A","B","b","c"]"#, .sameLeaf: #""B""#, .removedThenEdited: "conflict",
                  .editedThenRemoved: #"["a","c"]"#, .editInsideMoved: #"{"owner":"B"}"#],
        .lastWriteWins: [.sameIndexInsertions: #"["a","A","B","b","c"]"#, .sameLeaf: #""B""#, .removedThenEdited: #"["a","B","c"]"#,
                         .editedThenRemoved: #"["a","c"]"#, .editInsideMoved: #"{"owner":"B"}"#],
        .firstWriteWins: [.sameIndexInsertions: #"["a","A","B","b","c"]"#, .sameLeaf: #""A""#, .removedThenEdited: #"["a","c"]"#,
                          .editedThenRemoved: #"["a","A","c"]"#, .editInsideMoved: #"{"owner":"B"}"#],
        .merge: [.sameIndexInsertions: #"["a","A","B","b","c"]"#, .sameLeaf: "conflict", .removedThenEdited: "conflict",
                 .editedThenRemoved: "conflict", .editInsideMoved: #"{"owner":"B"}"#],
    ]

    /// Where each case's outcome shows.
    static func location(_ c: Case) -> JSONPointer {
        switch c {
        case .sameIndexInsertions, .removedThenEdited, .editedThenRemoved: return ptr("/items")
        case .sameLeaf: return ptr("/title")
        case .editInsideMoved: return ptr("/info")
        }
    }

    @Test(arguments: [ConflictStrategy.reject, .rebase, .lastWriteWins, .firstWriteWins, .merge])
    func fiveCasesAsTheTableSays(strategy: ConflictStrategy) throws {
        for c in Case.allCases {
            let expected = Self.table[strategy]![c]!
            switch race(Case.base, c.a, c.b, strategy) {
            case .success(let state):
                #expect(expected != "conflict", "\(strategy.name) \(c): expected a conflict")
                if expected != "conflict" { #expect(try state.value(at: Self.location(c)) == parse(expected), "\(strategy.name) \(c)") }
            case .failure(let error):
                #expect(expected == "conflict", "\(strategy.name) \(c): \(error.message)")
                #expect(error.code == .conflict)
            }
        }
    }

    @Test func customResolverDecidesEachConflict() throws {
        // Keeps the longer of the current and proposed strings, refuses anything else.
        let resolver: ConflictResolver = { c in
            guard case .string(let current)? = c.current, case .string(let proposed)? = c.proposed else { return .refuse }
            return .keep(.string(current.count >= proposed.count ? current : proposed + "!"))
        }
        let state = try race(#"{"title":"T"}"#, #"[{"op":"replace","path":"/title","value":"AA"}]"#,
                             #"[{"op":"replace","path":"/title","value":"B"}]"#, .custom, resolver: resolver).get()
        #expect(state == parse(#"{"title":"AA"}"#))
        let other = try race(#"{"title":"T"}"#, #"[{"op":"replace","path":"/title","value":"A"}]"#,
                             #"[{"op":"replace","path":"/title","value":"BBB"}]"#, .custom, resolver: resolver).get()
        #expect(other == parse(#"{"title":"BBB!"}"#))
        // Removed by A, edited by B: current is nil, so this resolver refuses.
        guard case .failure(let error) = race(Case.base, Case.removedThenEdited.a, Case.removedThenEdited.b, .custom, resolver: resolver) else {
            Issue.record("expected a refusal"); return
        }
        #expect(error.code == .conflict)
        // A resolver that keeps the proposed value puts the removed element back edited.
        let keep: ConflictResolver = { c in c.proposed.map { .keep($0) } ?? .remove }
        #expect(try race(Case.base, Case.removedThenEdited.a, Case.removedThenEdited.b, .custom, resolver: keep).get()
                .value(at: ptr("/items")) == parse(#"["a","B","c"]"#))
        // Without a resolver, custom refuses.
        guard case .failure = race(Case.base, Case.sameLeaf.a, Case.sameLeaf.b, .custom) else { Issue.record("no resolver"); return }
    }

    @Test func rebasedPatchIsWhatSubscribersSeeWithItsAuthor() throws {
        let store = try Store(parse(#"{"items":["a","b","c"]}"#))
        var seen: [(PatchOperation, String?)] = []
        let sub = store.subscribe(.root) { notice in
            for op in notice.operations { seen.append((op, notice.author)) }
            return true
        }
        defer { sub.cancel() }
        try store.apply(patch(#"[{"op":"add","path":"/items/0","value":"z"}]"#), commit: CommitOptions(author: "alice"))
        try store.apply(patch(#"[{"op":"replace","path":"/items/2","value":"C"}]"#),
                        commit: CommitOptions(baseVersion: 0, strategy: .rebase, author: "bob"))
        #expect(store.state == parse(#"{"items":["z","a","b","C"]}"#))
        #expect(seen.count == 2)
        #expect(seen[1].0 == .replace(path: ptr("/items/3"), value: .string("C")))
        #expect(seen[0].1 == "alice" && seen[1].1 == "bob")
        #expect(try store.changes(since: 0).map(\.author) == ["alice", "bob"])
        #expect(try store.changes(since: 1)[0].json.objectValue?["author"] == .string("bob"))
    }

    @Test func pathsFollowMovesAndDashResolves() throws {
        let store = try Store(parse(#"{"a":{"list":[1,2]},"b":{}}"#))
        try store.apply(patch(#"[{"op":"move","from":"/a","path":"/b/moved"},{"op":"add","path":"/b/moved/list/0","value":0}]"#))
        try store.apply(patch(#"[{"op":"add","path":"/a/list/-","value":3},{"op":"replace","path":"/a/list/1","value":20}]"#),
                        commit: CommitOptions(baseVersion: 0, strategy: .rebase))
        #expect(store.state == parse(#"{"b":{"moved":{"list":[0,1,20,3]}}}"#))
    }

    @Test func baseOutOfHistoryIsNotInHistory() throws {
        let store = try Store(parse(#"{"n":0}"#), history: HistoryLimits(maxVersions: 2))
        for i in 1...5 { try store.set(.int(Int64(i)), at: ptr("/n")) }
        #expect(throws: AGError.self) {
            try store.apply(patch(#"[{"op":"replace","path":"/n","value":9}]"#), commit: CommitOptions(baseVersion: 1))
        }
        do { try store.apply(patch(#"[{"op":"replace","path":"/n","value":9}]"#), commit: CommitOptions(baseVersion: 1)) }
        catch { #expect(error.code == .notInHistory) }
        do { try store.apply(patch(#"[{"op":"replace","path":"/n","value":9}]"#), commit: CommitOptions(baseVersion: 99)) }
        catch { #expect(error.code == .invalidArgument) }
        #expect(store.version == 5)
    }

    @Test func storeDefaultStrategyApplies() throws {
        let store = try Store(parse(Case.base))
        store.defaultStrategy = .firstWriteWins
        try store.apply(patch(Case.sameLeaf.a))
        try store.apply(patch(Case.sameLeaf.b), commit: CommitOptions(baseVersion: 0))
        #expect(try store.get(ptr("/title")) == .string("A"))
        // A per-call strategy overrides it.
        try store.apply(patch(#"[{"op":"replace","path":"/title","value":"C"}]"#), commit: CommitOptions(baseVersion: 0, strategy: .lastWriteWins))
        #expect(try store.get(ptr("/title")) == .string("C"))
    }

    @Test func conflictLogRecordsConflictsBounded() throws {
        let store = try Store(parse(Case.base))
        store.conflictLogCapacity = 2
        try store.apply(patch(Case.sameLeaf.a), commit: CommitOptions(author: "A"))
        try store.apply(patch(Case.sameLeaf.b), commit: CommitOptions(baseVersion: 0, strategy: .firstWriteWins, author: "B"))
        #expect(throws: AGError.self) {
            try store.apply(patch(Case.sameLeaf.b), commit: CommitOptions(baseVersion: 0, strategy: .merge, author: "C"))
        }
        var log = store.conflicts()
        #expect(log.count == 2)
        #expect(log[0].author == "B" && log[0].baseVersion == 0 && log[0].resultVersion == 2 && log[0].strategy == .firstWriteWins)
        #expect(log[0].outcome == "applied" && log[0].points == [ConflictPoint(path: ptr("/title"), outcome: "dropped")])
        #expect(log[1].author == "C" && log[1].resultVersion == nil && log[1].outcome == "refused")
        try store.apply(patch(Case.sameLeaf.b), commit: CommitOptions(baseVersion: 0, strategy: .rebase, author: "D"))
        log = store.conflicts()
        #expect(log.map(\.author) == ["C", "D"])
        #expect(store.conflicts(after: log[0].sequence).map(\.author) == ["D"])
        #expect(log[1].json.objectValue?["strategy"] == .string("rebase"))
    }
}

@Suite struct SectionLockTests {
    final class Clock: @unchecked Sendable { var now: UInt64 = 1000 }

    @Test func locksKeepOthersOutAtInsideAndAbove() throws {
        let store = try Store(parse(#"{"doc":{"intro":"i","body":{"p":1}},"other":0}"#))
        let clock = Clock()
        store.setCollaborationClock { clock.now }
        try store.lock(ptr("/doc/body"), owner: "alice", ttl: 1000)
        for place in ["/doc/body", "/doc/body/p", "/doc"] {
            do {
                try store.set(.int(5), at: ptr(place), options: CommitOptions(author: "bob"))
                Issue.record("bob wrote \(place)")
            } catch {
                #expect(error.code == .locked)
                #expect(error.message.contains("alice"))
            }
        }
        #expect(store.version == 0)
        try store.set(.int(1), at: ptr("/other"), options: CommitOptions(author: "bob"))
        try store.set(.string("I"), at: ptr("/doc/intro"), options: CommitOptions(author: "bob"))
        try store.set(.int(2), at: ptr("/doc/body/p"), options: CommitOptions(author: "alice"))
        // Without an author a write is nobody's: locked out too.
        #expect(throws: AGError.self) { try store.set(.int(3), at: ptr("/doc/body/p")) }
        // Another owner cannot lock over it, nor unlock it.
        #expect(throws: AGError.self) { try store.lock(ptr("/doc"), owner: "bob", ttl: 1000) }
        #expect(throws: AGError.self) { try store.unlock(ptr("/doc/body"), owner: "bob") }
        // Expiry.
        clock.now += 999
        try store.renewLock(ptr("/doc/body"), owner: "alice", ttl: 500)
        clock.now += 500
        #expect(store.locks.isEmpty)
        #expect(throws: AGError.self) { try store.renewLock(ptr("/doc/body"), owner: "alice", ttl: 500) }
        try store.set(.int(4), at: ptr("/doc/body/p"), options: CommitOptions(author: "bob"))
        try store.lock(ptr("/doc/body"), owner: "bob", ttl: 100)
        try store.unlock(ptr("/doc/body"), owner: "bob")
        #expect(store.locks.isEmpty)
        #expect(throws: AGError.self) { try store.lock(ptr("/x"), owner: "bob", ttl: 0) }
    }

    @Test func lockChangesReachSubscribers() throws {
        let store = try Store()
        let clock = Clock()
        store.setCollaborationClock { clock.now }
        final class Box: @unchecked Sendable { var events: [LockEvent] = [] }
        let box = Box()
        let sub = try store.subscribeLocks { box.events.append($0) }
        try store.lock(ptr("/a"), owner: "alice", ttl: 10)
        try store.lock(ptr("/a"), owner: "alice", ttl: 10)
        try store.unlock(ptr("/a"), owner: "alice")
        try store.lock(ptr("/b"), owner: "bob", ttl: 10)
        clock.now += 10
        store.expireSessions()
        sub.cancel()
        try store.lock(ptr("/c"), owner: "bob", ttl: 10)
        #expect(box.events.map(\.kind) == [.locked, .renewed, .unlocked, .locked, .expired])
        #expect(box.events.last == LockEvent(kind: .expired, path: ptr("/b"), owner: "bob"))
    }

    @Test func aWatchMayEndItselfAndCallTheStore() throws {
        let store = try Store()
        final class Box: @unchecked Sendable { var sub: CollaborationSubscription?; var calls = 0; var seen: [SectionLock] = [] }
        let box = Box()
        box.sub = try store.subscribeLocks { _ in
            box.calls += 1
            box.seen = store.locks
            box.sub?.cancel()
        }
        try store.lock(ptr("/a"), owner: "x", ttl: 100)
        try store.lock(ptr("/b"), owner: "x", ttl: 100)
        #expect(box.calls == 1)
        #expect(box.seen.map(\.path) == [ptr("/a")])
    }

    @Test func lockedRebaseLeavesStateAndLogsNothingCommitted() throws {
        let store = try Store(parse(#"{"s":{"t":1}}"#))
        try store.lock(ptr("/s"), owner: "alice", ttl: 60_000)
        do {
            try store.apply(patch(#"[{"op":"replace","path":"/s/t","value":2}]"#), commit: CommitOptions(baseVersion: 0, author: "bob"))
            Issue.record("bob wrote a locked section")
        } catch { #expect(error.code == .locked) }
        #expect(store.state == parse(#"{"s":{"t":1}}"#) && store.version == 0)
    }
}

@Suite struct PresenceTests {
    @Test func presenceJoinsUpdatesExpiresAndIsNotVersioned() throws {
        let store = try Store()
        final class Clock: @unchecked Sendable { var now: UInt64 = 0 }
        let clock = Clock()
        store.setCollaborationClock { clock.now }
        final class Box: @unchecked Sendable { var events: [PresenceEvent] = [] }
        let box = Box()
        let sub = try store.subscribePresence { box.events.append($0) }
        defer { sub.cancel() }
        try store.setPresence("alice", parse(#"{"name":"Alice","cursor":3}"#), ttl: 100)
        try store.setPresence("bob", parse(#"{"name":"Bob"}"#), ttl: 100)
        clock.now = 80
        try store.setPresence("alice", parse(#"{"name":"Alice","cursor":4}"#), ttl: 100) // heartbeat
        #expect(store.presence.map(\.client) == ["alice", "bob"])
        clock.now = 120
        #expect(store.presence.map(\.client) == ["alice"])
        #expect(store.leave("alice"))
        #expect(!store.leave("alice"))
        #expect(store.presence.isEmpty)
        #expect(store.version == 0)
        #expect(box.events.map(\.kind) == [.joined, .joined, .updated, .expired, .left])
        #expect(throws: AGError.self) { try store.setPresence("big", .string(String(repeating: "x", count: 10_000)), ttl: 10) }
    }
}
