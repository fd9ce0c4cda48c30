import Testing
import AGJSON
@testable import AGState

/// Several users edit sections of one document. One is cut off, queues edits against the version it last
/// saw, and reconnects; locks keep two users out of one section; presence shows who is there.
@Suite struct CollaborativeDocumentTests {
    final class Clock: @unchecked Sendable { var now: UInt64 = 0 }

    private func op(_ text: String) -> JSONPatch { try! JSONPatch(parsing: JSONParser.parse(text)) }

    @Test func sectionsPartitionLocksAndPresence() throws {
        let store = try Store(JSONParser.parse(#"{"title":"Plan","sections":[{"id":"intro","text":"","comments":[]},{"id":"body","text":"","comments":[]},{"id":"end","text":"","comments":[]}]}"#))
        let clock = Clock()
        store.setCollaborationClock { clock.now }
        for user in ["ana", "ben", "eve"] { try store.setPresence(user, JSONParser.parse("{\"name\":\"\(user)\"}"), ttl: 5000) }
        #expect(store.presence.map(\.client) == ["ana", "ben", "eve"])

        // eve loses the network at version 0 and keeps editing: her edits queue against version 0.
        let eveBase = store.version
        let queued = [
            op(#"[{"op":"replace","path":"/sections/2/text","value":"The end."}]"#),
            op(#"[{"op":"add","path":"/sections/0/comments/-","value":"eve: shorter?"}]"#),
        ]
        // Meanwhile ana locks the body and writes it; ben cannot write there, but inserts a section before it.
        try store.lock(JSONPointer(parsing: "/sections/1"), owner: "ana", ttl: 3000)
        try store.set(.string("Body by ana"), at: JSONPointer(parsing: "/sections/1/text"), options: CommitOptions(author: "ana"))
        do {
            try store.set(.string("ben was here"), at: JSONPointer(parsing: "/sections/1/text"), options: CommitOptions(author: "ben"))
            Issue.record("ben wrote ana's section")
        } catch { #expect(error.code == .locked && error.message.contains("ana")) }
        // Inserting a section would shift ana's: refused while her lease holds.
        let summary = op(#"[{"op":"add","path":"/sections/0","value":{"id":"summary","text":"tl;dr","comments":[]}}]"#)
        #expect(throws: AGError.self) { try store.apply(summary, commit: CommitOptions(author: "ben")) }
        try store.unlock(JSONPointer(parsing: "/sections/1"), owner: "ana")
        try store.lock(JSONPointer(parsing: "/title"), owner: "ana", ttl: 3000)
        try store.apply(summary, commit: CommitOptions(author: "ben"))
        try store.apply(op(#"[{"op":"add","path":"/sections/1/comments/0","value":"ben: welcome"}]"#), commit: CommitOptions(author: "ben"))

        // eve's heartbeats stopped: she expires from presence while away.
        clock.now = 4000
        try store.setPresence("ana", JSONParser.parse(#"{"name":"ana","section":"body"}"#), ttl: 5000)
        try store.setPresence("ben", JSONParser.parse(#"{"name":"ben"}"#), ttl: 5000)
        clock.now = 6000
        #expect(store.presence.map(\.client) == ["ana", "ben"])
        // ana's lease on the title ran out.
        #expect(store.locks.isEmpty)

        // eve reconnects: her queued edits are rebased over what happened (a section was inserted before
        // hers, so the indexes shift) and land where she meant them.
        try store.setPresence("eve", JSONParser.parse(#"{"name":"eve"}"#), ttl: 5000)
        for edit in queued {
            try store.apply(edit, commit: CommitOptions(baseVersion: eveBase, strategy: .rebase, author: "eve"))
        }
        let state = store.state
        #expect(try state.value(at: JSONPointer(parsing: "/sections/0/id")) == .string("summary"))
        #expect(try state.value(at: JSONPointer(parsing: "/sections/3/text")) == .string("The end."))
        #expect(try state.value(at: JSONPointer(parsing: "/sections/1/comments")) == JSONParser.parse(#"["ben: welcome","eve: shorter?"]"#))
        #expect(try state.value(at: JSONPointer(parsing: "/sections/2/text")) == .string("Body by ana"))
        #expect(try store.changes(since: 0).map(\.author) == ["ana", "ben", "ben", "eve", "eve"])
        #expect(store.presence.map(\.client) == ["ana", "ben", "eve"])
        // eve leaves.
        store.leave("eve")
        #expect(store.presence.map(\.client) == ["ana", "ben"])
    }
}
