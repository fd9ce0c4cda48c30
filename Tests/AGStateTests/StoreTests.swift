import Testing
import AGJSON
import AGState

@Suite struct StoreTests {
    @Test func versionsCountCommittedChanges() throws {
        let store = try Store()
        #expect(store.version == 0)
        #expect(try store.set(["done": false], at: JSONPointer(parsing: "/todo")) == 1)
        #expect(try store.add("x", at: JSONPointer(parsing: "/items")) == 2)
        #expect(try store.apply(JSONPatch(parsing: JSONParser.parse(#"[{"op":"replace","path":"/items","value":[1]}]"#))) == 3)
        #expect(try store.merge(["todo": ["done": true], "items": nil]) == 4)
        #expect(store.state == ["todo": ["done": true]])
        #expect(try store.remove(at: JSONPointer(parsing: "/todo")) == 5)
        #expect(store.state == [:])
    }

    @Test func failedChangesCommitNothing() throws {
        let store = try Store(["a": [1, 2, 3]])
        let bad = try JSONPatch(parsing: JSONParser.parse(#"[{"op":"remove","path":"/a/0"},{"op":"test","path":"/a/0","value":99}]"#))
        #expect(throws: AGError.self) { try store.apply(bad) }
        #expect(store.version == 0)
        #expect(store.state == ["a": [1, 2, 3]])
        #expect(throws: AGError.self) { try store.set(1, at: JSONPointer(parsing: "/missing/child")) }
        #expect(throws: AGError.self) { try store.remove(at: JSONPointer.root) }
        #expect(store.version == 0)
    }

    @Test func setReplacesOrAdds() throws {
        let store = try Store(["list": [1, 2]])
        try store.set(10, at: JSONPointer(parsing: "/list/0"))
        try store.set(3, at: JSONPointer(parsing: "/list/-"))
        try store.set(["new": true], at: JSONPointer.root)
        #expect(store.state == ["new": true])
        #expect(store.version == 3)
    }

    @Test func snapshotsAreUnaffectedByLaterWrites() throws {
        let store = try Store(["a": ["b": 1]])
        let before = store.state
        try store.set(2, at: JSONPointer(parsing: "/a/b"))
        #expect(before == ["a": ["b": 1]])
        #expect(store.state == ["a": ["b": 2]])
    }

    @Test func concurrentWritersLoseNothing() async throws {
        let store = try Store(["n": 0, "log": []])
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask {
                    for i in 0..<200 {
                        _ = try? store.add(.int(Int64(w * 1000 + i)), at: JSONPointer(parsing: "/log/-"))
                        _ = store.state // readers in between
                    }
                }
            }
        }
        #expect(store.version == 1600)
        #expect(store.state.objectValue?["log"]?.arrayValue?.count == 1600)
    }
}
