#if canImport(Glibc)
import Glibc
#endif
import AGCore

/// A connection to a server that a pool hands to one user at a time.
protocol PooledConnection: AnyObject {
    /// When it was last handed back to the pool (monotonic milliseconds).
    var idleSince: UInt64 { get set }
    /// True once the connection failed: it is dropped, never reused.
    var isBroken: Bool { get }
    /// One round trip: false when the server does not answer.
    func check() -> Bool
}

/// A bounded pool of connections with an idle timeout and a health check, behind a circuit breaker, with
/// retries (exponential backoff, full jitter) of work that failed because its connection was lost.
final class ConnectionPool<Connection: PooledConnection>: @unchecked Sendable {
    /// The server's address as the connections are made to it.
    let url: String
    let settings: ServerSettings
    let breaker: CircuitBreaker
    /// The server's name in messages ("PostgreSQL", "Redis").
    let server: String
    private let connect: () throws(AGError) -> Connection
    private let condition = ConditionLock()
    private var idle: [Connection] = []
    private var total = 0
    private var closed = false
    private(set) var retries: UInt64 = 0
    private(set) var connects: UInt64 = 0

    init(url: String, settings: ServerSettings, server: String, connect: @escaping () throws(AGError) -> Connection) {
        self.url = url
        self.settings = settings
        self.server = server
        self.connect = connect
        breaker = CircuitBreaker(threshold: settings.breakerFailures, openMilliseconds: settings.breakerOpenMilliseconds)
    }

    /// Runs `body` with a connection. A lost connection (`unavailable`) is retried (the body must be safe
    /// to run again: every write is keyed, so a retry of a write that did land finds its own record);
    /// other errors are thrown at once. While the breaker is open, fails at once with `unavailable`.
    func run<R>(_ body: (Connection) throws(AGError) -> R) throws(AGError) -> R {
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

    private func acquire() throws(AGError) -> Connection {
        let deadline = monotonicMilliseconds() + UInt64(settings.connectTimeoutSeconds) * 1000
        condition.lock()
        while true {
            guard !closed else { condition.unlock(); throw AGError(.closed, "the storage is closed") }
            if let connection = idle.popLast() {
                condition.unlock()
                let idleFor = monotonicMilliseconds() &- connection.idleSince
                if connection.isBroken || idleFor > settings.idleTimeoutMilliseconds
                    || (idleFor > settings.healthCheckMilliseconds && !connection.check()) {
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
                    return try connect()
                } catch {
                    condition.withLock { total -= 1; condition.broadcast() }
                    throw error
                }
            }
            guard monotonicMilliseconds() < deadline else {
                condition.unlock()
                throw AGError(.unavailable, "no \(server) connection free in the pool of \(settings.poolSize) in time")
            }
            condition.wait(milliseconds: 100)
        }
    }

    private func release(_ connection: Connection) {
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
