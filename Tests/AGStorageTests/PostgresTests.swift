#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

@Suite struct CircuitBreakerTests {
    @Test func opensAfterThresholdFailsFastThenProbesAndCloses() throws {
        let breaker = CircuitBreaker(threshold: 2, openMilliseconds: 50)
        try breaker.admit()
        breaker.failed()
        try breaker.admit()
        breaker.failed()
        #expect(breaker.state == .open)
        #expect(throws: AGError.self) { try breaker.admit() }
        usleep(60_000)
        try breaker.admit()                              // the one probe
        #expect(breaker.state == .halfOpen)
        #expect(throws: AGError.self) { try breaker.admit() }   // no second probe meanwhile
        breaker.failed()                                 // the probe failed: open again
        #expect(breaker.state == .open)
        usleep(60_000)
        try breaker.admit()
        breaker.succeeded()
        #expect(breaker.state == .closed)
        #expect(breaker.statistics().contains(#""opened":2"#))
    }
}

@Suite struct PostgresSettingsTests {
    @Test func agstateParametersAreTakenOutOfTheURL() throws {
        let (url, settings) = try PGSettings.parse("postgres://h/db?sslmode=disable&agstate_pool_size=7&agstate_breaker_failures=3")
        #expect(url == "postgres://h/db?sslmode=disable")
        #expect(settings.poolSize == 7 && settings.breakerFailures == 3)
        let (plain, _) = try PGSettings.parse("postgres://h/db?agstate_retries=0")
        #expect(plain == "postgres://h/db")
        #expect(throws: AGError.self) { try PGSettings.parse("postgres://h/db?agstate_pool_size=0") }
        #expect(throws: AGError.self) { try PGSettings.parse("postgres://h/db?agstate_retries=x") }
    }

    @Test func anUnreachableServerIsUnavailable() {
        do {
            _ = try Storage(url: "postgres://127.0.0.1:1/none?agstate_retries=0")
            Issue.record("opened")
        } catch {
            #expect(error.code == .unavailable)
        }
    }
}

/// Against the server scripts/test.sh starts (skipped without it, outside CI).
@Suite struct PostgresStorageTests {
    static let url = getenv("AGSTATE_TEST_PG_URL").map { String(cString: $0) } ?? ""

    @Test func storedChangesReachTheOtherStorageAndALostRaceCatchesUp() throws {
        guard !Self.url.isEmpty else {
            #expect(getenv("CI") == nil, "no PostgreSQL in CI")
            return
        }
        PostgresServer.gate.share()
        defer { PostgresServer.gate.release() }
        let id = "swift-\(UInt64.random(in: 0...UInt64.max))"
        let first = try Storage(url: Self.url)
        let second = try Storage(url: Self.url)
        defer { first.close(); second.close() }
        let a = try first.openStore(id, initial: .object(JSONObject()))
        let b = try second.openStore(id)
        try a.set(.number(.int(1)), at: JSONPointer(parsing: "/n"))
        // b may not have heard of version 1 yet: its commit of version 1 then loses, and b has caught up.
        let raced = Result { () throws(AGError) -> UInt64 in try b.set(.number(.int(2)), at: JSONPointer(parsing: "/m")) }
        if case .failure(let error) = raced {
            #expect(error.code == .conflict)
            #expect(b.version == 1)
            try b.set(.number(.int(2)), at: JSONPointer(parsing: "/m"))
        }
        var waited = 0
        while (a.version < 2 || b.version < 2) && waited < 5000 { usleep(1000); waited += 1 }
        #expect(a.version == b.version)
        #expect(a.state == b.state)
        try first.delete(id)
    }
}
