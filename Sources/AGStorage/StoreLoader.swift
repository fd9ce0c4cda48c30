#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState

/// Opens one durable store: creates it, or rebuilds it from its base checkpoint (see `Retention`) and the
/// changes after it, replayed through the store so that its history holds them again.
struct StoreLoader {
    let storage: Storage
    let id: String
    let limits: StoreLimits

    func openOrCreate(initial: JSONValue?) throws(AGError) -> (Store, DurableJournal) {
        // Read in one transaction: a consistent view of the store's rows.
        let loaded = try storage.database.transaction(writing: false) { (connection) throws(AGError) -> (Store, DurableJournal)? in
            guard try StoreRows.exists(connection, store: id) else { return nil }
            return try load(connection)
        }
        if let loaded { return loaded }
        return try create(initial ?? .object(JSONObject()))
    }

    private func create(_ initial: JSONValue) throws(AGError) -> (Store, DurableJournal) {
        let store = try Store(initial, limits: limits)
        let row = try storage.codec.encodeState(initial, store: id, version: 0)
        try storage.database.transaction { (connection) throws(AGError) in
            let statement = try connection.statement("INSERT INTO agstate_stores(id, created) VALUES(?, ?)")
            try statement.bind(1, text: id)
            try statement.bind(2, Int64(time(nil)))
            try statement.run()
            try StoreRows.insert(connection, table: "agstate_checkpoints", store: id, version: 0, data: row)
        }
        let journal = DurableJournal(id: id, storage: storage, checkpoints: [0], changesSinceCheckpoint: 0, bytesSinceCheckpoint: 0)
        return (store, journal)
    }

    private func load(_ connection: SQLiteConnection) throws(AGError) -> (Store, DurableJournal) {
        let checkpoints = try StoreRows.checkpointVersions(connection, store: id)
        guard let latest = checkpoints.last else {
            throw AGError(.corruptData, "store \"\(id)\" has no checkpoint in \(storage.path)")
        }
        let newest = max(latest, try StoreRows.newestChange(connection, store: id) ?? 0)
        let base = Retention.base(checkpoints: checkpoints, current: newest, history: limits.history)!
        let row = try StoreRows.checkpoint(connection, store: id, version: base)
        let text = try storage.codec.decode(row, store: id, version: base, kind: RowFormat.checkpoint)
        let state = try RowCodec.parse(text, "the checkpoint of store \"\(id)\" at version \(base)")
        let store = try Store(restoring: state, version: base, limits: limits)
        var changes: UInt64 = 0
        var bytes: UInt64 = 0
        try StoreRows.changes(connection, store: id, after: base) { (version, data) throws(AGError) in
            try replay(store, version: version, row: data)
            if version > latest {
                changes += 1
                bytes &+= UInt64(data.count)
            }
        }
        guard store.version == newest else {
            throw AGError(.corruptData, "store \"\(id)\" is missing changes: replayed to version \(store.version), its newest change is \(newest)")
        }
        let journal = DurableJournal(id: id, storage: storage, checkpoints: checkpoints.filter { $0 >= base },
                                     changesSinceCheckpoint: changes, bytesSinceCheckpoint: bytes)
        return (store, journal)
    }

    private func replay(_ store: Store, version: UInt64, row: [UInt8]) throws(AGError) {
        let what = "the change of store \"\(id)\" at version \(version)"
        guard version == store.version + 1 else {
            throw AGError(.corruptData, "store \"\(id)\" is missing changes: version \(version) follows \(store.version)")
        }
        let text = try storage.codec.decode(row, store: id, version: version, kind: RowFormat.change)
        let patch: JSONPatch
        do throws(AGError) {
            patch = try text.withUnsafeBytes { raw in
                Result { () throws(AGError) in try JSONPatch(parsing: raw, options: ParseOptions(limits: limits.json)) }
            }.get()
            try store.apply(patch)
        } catch {
            throw AGError(.corruptData, "\(what) does not replay: \(error.message)")
        }
    }
}
