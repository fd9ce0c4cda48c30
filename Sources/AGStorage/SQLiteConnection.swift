#if canImport(Glibc)
import Glibc
#endif
import AGCore
import CSQLite

/// One SQLite connection, used by one thread at a time (its owner serialises the calls). Failures become
/// `AGError`s carrying SQLite's own message: `io` for what the disk or another process caused (full,
/// read-only, locked, I/O error), `corruptData` for a damaged or foreign file.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens (creating when missing) the database at `path`.
    init(path: String, busyTimeoutMilliseconds: Int32) throws(AGError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(db)
            throw AGError(.io, "cannot open the database \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { close() }

    func close() {
        for (_, statement) in statements { sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// The error for a failed call: SQLite's message, classified.
    func failure(_ status: Int32, _ doing: String) -> AGError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
        let primary = status & 0xFF
        let code: AGErrorCode = (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) ? .corruptData : .io
        return AGError(code, "\(doing) failed in \(path): \(message)")
    }

    /// Runs SQL text with no results (one or more statements).
    func execute(_ sql: String) throws(AGError) {
        guard let handle else { throw AGError(.closed, "the storage is closed") }
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw failure(status, sql.split(separator: " ").prefix(2).joined(separator: " ")) }
    }

    /// Runs one statement with no results through the statement cache (no SQL parsing after the first
    /// time): for the transaction statements of every commit.
    func run(_ sql: String) throws(AGError) {
        try statement(sql).run()
    }

    /// True when no transaction is open (SQLite rolls one back by itself after some failures).
    var inAutocommit: Bool { handle.map { sqlite3_get_autocommit($0) != 0 } ?? true }

    /// A prepared statement, kept for reuse; reset and unbound before it is handed out.
    func statement(_ sql: String) throws(AGError) -> Statement {
        guard let handle else { throw AGError(.closed, "the storage is closed") }
        if let cached = statements[sql] {
            sqlite3_reset(cached)
            sqlite3_clear_bindings(cached)
            return Statement(raw: cached, connection: self)
        }
        var raw: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK, let raw else { throw failure(status, "preparing a statement") }
        statements[sql] = raw
        return Statement(raw: raw, connection: self)
    }

    /// An integer from a `PRAGMA name` query.
    func pragmaInteger(_ name: String) throws(AGError) -> Int64 {
        let statement = try statement("PRAGMA \(name)")
        defer { statement.reset() }
        guard try statement.step() else { return 0 }
        return statement.int64(0)
    }
}

/// A prepared statement of a connection: bind, step, read columns. Valid until the next `statement` call
/// for the same SQL.
struct Statement {
    let raw: OpaquePointer
    unowned let connection: SQLiteConnection

    func bind(_ index: Int32, _ value: Int64) throws(AGError) {
        let status = sqlite3_bind_int64(raw, index, value)
        guard status == SQLITE_OK else { throw connection.failure(status, "binding a value") }
    }

    func bind(_ index: Int32, _ value: UInt64) throws(AGError) {
        guard value <= UInt64(Int64.max) else { throw AGError(.limitExceeded, "version \(value) is beyond what storage keeps (2^63 - 1)") }
        try bind(index, Int64(value))
    }

    func bind(_ index: Int32, text: String) throws(AGError) {
        var copy = text
        let status = copy.withUTF8 { utf8 in
            agstate_sqlite3_bind_text_copy(raw, index, UnsafeRawPointer(utf8.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(utf8.count))
        }
        guard status == SQLITE_OK else { throw connection.failure(status, "binding a text") }
    }

    func bind(_ index: Int32, blob: [UInt8]) throws(AGError) {
        guard blob.count < Int(Int32.max) else { throw AGError(.limitExceeded, "a row of \(blob.count) bytes is beyond SQLite's limit") }
        let status = blob.withUnsafeBytes { bytes in
            agstate_sqlite3_bind_blob_copy(raw, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count))
        }
        guard status == SQLITE_OK else { throw connection.failure(status, "binding a blob") }
    }

    /// Steps once: true when a row is there to read, false when done.
    @discardableResult
    func step() throws(AGError) -> Bool {
        let status = sqlite3_step(raw)
        if status == SQLITE_ROW { return true }
        if status == SQLITE_DONE { return false }
        let error = connection.failure(status, "a statement")
        sqlite3_reset(raw)
        throw error
    }

    /// Runs a statement that returns no rows, then resets it (releasing its read of the database).
    func run() throws(AGError) {
        try step()
        sqlite3_reset(raw)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(raw, column) else { return "" }
        let count = Int(sqlite3_column_bytes(raw, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let data = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: count))
    }

    /// Calls `body` with the column's bytes where SQLite holds them (valid until the next step or reset).
    func withBlob<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws(AGError) -> R) throws(AGError) -> R {
        // Blob first, then its size (SQLite's documented order).
        let data = sqlite3_column_blob(raw, column)
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let data else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: data, count: count))
    }

    func reset() { sqlite3_reset(raw) }
}
