import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

/// A durable store records each change's author, reads it back on reopen, and a backup keeps it.
@Suite struct AuthorStorageTests {
    @Test func authorsSurviveReopenAndBackup() throws {
        let dir = temporaryDirectory()
        let url = "sqlite:\(dir)/db.sqlite"
        do {
            let storage = try Storage(url: url)
            let store = try storage.openStore("doc", initial: try json(#"{"title":"T","n":0}"#))
            try store.apply(try patch(#"[{"op":"replace","path":"/title","value":"A"}]"#), commit: CommitOptions(author: "alice"))
            try store.set(.int(1), at: JSONPointer(parsing: "/n"))
            // A rebased patch is stored as it was carried, with its author.
            try store.apply(try patch(#"[{"op":"replace","path":"/n","value":2}]"#),
                            commit: CommitOptions(baseVersion: 1, strategy: .rebase, author: "bob"))
            // A locked-out write stores nothing.
            try store.lock(JSONPointer(parsing: "/title"), owner: "alice", ttl: 60_000)
            #expect(throws: AGError.self) { try store.set(.string("B"), at: JSONPointer(parsing: "/title"), options: CommitOptions(author: "bob")) }
            try storage.exportBackup(ids: nil, to: "\(dir)/all.agsb")
            storage.close()
        }
        let storage = try Storage(url: url)
        let store = try storage.openStore("doc")
        #expect(store.version == 3)
        #expect(try store.changes(since: 0).map(\.author) == ["alice", nil, "bob"])
        #expect(text(store.state) == #"{"title":"A","n":2}"#)
        storage.close()

        let copy = try Storage(url: "sqlite:\(dir)/copy.sqlite")
        _ = try copy.importBackup(from: "\(dir)/all.agsb")
        #expect(try copy.openStore("doc").changes(since: 0).map(\.author) == ["alice", nil, "bob"])
        copy.close()
    }
}
