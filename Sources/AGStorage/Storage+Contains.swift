import AGCore

extension Storage {
    /// True when the database holds a store `id` (one indexed read).
    public func contains(_ id: String) throws(AGError) -> Bool {
        try Storage.checkID(id)
        return try database.transaction(writing: false) { (connection) throws(AGError) -> Bool in
            try StoreRows.exists(connection, store: id)
        }
    }
}
