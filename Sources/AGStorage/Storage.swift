import AGCore
import AGJSON
import AGState

/// Durable stores behind one URL: `sqlite:PATH` or `file:PATH` (an embedded database, one process),
/// `postgres://...` or `postgresql://...`, `redis://...` or `redis+unix://...` (a server shared by many
/// processes), `hybrid:PRIMARY|FALLBACK` (a PostgreSQL primary with a SQLite fallback while it is
/// unreachable). Open a store by id (its stored state loaded, or created with an initial state), list and
/// delete stores, back them up.
///
/// A store opened here is an ordinary `Store` whose every commit returns only once its change is stored.
public final class Storage: @unchecked Sendable {
    private enum Backend {
        case sqlite(SQLiteStorage)
        case postgres(PostgresStorage)
        case redis(RedisStorage)
        case hybrid(HybridStorage)
    }
    private let backend: Backend

    /// Bounds a store id (it is a key in every row of the store).
    public static let maxIDBytes = 1024

    public init(url: String, options: StorageOptions = StorageOptions()) throws(AGError) {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard !url.utf8.contains(0) else { throw AGError(.invalidArgument, "the storage URL contains a NUL byte") }
            backend = .postgres(try PostgresStorage(url: url, options: options))
        } else if url.hasPrefix("redis://") || url.hasPrefix("redis+unix://") {
            guard !url.utf8.contains(0) else { throw AGError(.invalidArgument, "the storage URL contains a NUL byte") }
            backend = .redis(try RedisStorage(url: url, options: options))
        } else if url.hasPrefix(HybridURL.scheme) {
            backend = .hybrid(try HybridStorage(url: url, options: options))
        } else {
            backend = .sqlite(try SQLiteStorage(url: url, options: options))
        }
    }

    /// The SQLite storage behind this one, when it is one (for tests).
    var sqlite: SQLiteStorage? {
        if case .sqlite(let storage) = backend { return storage }
        return nil
    }

    /// The hybrid storage behind this one, when it is one (for tests).
    var hybrid: HybridStorage? {
        if case .hybrid(let storage) = backend { return storage }
        return nil
    }

    /// The SQLite database's path ("" for a server).
    public var path: String {
        if case .sqlite(let storage) = backend { return storage.path }
        return ""
    }

    static func checkID(_ id: String) throws(AGError) {
        let count = id.utf8.count
        guard count >= 1, count <= maxIDBytes else {
            throw AGError(.invalidArgument, "a store id is 1 to \(maxIDBytes) bytes, not \(count)")
        }
        guard !id.utf8.contains(0) else { throw AGError(.invalidArgument, "a store id may not contain a NUL byte") }
    }

    /// The durable store `id`: loaded when it exists (then `initial` is ignored), created with `initial`
    /// (an empty object when nil) at version 0 otherwise. Opening it twice gives the same store.
    public func openStore(_ id: String, initial: JSONValue? = nil, limits: StoreLimits = DefaultLimits.current) throws(AGError) -> Store {
        try Storage.checkID(id)
        switch backend {
        case .sqlite(let storage): return try storage.openStore(id, initial: initial, limits: limits)
        case .postgres(let storage): return try storage.openStore(id, initial: initial, limits: limits)
        case .redis(let storage): return try storage.openStore(id, initial: initial, limits: limits)
        case .hybrid(let storage): return try storage.openStore(id, initial: initial, limits: limits)
        }
    }

    /// The ids of the stores, sorted by their bytes.
    public func list() throws(AGError) -> [String] {
        switch backend {
        case .sqlite(let storage): return try storage.list()
        case .postgres(let storage): return try storage.list()
        case .redis(let storage): return try storage.list()
        case .hybrid(let storage): return try storage.list()
        }
    }

    /// Deletes store `id` and all its rows. A store still open from it stays readable, but its commits
    /// fail with `closed`. Deleting a store that does not exist is `pathNotFound`.
    public func delete(_ id: String) throws(AGError) {
        try Storage.checkID(id)
        switch backend {
        case .sqlite(let storage): try storage.delete(id)
        case .postgres(let storage): try storage.delete(id)
        case .redis(let storage): try storage.delete(id)
        case .hybrid(let storage): try storage.delete(id)
        }
    }

    /// Writes the stores `ids` (nil: all) to a backup file (SQLite storages).
    public func exportBackup(ids: [String]?, to path: String) throws(AGError) {
        guard case .sqlite(let storage) = backend else {
            throw AGError(.invalidArgument, "backups are made from SQLite storages (use the server's own backup tools)")
        }
        try storage.exportBackup(ids: ids, to: path)
    }

    /// Reads a backup file into the storage, all or nothing (SQLite storages).
    public func importBackup(from path: String) throws(AGError) -> [String] {
        guard case .sqlite(let storage) = backend else {
            throw AGError(.invalidArgument, "backups are imported into SQLite storages")
        }
        return try storage.importBackup(from: path)
    }

    /// The backend's counters as a JSON object: for PostgreSQL the pool, the circuit breaker's state and
    /// transitions, retries, the listener, conflicts and changes applied from other processes; Redis the
    /// same and the server's persistence settings.
    public func statistics() -> String {
        switch backend {
        case .sqlite: return #"{"backend":"sqlite"}"#
        case .postgres(let storage): return storage.statistics()
        case .redis(let storage): return storage.statistics()
        case .hybrid(let storage): return storage.statistics()
        }
    }

    /// Closes the storage. Stores opened from it stay readable; their commits fail with `closed`.
    public func close() {
        switch backend {
        case .sqlite(let storage): storage.close()
        case .postgres(let storage): storage.close()
        case .redis(let storage): storage.close()
        case .hybrid(let storage): storage.close()
        }
    }
}
