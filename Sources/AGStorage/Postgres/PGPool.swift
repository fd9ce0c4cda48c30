#if canImport(Glibc)
import Glibc
#endif
import AGCore

/// The settings of a PostgreSQL storage, read from the URL's `agstate_*` query parameters (removed
/// before the URL goes to libpq). The defaults are the header's AGS_PG_DEFAULT_*.
/// The defaults written in the header as AGS_PG_DEFAULT_*.
public enum PostgresDefaults {
    public static let poolSize = 4
    public static let breakerFailures = 5
    public static let breakerOpenMilliseconds: UInt64 = 1_000
}

struct PGSettings {
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

    /// Splits `url` into libpq's URL and the settings.
    static func parse(_ url: String) throws(AGError) -> (String, PGSettings) {
        var settings = PGSettings()
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

/// A bounded pool of connections with an idle timeout and a health check, behind a circuit breaker, with
/// retries (exponential backoff, full jitter) of work that failed because its connection was lost.
final class PGPool: @unchecked Sendable {
    let url: String
    let settings: PGSettings
    let breaker: CircuitBreaker
    private let condition = ConditionLock()
    private var idle: [PGConnection] = []
    private var total = 0
    private var closed = false
    private(set) var retries: UInt64 = 0
    private(set) var connects: UInt64 = 0

    init(url: String, settings: PGSettings) {
        self.url = url
        self.settings = settings
        breaker = CircuitBreaker(threshold: settings.breakerFailures, openMilliseconds: settings.breakerOpenMilliseconds)
    }

    /// Runs `body` with a connection. A lost connection is retried (the body must be safe to run again:
    /// every write here is keyed, so a retry of a write that did land finds its own row); other errors
    /// are thrown at once. While the breaker is open, fails at once with `unavailable`.
    func run<R>(_ body: (PGConnection) throws(AGError) -> R) throws(AGError) -> R {
        var attempt = 0
        while true {
            try breaker.admit()
            do throws(AGError) {
                let connection = try acquire()
                let result: R
                do throws(AGError) {
                    result = try body(connection)
                } catch {
                    release(connection)
                    throw error
                }
                release(connection)
                breaker.succeeded()
                return result
            } catch where error.code == .unavailable {
                breaker.failed()
                guard attempt < settings.retries, !isClosed else { throw error }
                attempt += 1
                condition.withLock { retries += 1 }
                let ceiling = min(settings.backoffMaxMilliseconds, settings.backoffMilliseconds << UInt64(min(attempt, 20)))
                usleep(UInt32(UInt64.random(in: 0...ceiling) * 1000))
            } catch {
                // The server answered: the connection works.
                breaker.succeeded()
                throw error
            }
        }
    }

    private var isClosed: Bool { condition.withLock { closed } }

    private func acquire() throws(AGError) -> PGConnection {
        let deadline = monotonicMilliseconds() + UInt64(settings.connectTimeoutSeconds) * 1000
        condition.lock()
        while true {
            guard !closed else { condition.unlock(); throw AGError(.closed, "the storage is closed") }
            if let connection = idle.popLast() {
                condition.unlock()
                let idleFor = monotonicMilliseconds() &- connection.idleSince
                if connection.isBroken || idleFor > settings.idleTimeoutMilliseconds
                    || (idleFor > settings.healthCheckMilliseconds && (try? connection.execute("SELECT 1")) == nil) {
                    condition.withLock { total -= 1 }
                    condition.lock()
                    continue
                }
                return connection
            }
            if total < settings.poolSize {
                total += 1
                connects += 1
                condition.unlock()
                do throws(AGError) {
                    return try PGConnection(url: url, timeoutSeconds: settings.connectTimeoutSeconds)
                } catch {
                    condition.withLock { total -= 1; condition.broadcast() }
                    throw error
                }
            }
            guard monotonicMilliseconds() < deadline else {
                condition.unlock()
                throw AGError(.unavailable, "no PostgreSQL connection free in the pool of \(settings.poolSize) in time")
            }
            condition.wait(milliseconds: 100)
        }
    }

    private func release(_ connection: PGConnection) {
        condition.withLock {
            if connection.isBroken || closed {
                total -= 1
            } else {
                connection.idleSince = monotonicMilliseconds()
                idle.append(connection)
            }
            condition.broadcast()
        }
    }

    func close() {
        condition.withLock {
            closed = true
            total -= idle.count
            idle.removeAll()
            condition.broadcast()
        }
    }

    func statistics() -> String {
        let (open, idleCount, retries, connects): (Int, Int, UInt64, UInt64) = condition.withLock { (total, idle.count, self.retries, self.connects) }
        return #""pool":{"size":\#(settings.poolSize),"open":\#(open),"idle":\#(idleCount),"connects":\#(connects)},"retries":\#(retries),"breaker":{\#(breaker.statistics())}"#
    }
}
