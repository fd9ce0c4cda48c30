import AGCore

extension Storage {
    /// True when the storage holds a store `id`: one indexed read on SQLite; on a server, from the list of
    /// ids (a registry asks only when a store is opened without an initial state).
    public func contains(_ id: String) throws(AGError) -> Bool {
        try Storage.checkID(id)
        guard let sqlite else { return try list().contains(id) }
        return try sqlite.database.transaction(writing: false) { (connection) throws(AGError) -> Bool in
            try StoreRows.exists(connection, store: id)
        }
    }
}
