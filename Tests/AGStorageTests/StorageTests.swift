#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

/// A fresh directory for one test's database files.
func temporaryDirectory() -> String {
    var template = Array("/tmp/agstate-storage-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    return path
}

func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
func patch(_ text: String) throws -> JSONPatch { try JSONPatch(parsing: try json(text)) }
func text(_ value: JSONValue) -> String { JSONSerializer.string(value) }

@Suite struct StorageTests {
    @Test func createCommitReopen() throws {
        let url = "sqlite:\(temporaryDirectory())/db.sqlite"
        do {
            let storage = try Storage(url: url)
            let store = try storage.openStore("t1", initial: try json(#"{"a":1}"#))
            #expect(try store.apply(try patch(#"[{"op":"add","path":"/b","value":[1,2]}]"#)) == 1)
            #expect(try store.set(.string("x"), at: JSONPointer(parsing: "/c")) == 2)
            #expect(try store.merge(try json(#"{"a":null}"#)) == 3)
            let txn = store.begin()
            try txn.apply(try patch(#"[{"op":"add","path":"/b/-","value":3}]"#))
            #expect(try txn.commit() == 4)
            #expect(try storage.list() == ["t1"])
            storage.close()
        }
        let storage = try Storage(url: url)
        let store = try storage.openStore("t1", initial: try json(#"{"ignored":true}"#))
        #expect(store.version == 4)
        #expect(text(store.state) == #"{"b":[1,2,3],"c":"x"}"#)
        #expect(text(try store.state(at: 1)) == #"{"a":1,"b":[1,2]}"#)
        #expect(try store.delta(since: 2).count == 2)
        // The same store again while it is open: the same object.
        #expect(try storage.openStore("t1") === store)
    }

    @Test func checkpointsAndHistoryAcrossRestart() throws {
        let url = "sqlite:\(temporaryDirectory())/db.sqlite"
        var options = StorageOptions()
        options.durability = .normal
        options.checkpointChanges = 7
        let limits = StoreLimits(history: HistoryLimits(maxVersions: 20))
        do {
            let storage = try Storage(url: url, options: options)
            let store = try storage.openStore("s", initial: try json(#"{"n":0}"#), limits: limits)
            for i in 1...100 { try store.set(.int(Int64(i)), at: JSONPointer(parsing: "/n")) }
            storage.close()
        }
        let storage = try Storage(url: url, options: options)
        let store = try storage.openStore("s", limits: limits)
        #expect(store.version == 100)
        #expect(text(try store.state(at: 80)) == #"{"n":80}"#)
        #expect(store.historyRange.oldest <= 80)
        // Old rows are gone: no more than the bound plus one checkpoint interval of changes.
        let changes = try storage.sqlite!.database.withConnection { (c) throws(AGError) -> Int64 in
            let s = try c.statement("SELECT count(*) FROM agstate_changes"); try s.step(); defer { s.reset() }; return s.int64(0)
        }
        #expect(changes <= 20 + 7)
        try store.set(.int(101), at: JSONPointer(parsing: "/n"))
        #expect(store.version == 101)
    }

    @Test func failedWriteChangesNothing() throws {
        let dir = temporaryDirectory()
        var options = StorageOptions()
        options.busyTimeoutMilliseconds = 50
        let storage = try Storage(url: "sqlite:\(dir)/db.sqlite", options: options)
        let store = try storage.openStore("s", initial: try json(#"{"n":0}"#))
        try store.set(.int(1), at: JSONPointer(parsing: "/n"))
        let other = try SQLiteConnection(path: "\(dir)/db.sqlite", busyTimeoutMilliseconds: 0)
        try other.execute("BEGIN EXCLUSIVE")
        #expect {
            try store.set(.int(2), at: JSONPointer(parsing: "/n"))
        } throws: { error in
            guard let error = error as? AGError else { return false }
            return error.code == .io && error.message.contains("locked")
        }
        #expect(store.version == 1)
        #expect(text(store.state) == #"{"n":1}"#)
        #expect(try store.changes(since: 0).count == 1)
        try other.execute("ROLLBACK")
        #expect(try store.set(.int(3), at: JSONPointer(parsing: "/n")) == 2)
        storage.close()
        let again = try Storage(url: "sqlite:\(dir)/db.sqlite").openStore("s")
        #expect(text(again.state) == #"{"n":3}"#)
    }

    @Test func encryptionWrongKeyAndTamperedRow() throws {
        let dir = temporaryDirectory()
        let url = "sqlite:\(dir)/db.sqlite"
        var options = StorageOptions()
        options.key = try StorageKey(id: 1, bytes: Array(repeating: 7, count: 32))
        do {
            let storage = try Storage(url: url, options: options)
            let store = try storage.openStore("secret", initial: try json(#"{"m":"MARKER-12345"}"#))
            try store.set(.string("MARKER-67890"), at: JSONPointer(parsing: "/k"))
            storage.close()
        }
        var wrong = StorageOptions()
        wrong.key = try StorageKey(id: 1, bytes: Array(repeating: 8, count: 32))
        #expect {
            _ = try Storage(url: url, options: wrong).openStore("secret")
        } throws: { error in
            guard let error = error as? AGError else { return false }
            return error.code == .corruptData && error.message.contains("secret") && error.message.contains("version")
        }
        // Rotation: a new current key; the old one still reads.
        var rotated = StorageOptions()
        rotated.key = try StorageKey(id: 2, bytes: Array(repeating: 9, count: 32))
        rotated.oldKeys = [options.key!]
        do {
            let storage = try Storage(url: url, options: rotated)
            let store = try storage.openStore("secret")
            #expect(text(store.state) == #"{"m":"MARKER-12345","k":"MARKER-67890"}"#)
            try store.set(.int(1), at: JSONPointer(parsing: "/z"))
            storage.close()
        }
        // A tampered change row.
        let connection = try SQLiteConnection(path: "\(dir)/db.sqlite", busyTimeoutMilliseconds: 1000)
        try connection.execute("UPDATE agstate_changes SET data = substr(data, 1, length(data) - 1) || x'00' WHERE version = 1")
        connection.close()
        #expect {
            _ = try Storage(url: url, options: rotated).openStore("secret")
        } throws: { error in
            guard let error = error as? AGError else { return false }
            return error.code == .corruptData && error.message.contains("\"secret\" at version 1")
        }
    }

    @Test func badFilesAreLeftAlone() throws {
        let dir = temporaryDirectory()
        let path = "\(dir)/not-a-db"
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        _ = "hello, this is not a database at all".withCString { write(fd, $0, 36) }
        close(fd)
        #expect {
            _ = try Storage(url: "sqlite:\(path)")
        } throws: { error in (error as? AGError)?.code == .corruptData }
        // Another program's database.
        let other = try SQLiteConnection(path: "\(dir)/other.db", busyTimeoutMilliseconds: 0)
        try other.execute("CREATE TABLE t(x); INSERT INTO t VALUES(1)")
        other.close()
        #expect {
            _ = try Storage(url: "file:\(dir)/other.db")
        } throws: { error in
            guard let error = error as? AGError else { return false }
            return error.code == .corruptData && error.message.contains("another program")
        }
        #expect(access("\(dir)/other.db-wal", F_OK) != 0)
        #expect(throws: AGError.self) { _ = try Storage(url: "mongodb://x") }
    }
}
