import AGCore
import AGJSON
import AGState

/// The journal of one durable store: writes each change as a row, and every so often a checkpoint of
/// the whole state in the same transaction, then deletes what the history bound no longer needs.
///
/// Its counters are read and changed only in `record`, which the store calls with its write lock held.
final class DurableJournal: StoreJournal, @unchecked Sendable {
    let id: String
    private let storage: SQLiteStorage
    /// Versions of the kept checkpoints, oldest first.
    private var checkpoints: [UInt64]
    private var changesSinceCheckpoint: UInt64
    private var bytesSinceCheckpoint: UInt64
    /// Set (under the database lock) when the store is deleted: later writes fail.
    var deleted = false

    init(id: String, storage: SQLiteStorage, checkpoints: [UInt64], changesSinceCheckpoint: UInt64, bytesSinceCheckpoint: UInt64) {
        self.id = id
        self.storage = storage
        self.checkpoints = checkpoints
        self.changesSinceCheckpoint = changesSinceCheckpoint
        self.bytesSinceCheckpoint = bytesSinceCheckpoint
    }

    func record(_ change: Change, state: JSONValue, history: HistoryLimits) throws(AGError) {
        let codec = storage.codec
        let options = storage.options
        let version = change.version
        let row = try codec.encodeChange(change.operations, author: change.author, store: id, version: version)
        let changes = changesSinceCheckpoint + 1
        let bytes = bytesSinceCheckpoint &+ UInt64(row.count)
        let checkpointRow: [UInt8]? = (changes >= options.checkpointChanges || bytes >= options.checkpointBytes)
            ? try codec.encodeState(state, store: id, version: version) : nil
        var kept = checkpoints
        var base: UInt64?
        if checkpointRow != nil {
            kept.append(version)
            base = Retention.base(checkpoints: kept, current: version, history: history)
            if let base { kept.removeAll { $0 < base } }
        }
        let id = self.id
        try storage.committer.submit { [self] (connection) throws(AGError) in
            guard !deleted else { throw AGError(.closed, "store \"\(id)\" was deleted from the storage") }
            try StoreRows.insert(connection, table: "agstate_changes", store: id, version: version, data: row)
            if let checkpointRow {
                try StoreRows.insert(connection, table: "agstate_checkpoints", store: id, version: version, data: checkpointRow)
                if let base { try StoreRows.prune(connection, store: id, before: base) }
            }
        }
        if checkpointRow != nil {
            checkpoints = kept
            changesSinceCheckpoint = 0
            bytesSinceCheckpoint = 0
        } else {
            changesSinceCheckpoint = changes
            bytesSinceCheckpoint = bytes
        }
    }
}

/// What stored rows a store keeps: its changes back to the history bound, and the checkpoint they start from.
enum Retention {
    /// The checkpoint a reopened store starts from, so that its history reaches `history.maxVersions`
    /// back: the newest checkpoint at or before that point, or the oldest one when none is. Everything
    /// before it may be deleted. nil when there are no checkpoints.
    static func base(checkpoints: [UInt64], current: UInt64, history: HistoryLimits) -> UInt64? {
        let reach = UInt64(max(0, history.maxVersions))
        let limit = current >= reach ? current - reach : 0
        return checkpoints.last(where: { $0 <= limit }) ?? checkpoints.first
    }
}

/// The SQL of a store's rows.
enum StoreRows {
    static func insert(_ connection: SQLiteConnection, table: String, store: String, version: UInt64, data: [UInt8]) throws(AGError) {
        let statement = try connection.statement("INSERT INTO \(table)(store, version, data) VALUES(?, ?, ?)")
        try statement.bind(1, text: store)
        try statement.bind(2, version)
        try statement.bind(3, blob: data)
        try statement.run()
    }

    /// Deletes the checkpoints before `base` and the changes up to it (the state at `base` is its checkpoint).
    static func prune(_ connection: SQLiteConnection, store: String, before base: UInt64) throws(AGError) {
        let checkpoints = try connection.statement("DELETE FROM agstate_checkpoints WHERE store = ? AND version < ?")
        try checkpoints.bind(1, text: store)
        try checkpoints.bind(2, base)
        try checkpoints.run()
        let changes = try connection.statement("DELETE FROM agstate_changes WHERE store = ? AND version <= ?")
        try changes.bind(1, text: store)
        try changes.bind(2, base)
        try changes.run()
    }

    static func exists(_ connection: SQLiteConnection, store: String) throws(AGError) -> Bool {
        let statement = try connection.statement("SELECT 1 FROM agstate_stores WHERE id = ?")
        try statement.bind(1, text: store)
        defer { statement.reset() }
        return try statement.step()
    }

    static func checkpointVersions(_ connection: SQLiteConnection, store: String) throws(AGError) -> [UInt64] {
        let statement = try connection.statement("SELECT version FROM agstate_checkpoints WHERE store = ? ORDER BY version")
        try statement.bind(1, text: store)
        defer { statement.reset() }
        var versions: [UInt64] = []
        while try statement.step() { versions.append(UInt64(bitPattern: statement.int64(0))) }
        return versions
    }

    static func newestChange(_ connection: SQLiteConnection, store: String) throws(AGError) -> UInt64? {
        let statement = try connection.statement("SELECT max(version) FROM agstate_changes WHERE store = ?")
        try statement.bind(1, text: store)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return UInt64(bitPattern: statement.int64(0))
    }

    static func checkpoint(_ connection: SQLiteConnection, store: String, version: UInt64) throws(AGError) -> [UInt8] {
        let statement = try connection.statement("SELECT data FROM agstate_checkpoints WHERE store = ? AND version = ?")
        try statement.bind(1, text: store)
        try statement.bind(2, version)
        defer { statement.reset() }
        guard try statement.step() else {
            throw AGError(.corruptData, "the checkpoint of store \"\(store)\" at version \(version) is missing")
        }
        return statement.blob(0)
    }

    /// Calls `body` with each change row after `version`, oldest first: the row's bytes where SQLite holds
    /// them, valid only while `body` runs (a reopen reads 10,000 rows without copying each one).
    static func changes(_ connection: SQLiteConnection, store: String, after version: UInt64,
                        _ body: (UInt64, UnsafeRawBufferPointer) throws(AGError) -> Void) throws(AGError) {
        let statement = try connection.statement("SELECT version, data FROM agstate_changes WHERE store = ? AND version > ? ORDER BY version")
        try statement.bind(1, text: store)
        try statement.bind(2, version)
        defer { statement.reset() }
        while try statement.step() {
            let next = UInt64(bitPattern: statement.int64(0))
            try statement.withBlob(1) { (row) throws(AGError) in try body(next, row) }
        }
    }
}
