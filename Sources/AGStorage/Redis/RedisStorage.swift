#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState

/// Stores in a Redis server (one server or a primary; not Redis Cluster), shared by any number of processes.
///
/// A commit is one Lua script (`RedisLayout.record`), run atomically by the server: it appends the change
/// to the store's stream as version v only when the store's last version is v - 1, and publishes
/// "<version> <id>". When another process appended that version first, the commit fails with `conflict`
/// and the store catches up with the stored changes. A listener thread per storage applies the changes
/// other processes made to the stores open here, in version order, once each (subscribers are told on
/// that thread). While the server cannot be reached, commits fail with `unavailable` (at once while the
/// circuit breaker is open) and change nothing.
///
/// Durability is the server's: a commit is acknowledged once Redis has executed the script, which
/// survives a crash of the server only with `appendonly yes`, and a crash of the machine only with
/// `appendfsync always` as well (the settings seen at open are in the statistics), and only while the
/// server evicts no keys (`maxmemory-policy noeviction`, its default).
final class RedisStorage: @unchecked Sendable {
    let endpoint: RedisEndpoint
    let pool: ConnectionPool<RedisConnection>
    let options: StorageOptions
    let codec: RowCodec
    let channel: String
    let openScript: RedisScript
    let recordScript: RedisScript
    let deleteScript: RedisScript
    /// The server's persistence and eviction settings seen at open (nil when CONFIG GET is refused).
    let persistence: (appendonly: String, appendfsync: String, maxmemoryPolicy: String)?
    /// Guards the open stores (held while one is loaded, so that it is loaded once).
    private let lock = Lock()
    /// Guards the counters (taken inside `lock` too, never the other way).
    private let countersLock = Lock()
    private var open: [String: OpenStore] = [:]
    private var listener: RedisListener?
    private(set) var conflicts: UInt64 = 0
    private(set) var applied: UInt64 = 0
    private(set) var catchUpErrors: UInt64 = 0
    private var lastCatchUpError = ""

    struct OpenStore {
        weak var store: Store?
        /// Weak too: the store holds its journal, and the journal holds the storage (no cycle).
        weak var journal: RedisJournal?
    }

    /// Changes read from the stream in one round trip during a catch-up.
    static let catchUpBatch = 1000

    init(url: String, options: StorageOptions) throws(AGError) {
        let (rest, settings) = try ServerSettings.parse(url)
        let endpoint = try RedisEndpoint(parsing: rest)
        self.endpoint = endpoint
        self.options = try options.validated()
        codec = RowCodec(sealer: try RowSealer(current: options.key, old: options.oldKeys))
        channel = RedisLayout.channel(db: endpoint.db)
        pool = ConnectionPool(url: endpoint.description, settings: settings, server: "Redis") { () throws(AGError) -> RedisConnection in
            try RedisConnection(endpoint, timeoutSeconds: settings.connectTimeoutSeconds)
        }
        // The scripts are loaded once; a server that lost them (a restart) is sent them again (EVAL).
        let (scripts, persistence) = try pool.run { (connection) throws(AGError) -> ([RedisScript], (String, String, String)?) in
            var scripts: [RedisScript] = []
            for source in [RedisLayout.prepare, RedisLayout.open, RedisLayout.record, RedisLayout.delete] {
                let reply = try connection.command(["SCRIPT", "LOAD", source])
                guard let sha = reply.text, case .string = reply else {
                    throw AGError(.io, "Redis did not load a script: \(reply.summary)")
                }
                scripts.append(RedisScript(source: source, sha: sha))
            }
            let stored = try connection.evaluate(scripts[0], keys: [RedisLayout.schemaKey], arguments: [Array(String(RedisLayout.version).utf8)])
            guard let version = stored.text.flatMap({ Int($0) }) else {
                throw AGError(.corruptData, "the Redis key \(RedisLayout.schemaKey) does not hold an agstate layout version")
            }
            guard version <= RedisLayout.version else {
                throw AGError(.corruptData, "the Redis database's agstate layout is version \(version), newer than this library's \(RedisLayout.version); it was not changed")
            }
            return (scripts, RedisStorage.persistence(connection))
        }
        openScript = scripts[1]
        recordScript = scripts[2]
        deleteScript = scripts[3]
        self.persistence = persistence
        let listener = RedisListener(storage: self)
        self.listener = listener
        try listener.start()
    }

    /// The server's appendonly, appendfsync and maxmemory-policy settings, when it answers CONFIG GET.
    private static func persistence(_ connection: RedisConnection) -> (String, String, String)? {
        guard let reply = try? connection.command(["CONFIG", "GET", "appendonly", "appendfsync", "maxmemory-policy"]),
              let items = reply.elements else { return nil }
        var settings: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].text, let value = items[index + 1].text { settings[name] = value }
            index += 2
        }
        guard let appendonly = settings["appendonly"], let appendfsync = settings["appendfsync"],
              let policy = settings["maxmemory-policy"] else { return nil }
        return (appendonly, appendfsync, policy)
    }

    func openStore(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store {
        try lock.withLock { () throws(AGError) -> Store in
            if let existing = open[id], let store = existing.store, let journal = existing.journal, !journal.deleted { return store }
            let store = try load(id, initial: initial, limits: limits)
            let journal = RedisJournal(id: id, storage: self)
            store.attach(journal: journal)
            open[id] = OpenStore(store: store, journal: journal)
            return store
        }
        // Changes committed between the load and the registration are applied by the next catch-up.
    }

    /// Creates the store (with its checkpoint at version 0) unless another process has, then loads it.
    private func load(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store {
        let row = try codec.encodeState(initial ?? .object(JSONObject()), store: id, version: 0)
        let keys = [RedisLayout.stores, RedisLayout.meta(id), RedisLayout.changes(id), RedisLayout.checkpoints(id)]
        let reply = try pool.run { (connection) throws(AGError) -> RedisReply in
            try connection.evaluate(openScript, keys: keys, arguments: [Array(id.utf8), Array(String(time(nil)).utf8), row])
        }
        guard let parts = reply.elements, parts.count == 2, let base = parts[0].uint64, let checkpoint = parts[1].bytes else {
            throw AGError(.corruptData, "store \"\(id)\": Redis answered the open with \(reply.summary)")
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
        let key = RedisLayout.changes(id)
        while true {
            let from = store.version
            let reply = try pool.run { (connection) throws(AGError) -> RedisReply in
                try connection.command(["XRANGE", key, "\(from + 1)-0", "+", "COUNT", String(RedisStorage.catchUpBatch)])
            }
            if case .error(let message) = reply { throw AGError(.io, "Redis: \(message)") }
            guard let entries = reply.elements else { throw AGError(.corruptData, "store \"\(id)\": Redis answered XRANGE with \(reply.summary)") }
            guard !entries.isEmpty else { return }
            for entry in entries {
                guard let parts = entry.elements, parts.count == 2, let entryID = parts[0].text,
                      let dash = entryID.firstIndex(of: "-"), let version = UInt64(entryID[..<dash]),
                      let fields = parts[1].elements, let dataIndex = stride(from: 0, to: fields.count - 1, by: 2).first(where: { fields[$0].text == "d" }),
                      let row = fields[dataIndex + 1].bytes else {
                    throw AGError(.corruptData, "store \"\(id)\": a change in its Redis stream is not an agstate change")
                }
                let (patch, author) = try decodeChange(row, store: store, id: id, version: version)
                if try store.applyStored(patch, version: version, author: author) { countersLock.withLock { applied += 1 } }
            }
            if entries.count < RedisStorage.catchUpBatch { return }
        }
    }

    /// The patch of a stored change, and its author when the row names one.
    private func decodeChange(_ row: [UInt8], store: Store, id: String, version: UInt64) throws(AGError) -> (JSONPatch, String?) {
        let text = try codec.decode(row, store: id, version: version, kind: RowFormat.change)
        do throws(AGError) {
            if ChangeRow.hasAuthor(text) {
                let value = try JSONParser.parse(text, options: ParseOptions(limits: store.limits))
                guard let (operations, author) = ChangeRow.read(value) else {
                    throw AGError(.invalidPatch, "the row is an object without a \"patch\"")
                }
                return (try JSONPatch(parsing: operations), author)
            }
            return (try text.withUnsafeBytes { raw in
                Result { () throws(AGError) in try JSONPatch(parsing: raw, options: ParseOptions(limits: store.limits)) }
            }.get(), nil)
        } catch {
            throw AGError(.corruptData, "the change of store \"\(id)\" at version \(version) is not a JSON Patch: \(error.message)")
        }
    }

    /// Catches up the open store `id` (nil: every open store) unless it already has version `through`,
    /// recording a failure instead of throwing.
    func catchUp(only id: String?, through: UInt64 = UInt64.max) {
        let targets: [(String, Store, RedisJournal)] = lock.withLock {
            open.compactMap { (key, entry) in
                // A version this process recorded itself (its message can come before the store publishes it)
                // needs no read: every version before it was applied here first.
                guard id == nil || key == id, let store = entry.store, let journal = entry.journal, store.version < through,
                      journal.recordedThrough < through else { return nil }
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
        let reply = try pool.run { (connection) throws(AGError) -> RedisReply in try connection.command(["HKEYS", RedisLayout.stores]) }
        guard let items = reply.elements else { throw AGError(.io, "Redis answered HKEYS with \(reply.summary)") }
        // Sorted by their bytes, as the other backends list them.
        return items.compactMap { $0.bytes }.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    func delete(_ id: String) throws(AGError) {
        try lock.withLock { () throws(AGError) in
            let keys = [RedisLayout.stores, RedisLayout.meta(id), RedisLayout.changes(id), RedisLayout.checkpoints(id)]
            let reply = try pool.run { (connection) throws(AGError) -> RedisReply in
                try connection.evaluate(deleteScript, keys: keys, arguments: [Array(id.utf8)])
            }
            guard case .integer(1) = reply else { throw AGError(.pathNotFound, "there is no store \"\(id)\" in the database") }
            open[id]?.journal?.deleted = true
            open[id] = nil
        }
    }

    deinit { close() }

    func close() {
        let listener = lock.withLock { () -> RedisListener? in
            let taken = self.listener
            self.listener = nil
            open.removeAll()
            return taken
        }
        listener?.stop()
        pool.close()
    }

    /// The pool, breaker, listener, counters and the server's persistence settings as one JSON object.
    func statistics() -> String {
        let openCount = lock.withLock { open.count }
        let (conflicts, applied, errors, last): (UInt64, UInt64, UInt64, String) = countersLock.withLock {
            (self.conflicts, self.applied, catchUpErrors, lastCatchUpError)
        }
        let listenerStats = lock.withLock { listener }?.statistics() ?? #""connected":false,"reconnects":0,"notifications":0"#
        let server = persistence.map {
            #"{"appendonly":\#(RedisStorage.quoted($0.appendonly)),"appendfsync":\#(RedisStorage.quoted($0.appendfsync)),"# +
                #""maxmemory_policy":\#(RedisStorage.quoted($0.maxmemoryPolicy))}"#
        } ?? "null"
        return #"{"backend":"redis",\#(pool.statistics()),"listener":{\#(listenerStats)},"open_stores":\#(openCount),"# +
            #""conflicts":\#(conflicts),"applied_from_others":\#(applied),"catch_up_errors":\#(errors),"last_catch_up_error":\#(RedisStorage.quoted(last)),"# +
            #""server":\#(server)}"#
    }

    private static func quoted(_ text: String) -> String { String(decoding: JSONSerializer.serialize(.string(text)), as: UTF8.self) }
}

/// The journal of one store in Redis.
final class RedisJournal: StoreJournal, @unchecked Sendable {
    let id: String
    /// Strong: a store may outlive its storage's handle (its commits then fail with `closed`).
    private let storage: RedisStorage
    let catchUpLock = Lock()
    var deleted = false
    /// The newest version this process appended (read by the listener, so behind a lock of its own).
    private let recordedLock = Lock()
    private var recorded: UInt64 = 0
    var recordedThrough: UInt64 { recordedLock.withLock { recorded } }
    private var changesSinceCheckpoint: UInt64 = 0
    private var bytesSinceCheckpoint: UInt64 = 0

    init(id: String, storage: RedisStorage) {
        self.id = id
        self.storage = storage
    }

    func record(_ change: Change, state: JSONValue, history: HistoryLimits) throws(AGError) {
        guard !deleted else { throw AGError(.closed, "store \"\(id)\" was deleted from the storage") }
        let version = change.version
        let row = try storage.codec.encodeChange(change.operations, author: change.author, store: id, version: version)
        let changes = changesSinceCheckpoint + 1
        let bytes = bytesSinceCheckpoint &+ UInt64(row.count)
        let checkpointRow: [UInt8] = (changes >= storage.options.checkpointChanges || bytes >= storage.options.checkpointBytes)
            ? try storage.codec.encodeState(state, store: id, version: version) : []
        // Changes the history bound no longer needs: up to the newest checkpoint at or before this version.
        let reach = UInt64(max(0, history.maxVersions))
        let limit = version > reach ? String(version - reach) : "-1"
        // Tells this commit's entry from another process's on a retry after a lost connection.
        let writer = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let id = self.id
        let keys = [RedisLayout.meta(id), RedisLayout.changes(id), RedisLayout.checkpoints(id)]
        let arguments: [[UInt8]] = [Array(String(version).utf8), row, writer, checkpointRow, Array(limit.utf8),
                                    Array(storage.channel.utf8), Array("\(version) \(id)".utf8)]
        let reply: RedisReply
        do throws(AGError) {
            reply = try storage.pool.run { (connection) throws(AGError) -> RedisReply in
                try connection.evaluate(storage.recordScript, keys: keys, arguments: arguments)
            }
        } catch where error.code == .corruptData {
            throw AGError(.corruptData, "store \"\(id)\": \(error.message)")
        }
        switch reply {
        case .integer(1), .integer(2): recordedLock.withLock { recorded = max(recorded, version) }
        case .integer(0):
            throw AGError(.conflict, "store \"\(id)\": another process committed version \(version) first; the store has caught up, retry the change")
        case .integer(-1):
            throw AGError(.closed, "store \"\(id)\" was deleted from the storage")
        default:
            throw AGError(.io, "store \"\(id)\": Redis answered the commit with \(reply.summary)")
        }
        if !checkpointRow.isEmpty {
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
