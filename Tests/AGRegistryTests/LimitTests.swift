import Testing
import AGCore
import AGJSON
import AGState
import AGRegistry

@Suite struct LimitTests {
    func registry(_ set: (inout ContentLimits) -> Void) throws -> Registry {
        var options = RegistryOptions()
        set(&options.limits.content)
        return try Registry(options: options)
    }

    func expectRefused(_ store: Store, _ limit: String, pointer: String? = nil, op: Int? = nil,
                       _ body: () throws -> Void) {
        let before = store.snapshot()
        do {
            try body()
            Issue.record("\(limit) was not enforced")
        } catch let error as AGError {
            #expect(error.code == .limitExceeded)
            #expect(error.message.contains(limit), "\(error.message)")
            if let pointer { #expect(error.pointer == pointer) }
            if let op { #expect(error.operationIndex == op) }
        } catch { Issue.record("\(error)") }
        #expect(store.state == before.state)
        #expect(store.version == before.version)
    }

    @Test func everyContentLimitEverywhere() throws {
        let r = try registry {
            $0.maxStringBytes = 8
            $0.maxMembers = 3
            $0.maxElements = 2
            $0.maxOperations = 2
            $0.maxStateBytes = 400
        }
        let s = try r.get("a", initial: ["a": [1], "b": "ok"]).store
        expectRefused(s, "AGS_LIMIT_STRING_BYTES", pointer: "/b", op: 0) { try s.set("far too long", at: ptr("/b")) }
        expectRefused(s, "AGS_LIMIT_STRING_BYTES", pointer: "/c/x", op: 1) {
            try s.apply(patch(#"[{"op":"add","path":"/a/-","value":2},{"op":"add","path":"/c","value":{"x":"123456789"}}]"#))
        }
        expectRefused(s, "AGS_LIMIT_ELEMENTS", pointer: "/a") { try s.apply(patch(#"[{"op":"add","path":"/a/-","value":2},{"op":"add","path":"/a/-","value":3}]"#)) }
        expectRefused(s, "AGS_LIMIT_MEMBERS") { try s.merge(json(#"{"c":1,"d":2}"#)) }
        expectRefused(s, "AGS_LIMIT_OPERATIONS", op: 2) {
            try s.apply(patch(#"[{"op":"test","path":"/b","value":"ok"},{"op":"test","path":"/b","value":"ok"},{"op":"test","path":"/b","value":"ok"}]"#))
        }
        // A transaction, a state event and a restore go through the same check.
        let t = s.begin()
        try t.apply(patch(#"[{"op":"replace","path":"/b","value":"much too long"}]"#))
        expectRefused(s, "AGS_LIMIT_STRING_BYTES") { _ = try t.commit() }
        expectRefused(s, "AGS_LIMIT_ELEMENTS") { try s.apply(event: .snapshot(["a": [1, 2, 3]])) }
        let other = try Store(["a": "a string longer than 8"])
        expectRefused(s, "AGS_LIMIT_STRING_BYTES", pointer: "/a") { try s.restore(other.snapshot()) }
        // Depth stays the JSON limit.
        s.limits.maxDepth = 3
        expectRefused(s, "nest") { try s.set(["x": ["y": ["z": 1]]], at: ptr("/b")) }
    }

    @Test func stateBytes() throws {
        let r = try registry { $0.maxStateBytes = 300 }
        let s = try r.get("a", initial: ["a": "small"]).store
        try s.set(.string(String(repeating: "x", count: 100)), at: ptr("/b"))
        expectRefused(s, "AGS_LIMIT_STATE_BYTES", pointer: "/c", op: 0) { try s.set(.string(String(repeating: "x", count: 200)), at: ptr("/c")) }
    }

    @Test func initialStatesAreChecked() throws {
        let r = try registry { $0.maxElements = 1 }
        #expect(throws: AGError.self) { _ = try r.get("x", initial: ["a": [1, 2]]) }
        #expect(r.statistics.resident == 0)
    }

    @Test func exchangeLimitReadsAndSets() throws {
        let store = try Store(["a": 1])
        #expect(try store.exchangeLimit(.members, 1) == Int64.max)
        #expect(try store.exchangeLimit(.members, nil) == 1)
        #expect(throws: AGError.self) { try store.set(2, at: ptr("/b")) }
        #expect(throws: AGError.self) { _ = try store.exchangeLimit(.members, -1) }
    }
}

@Suite struct RateLimitTests {
    @Test func commitsPerSecondPerClient() throws {
        var options = RegistryOptions()
        options.rates.commitsPerSecond = 1
        options.rates.commitBurst = 2
        let r = try Registry(options: options)
        let s = try r.get("a", initial: ["n": 0]).store
        let alice = CommitOptions(origin: CommitOrigin(client: "alice"))
        try s.set(1, at: ptr("/n"), options: alice)
        try s.set(2, at: ptr("/n"), options: alice)
        do {
            try s.set(3, at: ptr("/n"), options: alice)
            Issue.record("not refused")
        } catch let error as AGError {
            #expect(error.code == .rateLimited)
            #expect((error.retryAfterMilliseconds ?? 0) > 0 && (error.retryAfterMilliseconds ?? 0) <= 1000)
        }
        #expect(s.state == ["n": 2] && s.version == 2)
        // Another client has its own bucket; no client is not limited.
        try s.set(4, at: ptr("/n"), options: CommitOptions(origin: CommitOrigin(client: "bob")))
        try s.set(5, at: ptr("/n"))
        #expect(r.statistics.rateRefusals == 1)
    }

    @Test func bytesPerSecondPerClient() throws {
        var options = RegistryOptions()
        options.rates.bytesPerSecond = 100
        let r = try Registry(options: options)
        let s = try r.get("a", initial: ["n": 0]).store
        let c = CommitOptions(origin: CommitOrigin(client: "c", bytes: 80))
        try s.set(1, at: ptr("/n"), options: c)
        do {
            try s.set(2, at: ptr("/n"), options: c)
            Issue.record("not refused")
        } catch let error as AGError {
            #expect(error.code == .rateLimited)
            #expect((error.retryAfterMilliseconds ?? 0) >= 500)
        }
        #expect(s.state == ["n": 1])
    }
}

@Suite struct OptionEdgeTests {
    @Test func extremeRatesAndTTLsStayBounded() throws {
        var options = RegistryOptions()
        options.rates.bytesPerSecond = 1e-300
        options.rates.bytesBurst = 10
        options.ttlMilliseconds = .max
        let r = try Registry(options: options)
        let s = try r.get("a", initial: [:]).store
        try s.set(1, at: ptr("/x"), options: CommitOptions(origin: CommitOrigin(client: "c", bytes: 6)))
        do {
            try s.set(2, at: ptr("/x"), options: CommitOptions(origin: CommitOrigin(client: "c", bytes: 6)))
            Issue.record("not refused")
        } catch let error as AGError {
            #expect(error.code == .rateLimited && error.retryAfterMilliseconds == 1_000_000_000_000_000)
        }
        #expect(throws: AGError.self) { try s.set(3, at: ptr("/x"), options: CommitOptions(origin: CommitOrigin(client: "c", bytes: 11))) }
        #expect(r.sweep() == 0)
        for bad in [Double.nan, -1, .infinity] {
            var o = RegistryOptions()
            o.rates.commitsPerSecond = bad
            #expect(throws: AGError.self) { _ = try Registry(options: o) }
        }
        var o = RegistryOptions()
        o.shards = 0
        #expect(throws: AGError.self) { _ = try Registry(options: o) }
    }
}

@Suite struct ObservabilityTests {
    @Test func metricsTextHasFamilies() throws {
        var options = RegistryOptions()
        options.perStoreMetrics = true
        let r = try Registry(options: options)
        try r.get("a\"b", initial: [:]).store.set(1, at: ptr("/x"))
        let text = r.metricsText()
        #expect(text.contains("# TYPE agstate_commit_duration_seconds histogram"))
        #expect(text.contains("agstate_commits_total{status=\"ok\"} 1"))
        #expect(text.contains("agstate_store_commits_total{store=\"a\\\"b\"} 1"))
        #expect(text.contains("agstate_commit_duration_seconds_bucket{le=\"+Inf\"} 1"))
    }

    @Test func healthDegradesWhenAThresholdIsCrossed() throws {
        var options = RegistryOptions()
        options.budgetBytes = 1000
        options.thresholds.memoryShare = 0.1
        let r = try Registry(options: options)
        #expect(r.health().objectValue?["status"] == "ok")
        let hold = try r.get("a", initial: ["x": .string(String(repeating: "x", count: 200))])
        let report = r.health()
        #expect(report.objectValue?["status"] == "degraded")
        #expect(report.objectValue?["crossed"] == ["memory_share"])
        hold.release()
    }

    @Test func logsAndSpansReachTheHooks() throws {
        let r = try { var o = RegistryOptions(); o.limits.content.maxElements = 0; return try Registry(options: o) }()
        let records = Box<[JSONValue]>([])
        let spans = Box<[Span]>([])
        r.setLogHandler(minimum: .debug) { _, record in records.mutate { $0.append(record) } }
        r.setSpanHandler { span in spans.mutate { $0.append(span) } }
        let s = try r.get("a", initial: [:]).store
        try s.set(1, at: ptr("/x"))
        #expect(throws: AGError.self) { try s.set([1], at: ptr("/y")) }
        #expect(spans.value.map(\.operation) == ["load", "commit", "commit"])
        #expect(spans.value.last?.status == AGErrorCode.limitExceeded.rawValue)
        #expect(spans.value[1].version == 1 && spans.value[1].storeID == "a")
        #expect(records.value.contains { $0.objectValue?["message"] == "commit refused by a limit" })
        let subscription = s.subscribe(.root) { _ in false }
        try s.set(2, at: ptr("/x"))
        subscription.cancel()
        #expect(r.statistics.subscriberFailures == 1)
        #expect(records.value.contains { $0.objectValue?["message"] == "a subscriber failed" })
    }
}

final class Box<T>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: T
    init(_ value: T) { stored = value }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
    var value: T { lock.withLock { stored } }
}
