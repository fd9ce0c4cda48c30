#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

/// The private PostgreSQL server of scripts/test.sh, shared by this process's tests: a test that stops it
/// holds the gate alone, the others share it.
enum PostgresServer {
    static let gate = ServerGate()
    static let url = getenv("AGSTATE_TEST_PG_URL").map { String(cString: $0) } ?? ""

    static func run(_ variable: String) {
        guard let command = getenv(variable) else { return }
        let status = system(command)
        precondition(status == 0, "\(variable) failed with \(status)")
    }
}

final class ServerGate: @unchecked Sendable {
    private var lock = pthread_rwlock_t()
    init() { pthread_rwlock_init(&lock, nil) }
    func share() { pthread_rwlock_rdlock(&lock) }
    func hold() { pthread_rwlock_wrlock(&lock) }
    func release() { pthread_rwlock_unlock(&lock) }
}

/// The hybrid storage against the real server, stopped and started again (skipped without it, outside CI).
@Suite(.serialized) struct HybridTests {
    let directory = temporaryDirectory()

    /// The hybrid URL over the test server: a breaker that opens at the first failure, probes every 100 ms.
    func url(_ file: String) -> String {
        let primary = PostgresServer.url + (PostgresServer.url.contains("?") ? "&" : "?")
            + "agstate_retries=0&agstate_breaker_failures=1&agstate_breaker_open_ms=100&agstate_connect_timeout_s=2"
        return "hybrid:\(primary)|sqlite:\(directory)/\(file)"
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func statistics(_ storage: Storage) throws -> JSONValue { try JSONParser.parse(Array(storage.statistics().utf8)) }

    func number(_ value: JSONValue, _ pointer: String) throws -> Int64 {
        guard case .number(let n) = try value.value(at: JSONPointer(parsing: pointer)), let i = n.int64Value else { return -1 }
        return i
    }

    func text(_ value: JSONValue, _ pointer: String) throws -> String {
        guard case .string(let s) = try value.value(at: JSONPointer(parsing: pointer)) else { return "" }
        return s
    }

    /// Waits (up to 20 s) until the storage has nothing pending.
    func waitForReplay(_ storage: Storage) throws {
        for _ in 0..<2000 {
            if try number(try statistics(storage), "/pending_replay") == 0 && text(try statistics(storage), "/active") == "primary" { return }
            usleep(10_000)
        }
        Issue.record("the pending changes were not replayed: \(storage.statistics())")
    }

    @Test func theURLNamesAPostgresPrimaryAndASQLiteFallback() throws {
        #expect(throws: AGError.self) { try HybridURL.split("hybrid:postgres://h/db") }
        #expect(throws: AGError.self) { try HybridURL.split("hybrid:sqlite:/a|sqlite:/b") }
        #expect(throws: AGError.self) { try HybridURL.split("hybrid:postgres://h/db|redis://x") }
        let (primary, fallback) = try HybridURL.split("hybrid:postgres://h/db?a=1|sqlite:/tmp/a|b.db")
        #expect(primary == "postgres://h/db?a=1" && fallback == "sqlite:/tmp/a|b.db")
    }

    @Test func aStoreOutlivesItsStorage() throws {
        guard !PostgresServer.url.isEmpty else { return }
        PostgresServer.gate.share()
        defer { PostgresServer.gate.release() }
        let id = "hybrid-\(UInt64.random(in: 0...UInt64.max))"
        var storage: Storage? = try Storage(url: url("outlive.db"))
        let store = try storage!.openStore(id, initial: json(#"{"n":1}"#))
        try store.set(.number(.int(2)), at: JSONPointer(parsing: "/n"))
        storage!.close()
        storage = nil
        #expect(throws: AGError.self) { try store.set(.number(.int(3)), at: JSONPointer(parsing: "/n")) }
        #expect(store.version == 1)
        let direct = try Storage(url: PostgresServer.url)
        defer { direct.close() }
        try direct.delete(id)
    }

    @Test func commitsGoToTheFallbackWhileThePrimaryIsDownAndAreReplayedWhenItReturns() throws {
        guard !PostgresServer.url.isEmpty else {
            #expect(getenv("CI") == nil, "no PostgreSQL in CI")
            return
        }
        PostgresServer.gate.hold()
        defer { PostgresServer.gate.release() }
        let id = "hybrid-\(UInt64.random(in: 0...UInt64.max))"
        var storage = try Storage(url: url("failover.db"))
        var store = try storage.openStore(id, initial: json(#"{"list":[]}"#))
        try store.set(.number(.int(1)), at: JSONPointer(parsing: "/n"))
        #expect(try text(statistics(storage), "/active") == "primary")

        PostgresServer.run("AGSTATE_TEST_PG_STOP")
        var serverUp = false
        defer { if !serverUp { PostgresServer.run("AGSTATE_TEST_PG_START") } }
        try store.set(.number(.int(2)), at: JSONPointer(parsing: "/n"))
        for i in 0..<3 { try store.add(.number(.int(Int64(i))), at: JSONPointer(parsing: "/list/-"), options: CommitOptions(author: "alice")) }
        #expect(store.version == 5)
        var stats = try statistics(storage)
        #expect(try text(stats, "/active") == "fallback")
        #expect(try number(stats, "/pending_replay") == 4)
        #expect(try number(stats, "/failovers") == 1)
        #expect(try text(stats, "/breaker") != "closed")

        // The fallback is durable: a new process (the primary still down) opens the store from it.
        let expected = store.state
        storage.close()
        storage = try Storage(url: url("failover.db"))
        store = try storage.openStore(id)
        #expect(store.version == 5 && store.state == expected)
        try store.set(.string("after restart"), at: JSONPointer(parsing: "/note"))
        #expect(try number(statistics(storage), "/pending_replay") == 5)

        PostgresServer.run("AGSTATE_TEST_PG_START")
        serverUp = true
        try waitForReplay(storage)
        stats = try statistics(storage)
        #expect(try number(stats, "/replayed_changes") == 5)
        #expect(try number(stats, "/replay_conflicts") == 0)
        #expect(try text(stats, "/breaker") == "closed")
        #expect(store.conflicts().isEmpty)

        // The primary has every change, with its author; the store is on it again.
        let direct = try Storage(url: PostgresServer.url)
        defer { direct.close() }
        let copy = try direct.openStore(id)
        #expect(copy.version == 6 && copy.state == store.state)
        #expect(try copy.author(of: 5) == "alice")
        try store.set(.number(.int(3)), at: JSONPointer(parsing: "/n"))
        for _ in 0..<500 where copy.version < 7 { usleep(10_000) }
        #expect(copy.version == 7 && copy.state == store.state)
        storage.close()
        try direct.delete(id)
    }

    @Test func aStoreOpenedOnTheFallbackTakesThePrimarysStateWhenItReturns() throws {
        guard !PostgresServer.url.isEmpty else { return }
        PostgresServer.gate.hold()
        defer { PostgresServer.gate.release() }
        let id = "hybrid-\(UInt64.random(in: 0...UInt64.max))"
        let direct = try Storage(url: PostgresServer.url)
        defer { direct.close() }
        let primaryCopy = try direct.openStore(id, initial: json(#"{"x":1}"#))
        try primaryCopy.set(.number(.int(2)), at: JSONPointer(parsing: "/x"))
        try primaryCopy.set(.number(.int(3)), at: JSONPointer(parsing: "/x"))
        PostgresServer.run("AGSTATE_TEST_PG_STOP")
        var serverUp = false
        defer { if !serverUp { PostgresServer.run("AGSTATE_TEST_PG_START") } }
        // The primary cannot be reached: the store is created on the fallback, from the initial state given.
        let storage = try Storage(url: url("opened-down.db"))
        defer { storage.close() }
        let store = try storage.openStore(id, initial: json(#"{"x":0}"#))
        let zero = try json(#"{"x":0}"#)
        #expect(store.version == 0 && store.state == zero)
        #expect(try text(statistics(storage), "/active") == "fallback")
        PostgresServer.run("AGSTATE_TEST_PG_START")
        serverUp = true
        try waitForReplay(storage)
        let three = try json(#"{"x":3}"#)
        #expect(store.version == 2 && store.state == three)
        #expect(try number(statistics(storage), "/replay_conflicts") == 0)
        try store.set(.number(.int(4)), at: JSONPointer(parsing: "/x"))
        for _ in 0..<500 where primaryCopy.version < 3 { usleep(10_000) }
        #expect(primaryCopy.state == store.state)
        try direct.delete(id)
    }

    @Test func aConflictOnReplayIsResolvedByRebaseAndLoggedWithBothSides() throws {
        guard !PostgresServer.url.isEmpty else { return }
        PostgresServer.gate.hold()
        defer { PostgresServer.gate.release() }
        let id = "hybrid-\(UInt64.random(in: 0...UInt64.max))"
        let storage = try Storage(url: url("conflict.db"))
        let store = try storage.openStore(id, initial: json(#"{"a":1}"#))
        try store.set(.number(.int(2)), at: JSONPointer(parsing: "/a"))                        // version 1
        PostgresServer.run("AGSTATE_TEST_PG_STOP")
        var serverUp = false
        defer { if !serverUp { PostgresServer.run("AGSTATE_TEST_PG_START") } }
        try store.set(.string("A"), at: JSONPointer(parsing: "/mine"), options: CommitOptions(author: "process-a"))  // fallback 2
        storage.close()

        // Meanwhile another process commits version 2 on the primary.
        PostgresServer.run("AGSTATE_TEST_PG_START")
        serverUp = true
        let other = try Storage(url: PostgresServer.url)
        defer { other.close() }
        let theirs = try other.openStore(id)
        try theirs.set(.string("B"), at: JSONPointer(parsing: "/theirs"), options: CommitOptions(author: "process-b"))
        #expect(theirs.version == 2)

        // Process A comes back: its change meets B's on replay; rebase keeps both, as version 3.
        let again = try Storage(url: url("conflict.db"))
        defer { again.close() }
        let mine = try again.openStore(id)
        #expect(mine.version == 3)
        let both = try json(#"{"a":2,"theirs":"B","mine":"A"}"#)
        #expect(mine.state == both)
        let stats = try statistics(again)
        #expect(try number(stats, "/replay_conflicts") == 1)
        #expect(try number(stats, "/pending_replay") == 0)
        let records = mine.conflicts()
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.kind == "replay" && record.outcome == "applied" && record.strategy == .rebase)
        #expect(record.baseVersion == 1 && record.primaryVersion == 2 && record.resultVersion == 3 && record.author == "process-a")
        let json = String(decoding: JSONSerializer.serialize(record.json), as: UTF8.self)
        #expect(json.contains(#""theirs":[{"op":"add","path":"/theirs","value":"B"}]"#))
        #expect(json.contains(#""mine":[{"version":2,"author":"process-a","patch":[{"op":"add","path":"/mine","value":"A"}]}]"#))
        for _ in 0..<500 where theirs.version < 3 { usleep(10_000) }
        #expect(theirs.version == 3 && theirs.state == mine.state)
        try other.delete(id)
    }

    @Test func aReplayTheStrategyRefusesIsLoggedAndTheStoreTakesThePrimarysState() throws {
        guard !PostgresServer.url.isEmpty else { return }
        PostgresServer.gate.hold()
        defer { PostgresServer.gate.release() }
        let id = "hybrid-\(UInt64.random(in: 0...UInt64.max))"
        let storage = try Storage(url: url("refused.db"))
        defer { storage.close() }
        try #require(storage.hybrid).stopReplayer()
        let store = try storage.openStore(id, initial: json(#"{"title":"draft"}"#))
        store.defaultStrategy = .reject
        var told: [UInt64] = []
        let subscription = store.subscribe(.root) { notice in told.append(notice.version); return true }
        defer { subscription.cancel() }
        PostgresServer.run("AGSTATE_TEST_PG_STOP")
        var serverUp = false
        defer { if !serverUp { PostgresServer.run("AGSTATE_TEST_PG_START") } }
        try store.set(.string("mine"), at: JSONPointer(parsing: "/title"))            // fallback 1
        PostgresServer.run("AGSTATE_TEST_PG_START")
        serverUp = true
        let other = try Storage(url: PostgresServer.url)
        defer { other.close() }
        let theirs = try other.openStore(id)
        try theirs.set(.string("theirs"), at: JSONPointer(parsing: "/title"))          // primary 1
        for _ in 0..<200 {
            try #require(storage.hybrid).replayAll()
            if try number(statistics(storage), "/pending_replay") == 0 { break }
            usleep(20_000)
        }
        #expect(store.version == 1 && store.state == theirs.state)
        #expect(told == [1, 1])
        let record = try #require(store.conflicts().first)
        #expect(record.kind == "replay" && record.outcome == "refused" && record.strategy == .reject && record.resultVersion == nil)
        #expect(record.points.map(\.path.description) == ["/title"])
        #expect(try number(statistics(storage), "/replay_conflicts") == 1)
        // Back on the primary: the next commit is version 2 there.
        try store.set(.string("final"), at: JSONPointer(parsing: "/title"))
        for _ in 0..<500 where theirs.version < 2 { usleep(10_000) }
        #expect(theirs.state == store.state)
        try other.delete(id)
    }
}
