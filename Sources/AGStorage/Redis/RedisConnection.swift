#if canImport(Glibc)
import Glibc
#endif
import AGCore
import CHiredis

/// A reply of the Redis server, copied out of hiredis's reply object.
indirect enum RedisReply {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
    case error(String)

    init(_ reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .string(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: r.len)) } ?? [])
        case REDIS_REPLY_STATUS: self = .status(r.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_ERROR: self = .error(r.str.map { String(cString: $0) } ?? "unknown error")
        case REDIS_REPLY_INTEGER: self = .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            self = .array((0..<r.elements).map { i in r.element[i].map { RedisReply(UnsafePointer($0)) } ?? .null })
        default: self = .null
        }
    }

    var bytes: [UInt8]? {
        switch self {
        case .string(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// A decimal number, sent as an integer reply or as text.
    var uint64: UInt64? {
        if case .integer(let value) = self { return value >= 0 ? UInt64(value) : nil }
        return text.flatMap { UInt64($0) }
    }

    var elements: [RedisReply]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// A short description for messages.
    var summary: String {
        switch self {
        case .string(let bytes): return "a string of \(bytes.count) bytes"
        case .status(let text): return "status \(text.prefix(100))"
        case .integer(let value): return "integer \(value)"
        case .null: return "nil"
        case .array(let items): return "an array of \(items.count)"
        case .error(let message): return "error \(message.prefix(200))"
        }
    }
}

/// A Lua script run on the server (EVALSHA, falling back to EVAL when the server does not hold it, as
/// after a restart).
struct RedisScript: Sendable {
    let source: String
    let sha: String
}

/// One hiredis connection (blocking, with timeouts). Not shared between threads: the pool hands it to one
/// user at a time.
///
/// Failures are statuses: a lost connection, a timeout, or a server still loading its data set is
/// `unavailable`; any other error reply is `io` with the server's message.
final class RedisConnection: PooledConnection {
    let context: UnsafeMutablePointer<redisContext>
    var idleSince: UInt64 = 0

    /// Connects to `endpoint`, giving up after `timeoutSeconds`, which also bounds the wait for each reply.
    init(_ endpoint: RedisEndpoint, timeoutSeconds: Int) throws(AGError) {
        let timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port): made = redisConnectWithTimeout(host, port, timeout)
        case .unix(let path): made = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let made else { throw AGError(.noMemory, "hiredis could not allocate a connection") }
        guard made.pointee.err == 0 else {
            let message = String(cString: ags_redis_errstr(made))
            redisFree(made)
            throw AGError(.unavailable, "cannot connect to Redis at \(endpoint.description): \(message)")
        }
        context = made
        redisSetTimeout(made, timeout)
        if let password = endpoint.password {
            let reply = try command(endpoint.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            if case .error(let message) = reply { throw AGError(.invalidArgument, "Redis refused the credentials: \(message)") }
        }
        if endpoint.db != 0 {
            let reply = try command(["SELECT", String(endpoint.db)])
            if case .error(let message) = reply { throw AGError(.invalidArgument, "Redis refused db \(endpoint.db): \(message)") }
        }
    }

    deinit { redisFree(context) }

    var isBroken: Bool { context.pointee.err != 0 }

    var socket: Int32 { context.pointee.fd }

    func check() -> Bool {
        guard case .status(let answer)? = try? command(["PING"]) else { return false }
        return answer == "PONG"
    }

    /// The context's error as `unavailable` (the connection is lost or timed out).
    func lost() -> AGError {
        AGError(.unavailable, "Redis connection lost: \(String(cString: ags_redis_errstr(context)))")
    }

    func command(_ arguments: [String]) throws(AGError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends one command (binary-safe arguments) and returns its reply; an error reply is returned, not
    /// thrown, except a server that is loading its data set or shutting down (`unavailable`).
    func command(_ arguments: [[UInt8]]) throws(AGError) -> RedisReply {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(buffer.count)
            lengths.append(argument.count)
            buffer += argument
        }
        buffer.append(0)
        let raw: UnsafeMutableRawPointer? = buffer.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    ags_redis_command_argv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard let raw else { throw lost() }
        defer { freeReplyObject(raw) }
        let reply = RedisReply(raw.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = reply, RedisConnection.isTransient(message) {
            throw AGError(.unavailable, "Redis is not serving: \(message)")
        }
        return reply
    }

    /// Errors that go away on their own: a server loading its data set after a restart, busy with a long
    /// script, or a replica that lost its primary.
    static func isTransient(_ message: String) -> Bool {
        message.hasPrefix("LOADING") || message.hasPrefix("BUSY") || message.hasPrefix("MASTERDOWN") || message.hasPrefix("TRYAGAIN")
    }

    /// Runs `script` with `keys` and `arguments` and returns its reply; an error reply is `io`, or the
    /// status the script names (`redis.error_reply("AGSTATE_CORRUPT ...")`).
    func evaluate(_ script: RedisScript, keys: [String], arguments: [[UInt8]]) throws(AGError) -> RedisReply {
        let tail = keys.map { Array($0.utf8) } + arguments
        var reply = try command([Array("EVALSHA".utf8), Array(script.sha.utf8), Array(String(keys.count).utf8)] + tail)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            reply = try command([Array("EVAL".utf8), Array(script.source.utf8), Array(String(keys.count).utf8)] + tail)
        }
        if case .error(let message) = reply {
            if message.hasPrefix("AGSTATE_CORRUPT ") { throw AGError(.corruptData, String(message.dropFirst("AGSTATE_CORRUPT ".count))) }
            throw AGError(.io, "Redis: \(message)")
        }
        return reply
    }
}
