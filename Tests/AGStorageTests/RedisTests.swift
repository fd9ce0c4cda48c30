#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

@Suite struct RedisURLTests {
    @Test func tcpURLs() throws {
        #expect(try RedisEndpoint(parsing: "redis://") == RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379)))
        #expect(try RedisEndpoint(parsing: "redis://cache.local:7000/3") == RedisEndpoint(address: .tcp(host: "cache.local", port: 7000), db: 3))
        #expect(try RedisEndpoint(parsing: "redis://:7001") == RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 7001)))
        #expect(try RedisEndpoint(parsing: "redis://[::1]:7002/1") == RedisEndpoint(address: .tcp(host: "::1", port: 7002), db: 1))
        #expect(try RedisEndpoint(parsing: "redis://app:s%40cret@h/2")
                == RedisEndpoint(address: .tcp(host: "h", port: 6379), db: 2, user: "app", password: "s@cret"))
        #expect(try RedisEndpoint(parsing: "redis://:pw@h").password == "pw")
        #expect(try RedisEndpoint(parsing: "redis://:pw@h").user == nil)
    }

    @Test func socketURLs() throws {
        #expect(try RedisEndpoint(parsing: "redis+unix:///run/redis.sock") == RedisEndpoint(address: .unix(path: "/run/redis.sock")))
        #expect(try RedisEndpoint(parsing: "redis+unix:///run/redis.sock?db=5") == RedisEndpoint(address: .unix(path: "/run/redis.sock"), db: 5))
        #expect(try RedisEndpoint(parsing: "redis+unix://:pw@/run/r.sock").password == "pw")
    }

    @Test func badURLsAreInvalidArguments() {
        for url in ["redis://h:0", "redis://h:65536", "redis://h:x", "redis://h/-1", "redis://h/x", "redis://user@h",
                    "redis+unix://", "redis+unix://relative.sock", "redis+unix:///s?db=x", "redis+unix:///s?other=1",
                    "redis://h?db=1", "redis://[::1", "redis://:%zz@h", "redis://h?agstate_pool_size=0"] {
            do {
                _ = try Storage(url: url)
                Issue.record("\(url) opened")
            } catch {
                #expect(error.code == .invalidArgument, "\(url): \(error.message)")
            }
        }
    }

    @Test func anUnreachableServerIsUnavailable() {
        for url in ["redis://127.0.0.1:1?agstate_retries=0", "redis+unix:///nonexistent/redis.sock?agstate_retries=0"] {
            do {
                _ = try Storage(url: url)
                Issue.record("opened \(url)")
            } catch {
                #expect(error.code == .unavailable, "\(url): \(error.message)")
            }
        }
    }
}

/// Against the server scripts/test.sh starts (skipped without it, outside CI; a failure in CI).
@Suite(.serialized) struct RedisStorageTests {
    static let url = getenv("AGSTATE_TEST_REDIS_URL").map { String(cString: $0) } ?? ""

    static func available() -> Bool {
        guard !url.isEmpty else {
            #expect(getenv("CI") == nil, "no Redis in CI: the test command starts one")
            return false
        }
        return true
    }

    static func newID() -> String { "swift-\(UInt64.random(in: 0...UInt64.max))" }

    static func waitFor(_ condition: () -> Bool) {
        var waited = 0
        while !condition() && waited < 5000 { usleep(1000); waited += 1 }
    }

    /// A connection of its own to the test server, for looking at (and damaging) the stored keys.
    static func rawConnection() throws -> RedisConnection {
        let (rest, _) = try ServerSettings.parse(url)
        return try RedisConnection(try RedisEndpoint(parsing: rest), timeoutSeconds: 2)
    }

    @Test func storedChangesReachTheOtherStorageAndALostRaceCatchesUp() throws {
        guard Self.available() else { return }
        let id = Self.newID()
        let first = try Storage(url: Self.url)
        let second = try Storage(url: Self.url)
        defer { first.close(); second.close() }
        let a = try first.openStore(id, initial: .object(JSONObject()))
        let b = try second.openStore(id)
        let heard = Lock()
        var versions: [UInt64] = []
        let subscription = b.subscribe(try JSONPointer(parsing: "")) { notice in
            heard.withLock { versions.append(notice.version) }
            return true
        }
        defer { subscription.cancel() }
        try a.set(.number(.int(1)), at: JSONPointer(parsing: "/n"))
        // b may not have heard of version 1 yet: its commit of version 1 then loses, and b has caught up.
        let raced = Result { () throws(AGError) -> UInt64 in try b.set(.number(.int(2)), at: JSONPointer(parsing: "/m")) }
        if case .failure(let error) = raced {
            #expect(error.code == .conflict)
            #expect(b.version == 1)
            try b.set(.number(.int(2)), at: JSONPointer(parsing: "/m"))
        }
        Self.waitFor { a.version >= 2 && b.version >= 2 }
        #expect(a.version == 2 && b.version == 2)
        #expect(a.state == b.state)
        #expect(heard.withLock { versions } == [1, 2])
        #expect(try first.list().contains(id))
        #expect(try first.contains(id))
        let stats = first.statistics()
        #expect(stats.contains(#""backend":"redis""#) && stats.contains(#""state":"closed""#))
        #expect(stats.contains(#""server":{"appendonly":"yes","appendfsync":"always","maxmemory_policy":"noeviction"}"#), "\(stats)")
        try first.delete(id)
        #expect(throws: AGError.self) { try first.delete(id) }
        // The other storage's store is closed for commits: the script finds the store gone.
        do {
            try b.set(.number(.int(3)), at: JSONPointer(parsing: "/n"))
            Issue.record("committed to a deleted store")
        } catch {
            #expect(error.code == .closed)
        }
        #expect(try !second.list().contains(id))
    }

    @Test func checkpointsTrimTheStreamAndAReopenReadsTheSameStateAndHistory() throws {
        guard Self.available() else { return }
        let id = Self.newID()
        var options = StorageOptions()
        options.checkpointChanges = 5
        options.key = try StorageKey(id: 9, bytes: Array(repeating: 3, count: 32))
        var limits = StoreLimits()
        limits.history.maxVersions = 4
        let storage = try Storage(url: Self.url, options: options)
        let store = try storage.openStore(id, initial: .object(JSONObject()), limits: limits)
        for i in 1...23 { try store.set(.number(.int(Int64(i))), at: JSONPointer(parsing: "/n\(i % 3)")) }
        let raw = try Self.rawConnection()
        // Checkpoints at 5, 10, 15, 20; the history reaches back to 19, so the base is 15: the stream holds
        // 16...23 and the checkpoints 15 and 20.
        guard case .integer(let length) = try raw.command(["XLEN", RedisLayout.changes(id)]) else { Issue.record("XLEN"); return }
        #expect(length == 8)
        let checkpoints = try raw.command(["HKEYS", RedisLayout.checkpoints(id)]).elements?.compactMap { $0.text }.sorted()
        #expect(checkpoints == ["15", "20"])
        // Rows are sealed: the stored change is not readable JSON.
        let entry = try raw.command(["XRANGE", RedisLayout.changes(id), "23-0", "23-0"])
        let row = entry.elements?.first?.elements?[1].elements?[1].bytes ?? []
        #expect(row.first == RowFormat.sealed)
        let other = try Storage(url: Self.url, options: options)
        let reopened = try other.openStore(id, limits: limits)
        #expect(reopened.version == 23 && reopened.state == store.state)
        // A storage without the key cannot read the rows.
        do {
            let keyless = try Storage(url: Self.url)
            defer { keyless.close() }
            _ = try keyless.openStore(id)
            Issue.record("opened sealed rows without the key")
        } catch {
            #expect(error.code == .corruptData)
        }
        other.close()
        try storage.delete(id)
        storage.close()
    }

    @Test func aServerBehindTheStoreIsReportedNotRetriedForever() throws {
        guard Self.available() else { return }
        let id = Self.newID()
        let storage = try Storage(url: Self.url)
        defer { storage.close() }
        let store = try storage.openStore(id, initial: .object(JSONObject()))
        try store.set(.bool(true), at: JSONPointer(parsing: "/a"))
        try store.set(.bool(true), at: JSONPointer(parsing: "/b"))
        // As if the server had lost its last acknowledged write (no appendonly, and a restart).
        let raw = try Self.rawConnection()
        _ = try raw.command(["HSET", RedisLayout.meta(id), "version", "1"])
        do {
            try store.set(.bool(true), at: JSONPointer(parsing: "/c"))
            Issue.record("committed over a lost change")
        } catch {
            #expect(error.code == .corruptData)
            #expect(error.message.contains("lost acknowledged changes"), "\(error.message)")
        }
        #expect(store.version == 2)
        try storage.delete(id)
    }

    @Test func aStoppedServerIsUnavailableThenTheBreakerClosesAgain() throws {
        guard Self.available() else { return }
        guard let stop = getenv("AGSTATE_TEST_REDIS_STOP").map({ String(cString: $0) }),
              let start = getenv("AGSTATE_TEST_REDIS_START").map({ String(cString: $0) }) else { return }
        let id = Self.newID()
        let storage = try Storage(url: Self.url + "?agstate_retries=1&agstate_breaker_failures=2&agstate_breaker_open_ms=50")
        defer { storage.close() }
        let store = try storage.openStore(id, initial: .object(JSONObject()))
        try store.set(.number(.int(1)), at: JSONPointer(parsing: "/n"))
        #expect(system(stop) == 0)
        for _ in 0..<3 {
            do {
                try store.set(.number(.int(2)), at: JSONPointer(parsing: "/n"))
                Issue.record("committed with the server down")
            } catch {
                #expect(error.code == .unavailable, "\(error.message)")
            }
        }
        #expect(store.version == 1)
        #expect(storage.statistics().contains(#""opened":"#))
        #expect(!storage.statistics().contains(#""opened":0"#))
        #expect(system(start) == 0)
        var committed = false
        for _ in 0..<200 where !committed {
            committed = (try? store.set(.number(.int(2)), at: JSONPointer(parsing: "/n"))) != nil
            if !committed { usleep(20_000) }
        }
        #expect(committed && store.version == 2)
        #expect(storage.statistics().contains(#""state":"closed""#))
        // The commit acknowledged before the stop is still there.
        let other = try Storage(url: Self.url)
        defer { other.close() }
        #expect(try other.openStore(id).state == store.state)
        try storage.delete(id)
    }
}
