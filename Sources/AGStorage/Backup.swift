#if canImport(Glibc)
import Glibc
#endif
import AGCodec
import AGCore
import AGJSON
import AGState

/// Backups: one or all stores of a storage in one self-describing file, and back.
///
/// File: "AGSB", format version 1, then one row as the database keeps them (see `RowSealer`): sealed with
/// the storage's key when it has one, holding an envelope (zstd) of the JSON document
/// `{"format":"agstate-backup/1","stores":[{"id":..,"base":N,"state":..,"changes":[{"version":v,"patch":[..]}]}]}`
/// where `state` is the store's state at version `base` and `changes` every kept change after it, so an
/// imported store has the same version, state and history.
extension SQLiteStorage {
    static let backupMagic: [UInt8] = Array("AGSB".utf8) + [1]
    static let backupFormat = "agstate-backup/1"

    /// Writes the stores `ids` (every store when nil) to a new file at `path`, replacing it atomically.
    func exportBackup(ids: [String]?, to path: String) throws(AGError) {
        let all = try list()
        let chosen = ids ?? all
        for id in chosen {
            try Storage.checkID(id)
            guard all.contains(id) else { throw AGError(.pathNotFound, "there is no store \"\(id)\" in \(self.path)") }
        }
        var document: [UInt8] = Array(#"{"format":"\#(SQLiteStorage.backupFormat)","stores":["#.utf8)
        try database.transaction(writing: false) { (connection) throws(AGError) in
            for (index, id) in chosen.enumerated() {
                let checkpoints = try StoreRows.checkpointVersions(connection, store: id)
                guard let latest = checkpoints.last else { throw AGError(.corruptData, "store \"\(id)\" has no checkpoint") }
                let newest = max(latest, try StoreRows.newestChange(connection, store: id) ?? 0)
                let base = Retention.base(checkpoints: checkpoints, current: newest, history: HistoryLimits(maxVersions: Int.max))!
                let state = try codec.decode(try StoreRows.checkpoint(connection, store: id, version: base),
                                             store: id, version: base, kind: RowFormat.checkpoint)
                if index > 0 { document.append(UInt8(ascii: ",")) }
                document += Array(#"{"id":"#.utf8) + JSONSerializer.serialize(.string(id))
                document += Array(#","base":\#(base),"state":"#.utf8) + state + Array(#","changes":["#.utf8)
                var first = true
                try StoreRows.changes(connection, store: id, after: base) { (version, row) throws(AGError) in
                    var patch = try codec.decode(Array(row), store: id, version: version, kind: RowFormat.change)
                    var author: [UInt8] = []
                    if ChangeRow.hasAuthor(patch), let (inner, name) = ChangeRow.read(try RowCodec.parse(patch, "the change at version \(version)")) {
                        patch = JSONSerializer.serialize(inner)
                        if let name { author = Array(#","author":"#.utf8) + JSONSerializer.serialize(.string(name)) }
                    }
                    document += Array((first ? "" : ",").utf8) + Array(#"{"version":\#(version),"patch":"#.utf8) + patch + author + [UInt8(ascii: "}")]
                    first = false
                }
                document += Array("]}".utf8)
            }
        }
        document += Array("]}".utf8)
        let envelope = try document.withUnsafeBytes { raw in
            Result { () throws(AGError) in try Envelope.pack(raw, codec: .zstd, level: 3) }
        }.get()
        let body = codec.sealer.seal(envelope.bytes, store: "", version: 0, kind: RowFormat.backup)
        try BackupFile.write(SQLiteStorage.backupMagic + body, to: path)
    }

    /// Reads a backup written by `exportBackup` and creates its stores, all or none: a store id that
    /// already exists is `conflict`. Returns the ids imported.
    @discardableResult
    func importBackup(from path: String) throws(AGError) -> [String] {
        let bytes = try BackupFile.read(path, maxBytes: DefaultLimits.current.json.maxInputBytes)
        guard bytes.count > SQLiteStorage.backupMagic.count, Array(bytes.prefix(SQLiteStorage.backupMagic.count)) == SQLiteStorage.backupMagic else {
            throw AGError(.corruptData, "\(path) is not an agstate backup (no \"AGSB\" version 1 header)")
        }
        let plain = try codec.sealer.open(Array(bytes.dropFirst(SQLiteStorage.backupMagic.count)), store: "", version: 0, kind: RowFormat.backup)
        let text: [UInt8]
        do throws(AGError) {
            let envelope = try plain.withUnsafeBytes { raw in Result { () throws(AGError) in try Envelope(reading: raw) } }.get()
            text = try envelope.unpack(maxSize: DefaultLimits.current.json.maxInputBytes)
        } catch {
            throw AGError(.corruptData, "the backup \(path) is damaged: \(error.message)")
        }
        let document = try RowCodec.parse(text, "the backup \(path)")
        let stores = try BackupDocument.stores(in: document)
        var rows: [(id: String, checkpoint: (UInt64, [UInt8]), changes: [(UInt64, [UInt8])])] = []
        for store in stores {
            try Storage.checkID(store.id)
            let checkpoint = try codec.encodeState(store.state, store: store.id, version: store.base)
            var changes: [(UInt64, [UInt8])] = []
            for (offset, operations) in store.changes.enumerated() {
                let version = store.base + UInt64(offset) + 1
                changes.append((version, try codec.encodeChange(operations, author: store.authors[offset], store: store.id, version: version)))
            }
            rows.append((store.id, (store.base, checkpoint), changes))
        }
        try database.transaction { (connection) throws(AGError) in
            for store in rows {
                guard try !StoreRows.exists(connection, store: store.id) else {
                    throw AGError(.conflict, "store \"\(store.id)\" already exists in \(self.path); nothing was imported")
                }
                let statement = try connection.statement("INSERT INTO agstate_stores(id, created) VALUES(?, ?)")
                try statement.bind(1, text: store.id)
                try statement.bind(2, Int64(time(nil)))
                try statement.run()
                try StoreRows.insert(connection, table: "agstate_checkpoints", store: store.id, version: store.checkpoint.0, data: store.checkpoint.1)
                for (version, row) in store.changes {
                    try StoreRows.insert(connection, table: "agstate_changes", store: store.id, version: version, data: row)
                }
            }
        }
        return rows.map(\.id)
    }
}

/// The stores of a backup document, checked.
enum BackupDocument {
    struct StoreEntry {
        let id: String
        let base: UInt64
        let state: JSONValue
        let changes: [[PatchOperation]]
        /// Each change's author (nil: none named).
        let authors: [String?]
    }

    static func stores(in document: JSONValue) throws(AGError) -> [StoreEntry] {
        func bad(_ what: String) -> AGError { AGError(.corruptData, "the backup is malformed: \(what)") }
        guard case .object(let root) = document, root["format"] == .string(SQLiteStorage.backupFormat) else {
            throw bad("no \"format\":\"\(SQLiteStorage.backupFormat)\"")
        }
        guard case .array(let stores)? = root["stores"] else { throw bad("no \"stores\" array") }
        var entries: [StoreEntry] = []
        var seen: Set<String> = []
        for store in stores {
            guard case .object(let o) = store, case .string(let id)? = o["id"], seen.insert(id).inserted else {
                throw bad("a store without a unique \"id\"")
            }
            guard case .number(let number)? = o["base"], let base = number.int64Value, base >= 0 else { throw bad("store \"\(id)\" has no \"base\" version") }
            guard let state = o["state"] else { throw bad("store \"\(id)\" has no \"state\"") }
            guard case .array(let changes)? = o["changes"] else { throw bad("store \"\(id)\" has no \"changes\"") }
            var patches: [[PatchOperation]] = []
            var authors: [String?] = []
            for (offset, change) in changes.enumerated() {
                guard case .object(let c) = change, case .number(let v)? = c["version"], v.int64Value == base + Int64(offset) + 1,
                      let patch = c["patch"] else {
                    throw bad("store \"\(id)\": change \(offset) is not version \(base + Int64(offset) + 1) with a \"patch\"")
                }
                if case .string(let author)? = c["author"] { authors.append(author) } else { authors.append(nil) }
                do throws(AGError) {
                    patches.append(try JSONPatch(parsing: patch).operations)
                } catch {
                    throw bad("store \"\(id)\": change \(offset): \(error.message)")
                }
            }
            entries.append(StoreEntry(id: id, base: UInt64(base), state: state, changes: patches, authors: authors))
        }
        return entries
    }
}

/// Whole-file reads and atomic writes (a temporary file synced, then renamed over the target).
enum BackupFile {
    static func write(_ bytes: [UInt8], to path: String) throws(AGError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AGError(.io, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var offset = 0
        var failure: String?
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        Glibc.close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw AGError(.io, "cannot write the backup \(path): \(failure)")
        }
    }

    static func read(_ path: String, maxBytes: Int) throws(AGError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AGError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AGError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            guard bytes.count + n <= maxBytes else { throw AGError(.limitExceeded, "\(path) is larger than \(maxBytes) bytes") }
            bytes += chunk[0..<n]
        }
    }
}
