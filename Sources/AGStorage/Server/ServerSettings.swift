import AGCore

/// The settings of a server storage (PostgreSQL, Redis), read from the URL's `agstate_*` query parameters
/// (removed before the rest of the URL is read). The defaults are the header's AGS_PG_DEFAULT_*, which both
/// servers share.
struct ServerSettings {
    var poolSize = PostgresDefaults.poolSize
    var idleTimeoutMilliseconds: UInt64 = 60_000
    /// A connection idle longer than this is checked with a round trip before it is used.
    var healthCheckMilliseconds: UInt64 = 5_000
    var connectTimeoutSeconds = 2
    var retries = 3
    var backoffMilliseconds: UInt64 = 20
    var backoffMaxMilliseconds: UInt64 = 1_000
    var breakerFailures = PostgresDefaults.breakerFailures
    var breakerOpenMilliseconds = PostgresDefaults.breakerOpenMilliseconds

    /// Sets the setting `name` to `value` (already checked against its range).
    mutating func set(_ name: String, _ value: UInt64) {
        switch name {
        case "agstate_pool_size": poolSize = Int(value)
        case "agstate_idle_timeout_ms": idleTimeoutMilliseconds = value
        case "agstate_health_check_ms": healthCheckMilliseconds = value
        case "agstate_connect_timeout_s": connectTimeoutSeconds = Int(value)
        case "agstate_retries": retries = Int(value)
        case "agstate_backoff_ms": backoffMilliseconds = value
        case "agstate_backoff_max_ms": backoffMaxMilliseconds = value
        case "agstate_breaker_failures": breakerFailures = Int(value)
        default: breakerOpenMilliseconds = value
        }
    }
    static let ranges: [String: ClosedRange<UInt64>] = [
        "agstate_pool_size": 1...256, "agstate_idle_timeout_ms": 1...86_400_000, "agstate_health_check_ms": 0...86_400_000,
        "agstate_connect_timeout_s": 1...600, "agstate_retries": 0...100, "agstate_backoff_ms": 1...60_000,
        "agstate_backoff_max_ms": 1...600_000, "agstate_breaker_failures": 1...1_000_000, "agstate_breaker_open_ms": 1...3_600_000,
    ]

    /// Splits `url` into the URL without the agstate_* parameters, and the settings.
    static func parse(_ url: String) throws(AGError) -> (String, ServerSettings) {
        var settings = ServerSettings()
        guard let question = url.firstIndex(of: "?") else { return (url, settings) }
        var kept: [Substring] = []
        for pair in url[url.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            guard let range = ranges[name] else { kept.append(pair); continue }
            guard parts.count == 2, let value = UInt64(parts[1]), range.contains(value) else {
                throw AGError(.invalidArgument, "\(name) in the storage URL must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            settings.set(name, value)
        }
        let base = String(url[..<question])
        return (kept.isEmpty ? base : base + "?" + kept.joined(separator: "&"), settings)
    }
}
