#if canImport(Glibc)
import Glibc
#endif
import AGCore
import CLibpq

/// A parameter of a PostgreSQL statement: text (strings, numbers) or bytes (bytea, sent as binary).
enum PGParam {
    case text(String)
    case bytes([UInt8])
}

/// The rows of one statement, read in binary format (bigint is 8 bytes big-endian, text and bytea raw).
final class PGResult {
    let result: OpaquePointer
    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    var rows: Int { Int(PQntuples(result)) }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) != 0 }

    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        let count = Int(PQgetlength(result, Int32(row), Int32(column)))
        guard count > 0, let value = PQgetvalue(result, Int32(row), Int32(column)) else { return [] }
        return value.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    func text(_ row: Int, _ column: Int) -> String { String(decoding: bytes(row, column), as: UTF8.self) }

    /// A bigint (int8) column.
    func int64(_ row: Int, _ column: Int) -> Int64 {
        bytes(row, column).prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// An integer (int4) column.
    func int32(_ row: Int, _ column: Int) -> Int32 {
        Int32(truncatingIfNeeded: bytes(row, column).prefix(4).reduce(Int64(0)) { ($0 << 8) | Int64($1) })
    }
}

/// One libpq connection. Not shared between threads: the pool hands it to one user at a time.
///
/// Failures are statuses: a lost connection (or a server shutting down) is `unavailable`, a duplicate
/// key is `conflict`, a foreign key to a deleted store is `closed`, anything else is `io` with the
/// server's message.
final class PGConnection {
    let connection: OpaquePointer
    /// When it was last handed back to the pool (monotonic milliseconds).
    var idleSince: UInt64 = 0

    /// Connects to `url` (a libpq connection URI or keyword string), giving up after `timeoutSeconds`.
    init(url: String, timeoutSeconds: Int) throws(AGError) {
        let keywords = ["connect_timeout", "dbname"]
        let values = [String(timeoutSeconds), url]
        let made: OpaquePointer? = keywords.withCStrings { keys in values.withCStrings { vals in PQconnectdbParams(keys, vals, 1) } }
        guard let made else { throw AGError(.noMemory, "libpq could not allocate a connection") }
        guard PQstatus(made) == CONNECTION_OK else {
            let message = PGConnection.message(PQerrorMessage(made))
            PQfinish(made)
            throw AGError(.unavailable, "cannot connect to PostgreSQL: \(message)")
        }
        // The server's notices ("relation already exists, skipping") are not for the caller's stderr.
        PQsetNoticeProcessor(made, { _, _ in }, nil)
        connection = made
    }

    deinit { PQfinish(connection) }

    var isBroken: Bool { PQstatus(connection) != CONNECTION_OK }

    var socket: Int32 { PQsocket(connection) }

    /// Runs one statement with `params` ($1, $2, ...) and returns its rows.
    @discardableResult
    func execute(_ sql: String, _ params: [PGParam] = []) throws(AGError) -> PGResult {
        var owned: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var types: [UInt32] = []
        defer { for pointer in owned { pointer?.deallocate() } }
        for param in params {
            let bytes: [UInt8]
            switch param {
            case .text(let text): bytes = Array(text.utf8); formats.append(0); types.append(0)
            case .bytes(let data): bytes = data; formats.append(1); types.append(17)   // bytea
            }
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { pointer.initialize(from: $0.baseAddress!, count: bytes.count) }
            }
            pointer[bytes.count] = 0
            owned.append(pointer)
            guard bytes.count <= Int(Int32.max) else { throw AGError(.limitExceeded, "a PostgreSQL parameter is larger than 2 GB") }
            lengths.append(Int32(bytes.count))
        }
        let raw: OpaquePointer? = owned.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(connection, sql, Int32(params.count), types, values.baseAddress, lengths, formats, 1)
            }
        }
        guard let raw else {
            throw AGError(.unavailable, "PostgreSQL: \(PGConnection.message(PQerrorMessage(connection)))")
        }
        let result = PGResult(raw)
        let status = PQresultStatus(raw)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return result }
        let message = PGConnection.message(PQresultErrorMessage(raw))
        let state = PQresultErrorField(raw, 67).map { String(cString: $0) } ?? ""   // PG_DIAG_SQLSTATE
        // No SQLSTATE: the failure is on the client side (the server closed the connection, say).
        if isBroken || state.isEmpty || state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" {
            throw AGError(.unavailable, "PostgreSQL connection lost: \(message)")
        }
        switch state {
        case "23505": throw AGError(.conflict, "PostgreSQL: \(message)")
        case "23503": throw AGError(.closed, "PostgreSQL: \(message)")
        default: throw AGError(.io, "PostgreSQL (\(state)): \(message)")
        }
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        var message = String(cString: text)
        while message.last == "\n" || message.last == " " { message.removeLast() }
        return message
    }
}

extension Array where Element == String {
    /// Calls `body` with a NULL-terminated array of C strings.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { body($0.baseAddress!) }
        }
    }
}

/// Monotonic milliseconds, for timeouts and the breaker.
func monotonicMilliseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
}
