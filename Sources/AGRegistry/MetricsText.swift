import AGCodec
import AGCore
import AGJSON

// The Prometheus text exposition format (version 0.0.4) is written here directly. swift-prometheus (which
// needs no Foundation) was considered: its metric objects cannot be read back, and the registry needs
// the same values for its JSON export, its statistics and the health report's p95, so it would keep
// every value twice; it would also bring two more packages into the library for about 100 lines of text.

extension Registry {
    /// Every metric of the registry in the Prometheus text format. With `perStoreMetrics`, per-store
    /// series labelled by store id, for the resident stores only.
    public func metricsText() -> String {
        var out = PrometheusWriter()
        let s = statistics
        out.family("agstate_registry_gets_total", "counter", "Store lookups, by result (a miss opens the store).")
        out.sample("agstate_registry_gets_total", [("result", "hit")], s.hits)
        out.sample("agstate_registry_gets_total", [("result", "miss")], s.misses)
        out.family("agstate_registry_load_failures_total", "counter", "Stores that could not be opened.")
        out.sample("agstate_registry_load_failures_total", [], s.loadFailures)
        out.family("agstate_registry_evictions_total", "counter", "Stores let go of, by cause.")
        for cause in EvictionCause.allCases {
            out.sample("agstate_registry_evictions_total", [("cause", cause.rawValue)], s.evictions[cause] ?? 0)
        }
        out.family("agstate_refusals_total", "counter", "Calls refused by the budget, a store limit or a rate limit.")
        out.sample("agstate_refusals_total", [("reason", "budget")], s.refusedOverBudget)
        out.sample("agstate_refusals_total", [("reason", "limit")], s.limitRefusals)
        out.sample("agstate_refusals_total", [("reason", "rate")], s.rateRefusals)
        out.family("agstate_commits_total", "counter", "Commits to the registry's stores, by outcome.")
        out.sample("agstate_commits_total", [("status", "ok")], s.commits)
        out.sample("agstate_commits_total", [("status", "failed")], s.commitFailures)
        out.family("agstate_subscriber_failures_total", "counter", "Subscription callbacks that reported failure.")
        out.sample("agstate_subscriber_failures_total", [], s.subscriberFailures)
        out.family("agstate_resident_stores", "gauge", "Stores in memory.")
        out.sample("agstate_resident_stores", [], s.resident)
        out.family("agstate_held_stores", "gauge", "Holds on stores that callers have not released.")
        out.sample("agstate_held_stores", [], s.held)
        out.family("agstate_resident_bytes", "gauge", "The engine's byte estimate of the resident stores.")
        out.sample("agstate_resident_bytes", [], s.residentBytes)
        if options.budgetBytes != .max {
            out.family("agstate_budget_bytes", "gauge", "The registry's memory budget.")
            out.sample("agstate_budget_bytes", [], options.budgetBytes)
        }
        out.family("agstate_uptime_seconds", "gauge", "Time since the registry was opened.")
        out.sample("agstate_uptime_seconds", [], Double(monotonicNanoseconds() &- started) / 1e9)
        out.histogram("agstate_commit_duration_seconds", "Commit latency.", metrics.commitLatency)
        out.histogram("agstate_load_duration_seconds", "Store open (load or create) latency.", metrics.loadLatency)
        out.histogram("agstate_eviction_duration_seconds", "Eviction latency.", metrics.evictionLatency)
        out.histogram("agstate_validation_duration_seconds", "Event validation per stream piece fed (whole process).",
                      ProcessMetrics.validationLatency)
        out.family("agstate_validator_findings_total", "counter", "Validator findings by rule id (whole process).")
        for (rule, count) in ProcessMetrics.findings.all { out.sample("agstate_validator_findings_total", [("rule", rule)], count) }
        out.histogram("agstate_compression_duration_seconds", "One-shot compression calls (whole process).",
                      ProcessMetrics.compressionLatency)
        out.histogram("agstate_decompression_duration_seconds", "One-shot decompression calls (whole process).",
                      ProcessMetrics.decompressionLatency)
        out.family("agstate_codec_bytes_total", "counter", "Bytes through the compression codecs (whole process).")
        for codec in Codec.allCases where codec != .identity {
            let c = CodecStatistics.shared.counters(for: codec)
            out.sample("agstate_codec_bytes_total", [("codec", codec.name), ("operation", "compress"), ("direction", "in")], c.compressIn)
            out.sample("agstate_codec_bytes_total", [("codec", codec.name), ("operation", "compress"), ("direction", "out")], c.compressOut)
            out.sample("agstate_codec_bytes_total", [("codec", codec.name), ("operation", "decompress"), ("direction", "in")], c.decompressIn)
            out.sample("agstate_codec_bytes_total", [("codec", codec.name), ("operation", "decompress"), ("direction", "out")], c.decompressOut)
        }
        if options.perStoreMetrics {
            var rows: [(String, Int, Int)] = []
            forEachResident { rows.append(($0.id, $0.commits.current, $0.bytes)) }
            rows.sort { $0.0 < $1.0 }
            out.family("agstate_store_commits_total", "counter", "Commits per resident store since it was opened.")
            for row in rows { out.sample("agstate_store_commits_total", [("store", row.0)], row.1) }
            out.family("agstate_store_resident_bytes", "gauge", "The byte estimate per resident store.")
            for row in rows { out.sample("agstate_store_resident_bytes", [("store", row.0)], row.2) }
        }
        return out.text
    }

    /// The same metrics as a JSON object: the statistics, the latency histograms (bucket bounds in
    /// seconds, counts not cumulative), codec bytes and, with `perStoreMetrics`, per-store values.
    public func metricsJSON() -> JSONValue {
        var o = JSONObject()
        o["statistics"] = statistics.json
        if options.budgetBytes != .max { o["budget_bytes"] = .int(Int64(options.budgetBytes)) }
        o["uptime_seconds"] = .double(Double(monotonicNanoseconds() &- started) / 1e9)
        var latency = JSONObject()
        for (name, h) in [("commit", metrics.commitLatency), ("load", metrics.loadLatency), ("eviction", metrics.evictionLatency),
                          ("validation", ProcessMetrics.validationLatency), ("compression", ProcessMetrics.compressionLatency),
                          ("decompression", ProcessMetrics.decompressionLatency)] {
            latency[name] = h.json
        }
        o["latency"] = .object(latency)
        var findings = JSONObject()
        for (rule, count) in ProcessMetrics.findings.all { findings[rule] = .int(Int64(count)) }
        o["validator_findings"] = .object(findings)
        o["codec_bytes"] = CodecStatistics.shared.json
        if options.perStoreMetrics {
            var stores = JSONObject()
            var rows: [(String, Int, Int)] = []
            forEachResident { rows.append(($0.id, $0.commits.current, $0.bytes)) }
            for row in rows.sorted(by: { $0.0 < $1.0 }) {
                var entry = JSONObject()
                entry["commits"] = .int(Int64(row.1))
                entry["resident_bytes"] = .int(Int64(row.2))
                stores[row.0] = .object(entry)
            }
            o["stores"] = .object(stores)
        }
        return .object(o)
    }
}

extension LatencyHistogram {
    var json: JSONValue {
        let (counts, count, sum) = read
        var o = JSONObject()
        o["count"] = .int(Int64(count))
        o["sum_seconds"] = .double(Double(sum) / 1e9)
        o["bounds_seconds"] = .array(JSONArray(LatencyHistogram.bounds.map { JSONValue.double(Double($0) / 1e9) }))
        o["counts"] = .array(JSONArray(counts.map { JSONValue.int(Int64($0)) }))
        o["p95_seconds"] = quantile(0.95).map { .double(Double($0) / 1e9) } ?? .null
        return .object(o)
    }
}

/// Writes families and samples in the text exposition format.
struct PrometheusWriter {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        text += "\(name)\(render(labels)) \(value)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += "\(name)\(render(labels)) \(value)\n"
    }

    mutating func histogram(_ name: String, _ help: String, _ histogram: LatencyHistogram) {
        family(name, "histogram", help)
        let (counts, count, sum) = histogram.read
        var cumulative = 0
        for (i, bound) in LatencyHistogram.bounds.enumerated() {
            cumulative += counts[i]
            sample("\(name)_bucket", [("le", "\(Double(bound) / 1e9)")], cumulative)
        }
        sample("\(name)_bucket", [("le", "+Inf")], count)
        sample("\(name)_sum", [], Double(sum) / 1e9)
        sample("\(name)_count", [], count)
    }

    private func render(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape backslash, double quote and line feed.
    private func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
