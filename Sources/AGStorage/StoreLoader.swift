#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState

/// Opens one durable store: creates it, or rebuilds it from its base checkpoint (see `Retention`) and the
/// changes after it, replayed through the store so that its history holds them again.
struct StoreLoader {
    let storage: SQLiteStorage
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
        // Changes older than the history window are applied to the state directly (nothing records them);
        // the store is made at the window's start and replays the rest, which refills its history.
        let reach = UInt64(max(0, limits.history.maxVersions))
        let windowStart = max(base, newest >= reach ? newest - reach : 0)
        // Before the window, the state is read as a document read once (wide objects indexed, arrays plain),
        // where a change applied in place costs a hash lookup and an array write instead of a walk down a
        // hash trie and a persistent vector; it takes the store's form once, at the window's start.
        // One expression: the row and its text are freed before the replay.
        var state = try RowCodec.parse(
            try storage.codec.decode(try StoreRows.checkpoint(connection, store: id, version: base),
                                     store: id, version: base, kind: RowFormat.checkpoint),
            "the checkpoint of store \"\(id)\" at version \(base)", persistent: windowStart == base)
        var version = base
        var store: Store?
        if windowStart == base { store = try Store(restoring: take(&state), version: base, limits: limits) }
        var changes: UInt64 = 0
        var bytes: UInt64 = 0
        try StoreRows.changes(connection, store: id, after: base) { (next, data) throws(AGError) in
            if let store {
                try replay(store, version: next, row: data)
            } else {
                guard next == version + 1 else {
                    throw AGError(.corruptData, "store \"\(id)\" is missing changes: version \(next) follows \(version)")
                }
                let (patch, _) = try decodePatch(next, data)
                do throws(AGError) {
                    try patch.apply(inPlace: &state, limits: limits.json)
                } catch {
                    throw AGError(.corruptData, "the change of store \"\(id)\" at version \(next) does not replay: \(error.message)")
                }
                version = next
                if next == windowStart {
                    state.makePersistent()
                    store = try Store(restoring: take(&state), version: next, limits: limits)
                }
            }
            if next > latest {
                changes += 1
                bytes &+= UInt64(data.count)
            }
        }
        guard let store else {
            throw AGError(.corruptData, "store \"\(id)\" is missing changes: replayed to version \(version), its newest change is \(newest)")
        }
        guard store.version == newest else {
            throw AGError(.corruptData, "store \"\(id)\" is missing changes: replayed to version \(store.version), its newest change is \(newest)")
        }
        let journal = DurableJournal(id: id, storage: storage, checkpoints: checkpoints.filter { $0 >= base },
                                     changesSinceCheckpoint: changes, bytesSinceCheckpoint: bytes)
        return (store, journal)
    }

    /// Moves the state out of `state` (so that the store holds the only reference and changes it in place).
    private func take(_ state: inout JSONValue) -> JSONValue {
        var taken = JSONValue.null
        swap(&taken, &state)
        return taken
    }

    /// The change's patch, and its author when the row names one.
    func decodePatch(_ version: UInt64, _ row: UnsafeRawBufferPointer) throws(AGError) -> (JSONPatch, String?) {
        try storage.codec.withDecoded(row, store: id, version: version, kind: RowFormat.change) { (text) throws(AGError) -> (JSONPatch, String?) in
            do throws(AGError) {
                if ChangeRow.hasAuthor(text) {
                    let value = try JSONParser.parse(text, options: ParseOptions(limits: limits.json))
                    guard let (patch, author) = ChangeRow.read(value) else {
                        throw AGError(.invalidPatch, "the row is an object without a \"patch\"")
                    }
                    return (try JSONPatch(parsing: patch), author)
                }
                return (try JSONPatch(parsing: text, options: ParseOptions(limits: limits.json)), nil)
            } catch {
                throw AGError(.corruptData, "the change of store \"\(id)\" at version \(version) is not a JSON Patch: \(error.message)")
            }
        }
    }

    private func replay(_ store: Store, version: UInt64, row: UnsafeRawBufferPointer) throws(AGError) {
        guard version == store.version + 1 else {
            throw AGError(.corruptData, "store \"\(id)\" is missing changes: version \(version) follows \(store.version)")
        }
        let (patch, author) = try decodePatch(version, row)
        do throws(AGError) {
            try store.apply(patch, commit: CommitOptions(author: author))
        } catch {
            throw AGError(.corruptData, "the change of store \"\(id)\" at version \(version) does not replay: \(error.message)")
        }
    }
}
