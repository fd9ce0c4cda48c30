import AGCore
import AGJSON
import AGState

/// Durable stores in one SQLite database: open a store by id (its last checkpoint loaded and the changes after it
/// replayed, or created with an initial state), list and delete stores, back them up.
///
/// A store opened here is an ordinary `Store` whose every commit returns only once its change is in the
/// database (see `StoreJournal`). One storage may be used from many threads; commits of different stores
/// share transactions and syncs (see `GroupCommitter`).
final class SQLiteStorage: @unchecked Sendable {
    public let path: String
    let options: StorageOptions
    let codec: RowCodec
    let database: Database
    let committer: GroupCommitter
    /// The stores open now, by id, so that opening one twice gives the same store.
    private var open: [String: OpenStore] = [:]
    private let registryLock = Lock()

    private struct OpenStore {
        weak var store: Store?
        let journal: DurableJournal
    }


    /// Opens the storage at `url`: `sqlite:PATH` or `file:PATH` (the same), the database created when missing.
    init(url: String, options: StorageOptions = StorageOptions()) throws(AGError) {
        path = try SQLiteStorage.path(of: url)
        self.options = try options.validated()
        codec = RowCodec(sealer: try RowSealer(current: options.key, old: options.oldKeys))
        database = try Database(path: path, options: self.options)
        committer = GroupCommitter(database: database)
    }

    static func path(of url: String) throws(AGError) -> String {
        for scheme in ["sqlite:", "file:"] where url.hasPrefix(scheme) {
            let path = String(url.dropFirst(scheme.count))
            guard !path.isEmpty else { throw AGError(.invalidArgument, "the storage URL \"\(url)\" has no path") }
            guard !path.utf8.contains(0) else { throw AGError(.invalidArgument, "the storage path contains a NUL byte") }
            return path
        }
        throw AGError(.invalidArgument, "unsupported storage URL \"\(url)\" (sqlite:PATH or file:PATH)")
    }

    /// The durable store `id`: loaded when it exists (then `initial` is ignored), created with `initial`
    /// (an empty object when nil) at version 0 otherwise.
    public func openStore(_ id: String, initial: JSONValue? = nil, limits: StoreLimits = DefaultLimits.current) throws(AGError) -> Store {
        try Storage.checkID(id)
        return try registryLock.withLock { () throws(AGError) -> Store in
            if let existing = open[id], let store = existing.store, !existing.journal.deleted { return store }
            let (store, journal) = try StoreLoader(storage: self, id: id, limits: limits).openOrCreate(initial: initial)
            store.attach(journal: journal)
            open[id] = OpenStore(store: store, journal: journal)
            return store
        }
    }

    /// The ids of the stores in the database, sorted.
    public func list() throws(AGError) -> [String] {
        try database.withConnection { (connection) throws(AGError) -> [String] in
            let statement = try connection.statement("SELECT id FROM agstate_stores ORDER BY id")
            defer { statement.reset() }
            var ids: [String] = []
            while try statement.step() { ids.append(statement.text(0)) }
            return ids
        }
    }

    /// Deletes store `id` and all its rows. A store still open from it stays readable, but its commits
    /// fail with `closed`. Deleting a store that does not exist is `pathNotFound`.
    public func delete(_ id: String) throws(AGError) {
        try Storage.checkID(id)
        try registryLock.withLock { () throws(AGError) in
            try database.transaction { (connection) throws(AGError) in
                guard try StoreRows.exists(connection, store: id) else {
                    throw AGError(.pathNotFound, "there is no store \"\(id)\" in \(path)")
                }
                for table in ["agstate_changes", "agstate_checkpoints"] {
                    let statement = try connection.statement("DELETE FROM \(table) WHERE store = ?")
                    try statement.bind(1, text: id)
                    try statement.run()
                }
                let statement = try connection.statement("DELETE FROM agstate_stores WHERE id = ?")
                try statement.bind(1, text: id)
                try statement.run()
                // Under the database lock, so no write of the store is between its check and its insert.
                open[id]?.journal.deleted = true
            }
            open[id] = nil
        }
    }

    /// Closes the database. Stores opened from it stay readable; their commits fail with `closed`.
    public func close() {
        database.close()
    }
}
