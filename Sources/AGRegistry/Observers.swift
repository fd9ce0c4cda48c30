import AGCore
import AGJSON
import Synchronization

/// Severity of a log record (the C ABI's `AGS_LOG_*`, in syslog's order reversed: higher is worse).
public enum LogLevel: Int32, Sendable, Comparable {
    case debug = 10, info = 20, warning = 30, error = 40
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }
}

/// A finished operation, for a host's tracer.
public struct Span: Sendable {
    public var operation: String
    public var storeID: String
    public var version: UInt64
    public var durationNanoseconds: UInt64
    /// 0 for success, otherwise the status code.
    public var status: Int32
}

/// The host's log and span hooks, and the last error (for the health report). Hooks run on the thread
/// whose operation they report, with no registry or store lock held.
final class Observers: @unchecked Sendable {
    private let lock = Lock()
    private var logHandler: (@Sendable (LogLevel, JSONValue) -> Void)?
    private var minimumLevel = LogLevel.info
    private var spanHandler: (@Sendable (Span) -> Void)?
    private var lastError: (error: AGError, at: UInt64)?
    /// Read without the lock on every commit: with no hook set (the usual case) no lock is taken, so
    /// threads committing to different stores do not meet here.
    private let hasLog = Atomic<Bool>(false)
    private let hasSpan = Atomic<Bool>(false)

    func setLog(_ handler: (@Sendable (LogLevel, JSONValue) -> Void)?, minimum: LogLevel) {
        lock.withLock { logHandler = handler; minimumLevel = minimum; hasLog.store(handler != nil, ordering: .releasing) }
    }

    func setSpan(_ handler: (@Sendable (Span) -> Void)?) {
        lock.withLock { spanHandler = handler; hasSpan.store(handler != nil, ordering: .releasing) }
    }

    /// Sends `{"level":..., "message":..., fields...}` to the log handler, if one is set and the level is
    /// at least its minimum.
    func log(_ level: LogLevel, _ message: String, _ fields: [String: JSONValue] = [:]) {
        guard hasLog.load(ordering: .acquiring),
              let handler = lock.withLock({ level >= minimumLevel ? logHandler : nil }) else { return }
        var record = JSONObject()
        record["level"] = .string(level.name)
        record["message"] = .string(message)
        record["time_ms"] = .number(JSONNumber.from(wallMilliseconds()))
        for key in fields.keys.sorted() { record[key] = fields[key]! }
        handler(level, .object(record))
    }

    @inline(__always)
    func span(_ operation: String, id: String, version: UInt64, nanoseconds: UInt64, status: Int32) {
        guard hasSpan.load(ordering: .acquiring), let handler = lock.withLock({ spanHandler }) else { return }
        handler(Span(operation: operation, storeID: id, version: version, durationNanoseconds: nanoseconds, status: status))
    }

    func noteError(_ error: AGError) { lock.withLock { lastError = (error, wallMilliseconds()) } }

    var last: (error: AGError, at: UInt64)? { lock.withLock { lastError } }
}

extension Registry {
    /// Sets (or with nil removes) the log hook: records at `minimum` and above, as a level and a JSON
    /// object with `level`, `message`, `time_ms` and fields. Nothing is logged without one.
    public func setLogHandler(minimum: LogLevel = .info, _ handler: (@Sendable (LogLevel, JSONValue) -> Void)?) {
        observers.setLog(handler, minimum: minimum)
    }

    /// Sets (or with nil removes) the span hook: one span per commit, load and eviction.
    public func setSpanHandler(_ handler: (@Sendable (Span) -> Void)?) { observers.setSpan(handler) }
}
