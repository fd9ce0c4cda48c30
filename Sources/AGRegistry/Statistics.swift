import AGJSON

/// A registry's counts at one moment.
public struct RegistryStatistics: Sendable, Equatable {
    public var hits = 0
    /// Gets that had to open the store (loaded or created): the misses.
    public var misses = 0
    public var loadFailures = 0
    public var evictions: [EvictionCause: Int] = [:]
    public var resident = 0
    public var residentBytes = 0
    public var held = 0
    public var commits = 0
    public var commitFailures = 0
    public var limitRefusals = 0
    public var rateRefusals = 0
    public var refusedOverBudget = 0
    public var subscriberFailures = 0

    public var evictionsTotal: Int { evictions.values.reduce(0, +) }

    /// `{"hits":N,"misses":N,"evictions":N,"evictions_by_cause":{"ttl":N,...},"resident":N,...}`
    public var json: JSONValue {
        var o = JSONObject()
        func put(_ key: String, _ value: Int) { o[key] = .int(Int64(value)) }
        put("hits", hits)
        put("misses", misses)
        put("load_failures", loadFailures)
        put("evictions", evictionsTotal)
        var causes = JSONObject()
        for cause in EvictionCause.allCases { causes[cause.rawValue] = .int(Int64(evictions[cause] ?? 0)) }
        o["evictions_by_cause"] = .object(causes)
        put("resident", resident)
        put("resident_bytes", residentBytes)
        put("held", held)
        put("commits", commits)
        put("commit_failures", commitFailures)
        put("limit_refusals", limitRefusals)
        put("rate_refusals", rateRefusals)
        put("refused_over_budget", refusedOverBudget)
        put("subscriber_failures", subscriberFailures)
        return .object(o)
    }
}

extension Registry {
    public var statistics: RegistryStatistics {
        var s = RegistryStatistics()
        s.hits = metrics.hits.current
        s.misses = metrics.misses.current
        s.loadFailures = metrics.loadFailures.current
        for cause in EvictionCause.allCases { s.evictions[cause] = metrics.evictions[cause]!.current }
        s.resident = metrics.residentStores.current
        s.residentBytes = metrics.residentBytes.current
        s.held = metrics.heldStores.current
        s.commits = metrics.commits.current
        s.commitFailures = metrics.commitFailures.current
        s.limitRefusals = metrics.limitRefusals.current
        s.rateRefusals = metrics.rateRefusals.current
        s.refusedOverBudget = metrics.refusedOverBudget.current
        s.subscriberFailures = metrics.subscriberFailures.current
        return s
    }
}
