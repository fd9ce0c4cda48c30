import Testing
import AGJSON
import AGState

@Suite struct StoreTests {
    /// Time travel gives back the state as it was, member order included: a removed member returns to its
    /// place (small objects, and objects wide enough for the large form, where compaction may have moved
    /// the slots in between).
    @Test(arguments: [3, 300])
    func stateAtKeepsMemberOrder(width: Int) throws {
        let text = "{" + (0..<width).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let store = try Store(JSONParser.parse(text))
        let p = { (s: String) throws -> JSONPointer in try JSONPointer(parsing: s) }
        var seen = [JSONSerializer.string(store.state)]
        try store.apply(JSONPatch([.remove(path: p("/k1")), .move(from: p("/k0"), path: p("/moved"))]))
        seen.append(JSONSerializer.string(store.state))
        // Three members in four removed, one by one: the large form compacts its slots on the way.
        for i in 3..<width where i % 4 != 0 {
            try store.apply(JSONPatch([.remove(path: p("/k\(i)"))]))
            seen.append(JSONSerializer.string(store.state))
        }
        for (version, expected) in seen.enumerated() where version % 16 == 0 || version == seen.count - 1 || version < 3 {
            #expect(JSONSerializer.string(try store.state(at: UInt64(version))) == expected, "version \(version)")
        }
        #expect(seen[0] == text)
    }

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
