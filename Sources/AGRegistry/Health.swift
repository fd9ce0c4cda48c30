import AGJSON

extension Registry {
    /// `{"status":"ok"|"degraded"|"failing", "storage_reachable":true|false|null, "resident_bytes":N,
    /// "budget_bytes":N|null, "memory_share":R|null, "error_rate":R, "p95_commit_ms":R|null,
    /// "last_error":{"code":N,"message":"...","time_ms":N}|null, "uptime_seconds":R,
    /// "thresholds":{...}, "crossed":["error_rate", ...]}`.
    ///
    /// `failing` when the storage cannot be reached; `degraded` when a threshold is crossed; `ok` otherwise.
    public func health() -> JSONValue {
        let t = options.thresholds
        let resident = metrics.residentBytes.current
        let share: Double? = options.budgetBytes == .max ? nil
            : (options.budgetBytes == 0 ? (resident > 0 ? 1 : 0) : Double(resident) / Double(options.budgetBytes))
        let errorRate = metrics.recentErrorRate
        let p95 = metrics.commitLatency.quantile(0.95).map { Double($0) / 1e6 }
        var crossed: [String] = []
        if t.errorRate < 1 && errorRate > t.errorRate { crossed.append("error_rate") }
        if t.p95CommitMilliseconds > 0, let p95, p95 > t.p95CommitMilliseconds { crossed.append("p95_commit_latency") }
        if t.memoryShare < 1, let share, share > t.memoryShare { crossed.append("memory_share") }
        let reachable = loader.map { $0.isReachable() }
        let status = reachable == false ? "failing" : (crossed.isEmpty ? "ok" : "degraded")

        var o = JSONObject()
        o["status"] = .string(status)
        o["storage_reachable"] = reachable.map { .bool($0) } ?? .null
        o["resident_bytes"] = .int(Int64(resident))
        o["budget_bytes"] = options.budgetBytes == .max ? .null : .int(Int64(options.budgetBytes))
        o["memory_share"] = share.map { .double($0) } ?? .null
        o["error_rate"] = .double(errorRate)
        o["p95_commit_ms"] = p95.map { .double($0) } ?? .null
        if let last = observers.last {
            var e = JSONObject()
            e["code"] = .int(Int64(last.error.code.rawValue))
            e["message"] = .string(last.error.message)
            e["time_ms"] = .number(JSONNumber.from(last.at))
            o["last_error"] = .object(e)
        } else {
            o["last_error"] = .null
        }
        o["uptime_seconds"] = .double(Double(monotonicNanoseconds() &- started) / 1e9)
        var th = JSONObject()
        th["error_rate"] = .double(t.errorRate)
        th["p95_commit_ms"] = .double(t.p95CommitMilliseconds)
        th["memory_share"] = .double(t.memoryShare)
        o["thresholds"] = .object(th)
        o["crossed"] = .array(JSONArray(crossed.map { JSONValue.string($0) }))
        if status != "ok" { observers.log(.warning, "health is \(status)", ["crossed": .array(JSONArray(crossed.map { JSONValue.string($0) }))]) }
        return .object(o)
    }
}
