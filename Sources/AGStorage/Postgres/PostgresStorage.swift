#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState
import CLibpq

/// Durable stores in PostgreSQL, shared by any number of processes.
///
/// A commit is a row keyed by (store id, version), written (and with the server's synchronous_commit,
/// flushed) before the commit returns. When another process wrote that version first, the insert fails
/// on the key: the store catches up with the stored changes and the commit fails with `conflict`. Every
/// insert notifies (store id, version) on one channel; a listener thread per storage applies the changes
/// other processes made to the stores open here, in version order, once each (subscribers are told on
/// that thread). While the server cannot be reached, commits fail with `unavailable` (at once while the
/// circuit breaker is open) and change nothing.
final class PostgresStorage: @unchecked Sendable {
    let url: String
    let pool: PGPool
    let options: StorageOptions
    let codec: RowCodec
    /// Guards the open stores (held while one is loaded, so that it is loaded once).
    private let lock = Lock()
    /// Guards the counters (taken inside `lock` too, never the other way).
    private let countersLock = Lock()
    private var open: [String: OpenStore] = [:]
    private var listener: PGListener?
    private(set) var conflicts: UInt64 = 0
    private(set) var applied: UInt64 = 0
    private(set) var catchUpErrors: UInt64 = 0
    private var lastCatchUpError = ""

    /// Both weak: the store holds its journal and the journal holds this storage, so a strong journal here
    /// would be a cycle that keeps every storage that opened a store alive forever.
    struct OpenStore {
        weak var store: Store?
        weak var journal: PostgresJournal?
    }

    init(url: String, options: StorageOptions) throws(AGError) {
        let (libpqURL, settings) = try PGSettings.parse(url)
        self.url = libpqURL
        self.options = try options.validated()
        codec = RowCodec(sealer: try RowSealer(current: options.key, old: options.oldKeys))
        pool = PGPool(url: libpqURL, settings: settings)
        try pool.run { (connection) throws(AGError) in try PGSchema.prepare(connection) }
        let listener = PGListener(storage: self)
        self.listener = listener
        try listener.start()
    }

    func openStore(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store {
        try lock.withLock { () throws(AGError) -> Store in
            if let existing = open[id], let store = existing.store, let journal = existing.journal, !journal.deleted {
                return store
            }
            let store = try load(id, initial: initial, limits: limits)
            let journal = PostgresJournal(id: id, storage: self)
            store.attach(journal: journal)
            open[id] = OpenStore(store: store, journal: journal)
            return store
        }
        // Changes committed between the load and the registration are applied by the next catch-up.
    }

    /// Registers `store` (at the database's state, or behind it) as open here under `id` with `journal`
    /// (attached by the caller, or wrapped): the listener catches it up from now on.
    func register(_ store: Store, id: String, journal: PostgresJournal) {
        lock.withLock { open[id] = OpenStore(store: store, journal: journal) }
    }

    /// The journal of the open store `id`.
    func journal(of id: String) -> PostgresJournal? { lock.withLock { open[id]?.journal } }

    /// Stops applying other processes' changes to the open store `id` (its changes go elsewhere for now).
    func release(_ id: String) { lock.withLock { open[id] = nil } }

    /// Creates the store (with its checkpoint at version 0) unless another process has, then loads it.
    func load(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store {
        let initialState = initial ?? .object(JSONObject())
        let row = try codec.encodeState(initialState, store: id, version: 0)
        try pool.run { (connection) throws(AGError) in
            try connection.execute("BEGIN")
            do throws(AGError) {
                let made = try connection.execute(
                    "INSERT INTO agstate_stores(id, created) VALUES($1, extract(epoch from now())::bigint) ON CONFLICT DO NOTHING RETURNING 1",
                    [.text(id)])
                if made.rows == 1 {
                    try connection.execute("INSERT INTO agstate_checkpoints(store, version, data) VALUES($1, 0, $2)", [.text(id), .bytes(row)])
                }
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
        let (base, checkpoint) = try pool.run { (connection) throws(AGError) -> (UInt64, [UInt8]) in
            let rows = try connection.execute(
                "SELECT version, data FROM agstate_checkpoints WHERE store = $1 ORDER BY version DESC LIMIT 1", [.text(id)])
            guard rows.rows == 1 else { throw AGError(.corruptData, "store \"\(id)\" has no checkpoint") }
            return (UInt64(rows.int64(0, 0)), rows.bytes(0, 1))
        }
        let state = try RowCodec.parse(try codec.decode(checkpoint, store: id, version: base, kind: RowFormat.checkpoint),
                                       "the checkpoint of store \"\(id)\" at version \(base)")
        let store = try Store(restoring: state, version: base, limits: limits)
        try catchUp(store, id: id)
        return store
    }

    /// Applies the stored changes of `id` after the store's version, in order. Serialised per store by
    /// the journal's lock, so the listener and a committer that lost a race do not fetch twice.
    func catchUp(_ store: Store, id: String) throws(AGError) {
        while true {
            let from = store.version
            let rows = try pool.run { (connection) throws(AGError) -> [(UInt64, [UInt8])] in
                let result = try connection.execute(
                    "SELECT version, data FROM agstate_changes WHERE store = $1 AND version > $2::bigint ORDER BY version LIMIT 1000",
                    [.text(id), .text(String(from))])
                return (0..<result.rows).map { (UInt64(result.int64($0, 0)), result.bytes($0, 1)) }
            }
            guard !rows.isEmpty else { return }
            for (version, row) in rows {
                let text = try codec.decode(row, store: id, version: version, kind: RowFormat.change)
                let patch: JSONPatch
                var author: String?
                do throws(AGError) {
                    if ChangeRow.hasAuthor(text) {
                        let value = try JSONParser.parse(text, options: ParseOptions(limits: store.limits))
                        guard let (operations, named) = ChangeRow.read(value) else {
                            throw AGError(.invalidPatch, "the row is an object without a \"patch\"")
                        }
                        patch = try JSONPatch(parsing: operations)
                        author = named
                    } else {
                        patch = try text.withUnsafeBytes { raw in
                            Result { () throws(AGError) in try JSONPatch(parsing: raw, options: ParseOptions(limits: store.limits)) }
                        }.get()
                    }
                } catch {
                    throw AGError(.corruptData, "the change of store \"\(id)\" at version \(version) is not a JSON Patch: \(error.message)")
                }
                if try store.applyStored(patch, version: version, author: author) { countersLock.withLock { applied += 1 } }
            }
            if rows.count < 1000 { return }
        }
    }

    /// Catches up the open store `id` (nil: every open store) unless it already has version `through`,
    /// recording a failure instead of throwing.
    func catchUp(only id: String?, through: UInt64 = UInt64.max) {
        let targets: [(String, Store, PostgresJournal)] = lock.withLock {
            open.compactMap { (key, entry) in
                guard id == nil || key == id, let store = entry.store, let journal = entry.journal,
                      store.version < through else { return nil }
                return (key, store, journal)
            }
        }
        for (key, store, journal) in targets {
            do throws(AGError) {
                try journal.catchUpLock.withLock { () throws(AGError) in try catchUp(store, id: key) }
            } catch {
                countersLock.withLock { catchUpErrors += 1; lastCatchUpError = error.message }
            }
        }
    }

    func countConflict() { countersLock.withLock { conflicts += 1 } }

    func list() throws(AGError) -> [String] {
        try pool.run { (connection) throws(AGError) -> [String] in
            let rows = try connection.execute("SELECT id FROM agstate_stores ORDER BY id COLLATE \"C\"")
            return (0..<rows.rows).map { rows.text($0, 0) }
        }
    }

    func delete(_ id: String) throws(AGError) {
        try lock.withLock { () throws(AGError) in
            let rows = try pool.run { (connection) throws(AGError) -> Int in
                try connection.execute("DELETE FROM agstate_stores WHERE id = $1 RETURNING 1", [.text(id)]).rows
            }
            guard rows == 1 else { throw AGError(.pathNotFound, "there is no store \"\(id)\" in the database") }
            open[id]?.journal?.deleted = true
            open[id] = nil
        }
    }

    deinit { close() }

    func close() {
        let listener = lock.withLock { () -> PGListener? in
            let taken = self.listener
            self.listener = nil
            return taken
        }
        listener?.stop()
        pool.close()
    }

    /// The pool, breaker, listener and counters as one JSON object.
    func statistics() -> String {
        let openCount = lock.withLock { open.count }
        let (conflicts, applied, errors, last): (UInt64, UInt64, UInt64, String) = countersLock.withLock {
            (self.conflicts, self.applied, catchUpErrors, lastCatchUpError)
        }
        let listenerStats = lock.withLock { listener }?.statistics() ?? #""connected":false,"reconnects":0,"notifications":0"#
        return #"{"backend":"postgres",\#(pool.statistics()),"listener":{\#(listenerStats)},"open_stores":\#(openCount),"# +
            #""conflicts":\#(conflicts),"applied_from_others":\#(applied),"catch_up_errors":\#(errors),"last_catch_up_error":\#(String(decoding: JSONSerializer.serialize(.string(last)), as: UTF8.self))}"#
    }
}

/// The journal of one store in PostgreSQL.
final class PostgresJournal: StoreJournal, @unchecked Sendable {
    let id: String
    /// Strong: a store may outlive its storage's handle (its commits then fail with `closed`); the storage
    /// holds its stores and journals weakly, so there is no cycle.
    private let storage: PostgresStorage
    let catchUpLock = Lock()
    var deleted = false
    private var changesSinceCheckpoint: UInt64 = 0
    private var bytesSinceCheckpoint: UInt64 = 0

    init(id: String, storage: PostgresStorage) {
        self.id = id
        self.storage = storage
    }

    func record(_ change: Change, state: JSONValue, history: HistoryLimits) throws(AGError) {
        guard !deleted else { throw AGError(.closed, "store \"\(id)\" was deleted from the storage") }
        let version = change.version
        let row = try storage.codec.encodeChange(change.operations, author: change.author, store: id, version: version)
        let changes = changesSinceCheckpoint + 1
        let bytes = bytesSinceCheckpoint &+ UInt64(row.count)
        let checkpointRow: [UInt8]? = (changes >= storage.options.checkpointChanges || bytes >= storage.options.checkpointBytes)
            ? try storage.codec.encodeState(state, store: id, version: version) : nil
        // Tells this commit's row from another process's on a retry after a lost connection.
        let writer = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let id = self.id
        let params: [PGParam] = [.text(id), .text(String(version)), .bytes(row), .bytes(writer)]
        let insert = "INSERT INTO agstate_changes(store, version, data, writer) VALUES($1, $2::bigint, $3, $4)"
        // The notification goes in a transaction of its own, after the change's: a transaction that notifies
        // holds the server's notification queue lock through its commit, WAL flush included, which would
        // serialise every commit of every process; one that only notifies writes nothing to flush. A
        // notification lost to a crash between the two is made up for by the listener's sweep.
        let notify = "SELECT pg_notify('\(PGSchema.channel)', $1)"
        let payload: [PGParam] = [.text("\(version) \(id)")]
        try storage.pool.run { (connection) throws(AGError) in
            do throws(AGError) {
                if let checkpointRow {
                    try connection.execute("BEGIN")
                    do throws(AGError) {
                        try connection.execute(insert, params)
                        try connection.execute(
                            "INSERT INTO agstate_checkpoints(store, version, data) VALUES($1, $2::bigint, $3) ON CONFLICT DO NOTHING",
                            [.text(id), .text(String(version)), .bytes(checkpointRow)])
                        // Changes the history bound no longer needs, up to an older checkpoint.
                        let reach = UInt64(max(0, history.maxVersions))
                        if version > reach {
                            try connection.execute("""
                                WITH base AS (SELECT max(version) AS v FROM agstate_checkpoints WHERE store = $1 AND version <= $2::bigint)
                                DELETE FROM agstate_changes WHERE store = $1 AND version <= (SELECT v FROM base)
                                """, [.text(id), .text(String(version - reach))])
                            try connection.execute("""
                                WITH base AS (SELECT max(version) AS v FROM agstate_checkpoints WHERE store = $1 AND version <= $2::bigint)
                                DELETE FROM agstate_checkpoints WHERE store = $1 AND version < (SELECT v FROM base)
                                """, [.text(id), .text(String(version - reach))])
                        }
                        try connection.execute("COMMIT")
                    } catch {
                        if !connection.isBroken { _ = try? connection.execute("ROLLBACK") }
                        throw error
                    }
                } else {
                    try connection.execute(insert, params)
                }
                _ = try? connection.execute(notify, payload)
            } catch where error.code == .conflict {
                // Our own row, written by an attempt whose answer was lost, is a success.
                let rows = try connection.execute("SELECT writer FROM agstate_changes WHERE store = $1 AND version = $2::bigint",
                                                  [.text(id), .text(String(version))])
                if rows.rows == 1 && rows.bytes(0, 0) == writer { return }
                throw AGError(.conflict, "store \"\(id)\": another process committed version \(version) first; the store has caught up, retry the change")
            } catch where error.code == .closed {
                throw AGError(.closed, "store \"\(id)\" was deleted from the storage")
            }
        }
        if checkpointRow != nil {
            changesSinceCheckpoint = 0
            bytesSinceCheckpoint = 0
        } else {
            changesSinceCheckpoint = changes
            bytesSinceCheckpoint = bytes
        }
    }

    func recordFailed(_ error: AGError, store: Store) {
        guard error.code == .conflict else { return }
        storage.countConflict()
        do throws(AGError) {
            try catchUpLock.withLock { () throws(AGError) in try storage.catchUp(store, id: id) }
        } catch {
            // The listener catches up later; the commit's answer stays `conflict`.
        }
    }
}
