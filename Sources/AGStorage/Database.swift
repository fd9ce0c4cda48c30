import AGCore

/// The one SQLite connection of a storage, behind a lock: every read and write of the storage goes
/// through `withConnection`, one at a time. Closing it makes every later call fail with `closed`.
final class Database: @unchecked Sendable {
    private let lock = Lock()
    private var connection: SQLiteConnection?
    let path: String

    /// Opens the database at `path`: checks an existing file first (left untouched when it is not an
    /// agstate database), creates the schema in a new one, then turns on WAL.
    init(path: String, options: StorageOptions) throws(AGError) {
        self.path = path
        try DatabaseFile.check(path)
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Int32(options.busyTimeoutMilliseconds))
        do throws(AGError) {
            try Schema.prepare(connection)
            let mode = try connection.statement("PRAGMA journal_mode=WAL")
            let walOn = try mode.step() && mode.text(0) == "wal"
            mode.reset()
            guard walOn else { throw AGError(.io, "cannot turn on WAL mode in \(path)") }
            try connection.execute("PRAGMA synchronous=\(options.durability == .full ? "FULL" : "NORMAL")")
            // Bounds the WAL file left after a checkpoint of the database (not the WAL's content).
            try connection.execute("PRAGMA journal_size_limit=67108864")
        } catch {
            connection.close()
            throw error
        }
        self.connection = connection
    }

    /// Runs `body` with the connection, alone.
    func withConnection<R>(_ body: (SQLiteConnection) throws(AGError) -> R) throws(AGError) -> R {
        try lock.withLock { () throws(AGError) -> R in
            guard let connection else { throw AGError(.closed, "the storage \(path) is closed") }
            return try body(connection)
        }
    }

    /// Runs `body` in one transaction, rolled back when it throws. A writing transaction takes the
    /// database's write lock at once (IMMEDIATE); a reading one sees one consistent version of every table.
    func transaction<R>(writing: Bool = true, _ body: (SQLiteConnection) throws(AGError) -> R) throws(AGError) -> R {
        try withConnection { (connection) throws(AGError) -> R in
            try connection.execute(writing ? "BEGIN IMMEDIATE" : "BEGIN")
            do throws(AGError) {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                if !connection.inAutocommit { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    func close() {
        lock.withLock {
            connection?.close()
            connection = nil
        }
    }
}
