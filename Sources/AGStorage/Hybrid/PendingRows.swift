import AGCore

/// The fallback database's record of which stores hold changes the primary does not have yet: a row per
/// such store with `synced`, the primary's version those changes were made on. The store's rows in the
/// fallback are its checkpoint at `synced` and its changes after it, the pending ones (replayed to the
/// primary in version order). A store without a row here has nothing pending.
enum PendingRows {
    static let create = """
        CREATE TABLE IF NOT EXISTS agstate_hybrid_pending(store TEXT PRIMARY KEY NOT NULL, synced INTEGER NOT NULL)
        """

    static func synced(_ connection: SQLiteConnection, store: String) throws(AGError) -> UInt64? {
        let statement = try connection.statement("SELECT synced FROM agstate_hybrid_pending WHERE store = ?")
        try statement.bind(1, text: store)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return UInt64(bitPattern: statement.int64(0))
    }

    static func setSynced(_ connection: SQLiteConnection, store: String, version: UInt64) throws(AGError) {
        let statement = try connection.statement("INSERT OR REPLACE INTO agstate_hybrid_pending(store, synced) VALUES(?, ?)")
        try statement.bind(1, text: store)
        try statement.bind(2, version)
        try statement.run()
    }

    /// How many changes wait for the primary: of `store`, or of every store (nil).
    static func count(_ connection: SQLiteConnection, store: String? = nil) throws(AGError) -> UInt64 {
        let join = "SELECT count(*) FROM agstate_changes c JOIN agstate_hybrid_pending p ON c.store = p.store AND c.version > p.synced"
        let statement = try connection.statement(store == nil ? join : join + " WHERE p.store = ?")
        if let store { try statement.bind(1, text: store) }
        defer { statement.reset() }
        guard try statement.step() else { return 0 }
        return UInt64(bitPattern: statement.int64(0))
    }

    /// Makes the fallback's copy of `store` its state at the primary's `version` (the checkpoint `row`),
    /// with nothing pending yet: the start of a failover.
    static func begin(_ connection: SQLiteConnection, store: String, version: UInt64, checkpoint row: [UInt8]) throws(AGError) {
        try clear(connection, store: store)
        let made = try connection.statement("INSERT INTO agstate_stores(id, created) VALUES(?, strftime('%s','now'))")
        try made.bind(1, text: store)
        try made.run()
        try StoreRows.insert(connection, table: "agstate_checkpoints", store: store, version: version, data: row)
        try setSynced(connection, store: store, version: version)
    }

    /// Removes the fallback's copy of `store` (every change is on the primary).
    static func clear(_ connection: SQLiteConnection, store: String) throws(AGError) {
        for sql in ["DELETE FROM agstate_changes WHERE store = ?", "DELETE FROM agstate_checkpoints WHERE store = ?",
                    "DELETE FROM agstate_stores WHERE id = ?", "DELETE FROM agstate_hybrid_pending WHERE store = ?"] {
            let statement = try connection.statement(sql)
            try statement.bind(1, text: store)
            try statement.run()
        }
    }

    /// The stores with pending changes.
    static func stores(_ connection: SQLiteConnection) throws(AGError) -> [String] {
        let statement = try connection.statement("SELECT store FROM agstate_hybrid_pending ORDER BY store")
        defer { statement.reset() }
        var ids: [String] = []
        while try statement.step() { ids.append(statement.text(0)) }
        return ids
    }
}
