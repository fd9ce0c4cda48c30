import Testing
import AGJSON
import AGState

@Suite struct TransactionTests {
    func p(_ text: String) throws -> JSONPointer { try JSONPointer(parsing: text) }
    func patch(_ text: String) throws -> JSONPatch { try JSONPatch(parsing: JSONParser.parse(text)) }

    @Test func readYourWritesAndCommitAsOneVersion() throws {
        let store = try Store(["a": 1, "b": [1]])
        let tx = store.begin()
        try tx.apply(patch(#"[{"op":"replace","path":"/a","value":2}]"#))
        #expect(try tx.get(p("/a")) == 2)
        try tx.apply(patch(#"[{"op":"add","path":"/b/-","value":2}]"#))
        #expect(store.state == ["a": 1, "b": [1]]) // nothing visible before commit
        #expect(try tx.commit() == 1)
        #expect(store.state == ["a": 2, "b": [1, 2]])
        #expect(try store.delta(since: 0).count == 2)
        #expect(throws: AGError.self) { try tx.commit() }
    }

    @Test func disjointChangesCommit() throws {
        let store = try Store(["a": ["x": 1], "b": ["y": 1]])
        let tx = store.begin()
        _ = try tx.get(p("/a/x"))
        try tx.apply(patch(#"[{"op":"replace","path":"/a/x","value":2}]"#))
        try store.set(5, at: p("/b/y"))
        try store.set(6, at: p("/b/z"))
        #expect(try tx.commit() == 3)
        #expect(store.state == ["a": ["x": 2], "b": ["y": 5, "z": 6]])
    }

    @Test func overlappingChangesConflict() throws {
        for other in ["/a/x", "/a", "", "/a/x/deeper"] {
            let store = try Store(["a": ["x": ["deeper": 1]], "b": 0])
            let tx = store.begin()
            try tx.apply(patch(#"[{"op":"replace","path":"/a/x","value":2}]"#))
            if other.isEmpty { try store.set(["a": 1], at: .root) } else { try store.set(9, at: p(other)) }
            let before = store.state
            do { _ = try tx.commit(); Issue.record("committed over \(other)") } catch {
                #expect(error.code == .conflict, "\(other)")
            }
            #expect(store.state == before && store.version == 1)
        }
    }

    @Test func readsConflictToo() throws {
        let store = try Store(["limit": 10, "used": 0])
        let tx = store.begin()
        let limit = try tx.get(p("/limit"))
        try tx.apply(JSONPatch([.replace(path: p("/used"), value: limit)]))
        try store.set(5, at: p("/limit"))
        #expect(throws: AGError.self) { try tx.commit() }
    }

    @Test func arrayInsertionsConflictWithElementWrites() throws {
        let store = try Store(["list": [1, 2, 3]])
        let tx = store.begin()
        try tx.apply(patch(#"[{"op":"replace","path":"/list/2","value":30}]"#))
        try store.add(0, at: p("/list/0")) // shifts every element
        #expect(throws: AGError.self) { try tx.commit() }
    }

    @Test func rollbackLeavesNothing() throws {
        let store = try Store(["a": 1])
        let tx = store.begin()
        try tx.apply(patch(#"[{"op":"remove","path":"/a"}]"#))
        tx.rollback()
        tx.rollback()
        #expect(store.state == ["a": 1] && store.version == 0)
        #expect(throws: AGError.self) { try tx.commit() }
    }

    @Test func compareAndSet() throws {
        let store = try Store(["n": 0])
        let inc = try patch(#"[{"op":"replace","path":"/n","value":1}]"#)
        #expect(try store.apply(inc, expectedVersion: 0) == 1)
        do { _ = try store.apply(inc, expectedVersion: 0); Issue.record("stale write accepted") } catch {
            #expect(error.code == .conflict)
        }
        #expect(store.version == 1)
    }

    @Test func restoreIsAnOrdinaryChange() throws {
        let store = try Store(["v": 1])
        let snap = store.snapshot()
        try store.set(2, at: p("/v"))
        var heard: [UInt64] = []
        let sub = store.subscribe(try p("/v")) { heard.append($0.version); return true }
        #expect(try store.restore(snap) == 2)
        #expect(store.state == ["v": 1] && snap.state == ["v": 1] && snap.version == 0)
        #expect(heard == [2])
        #expect(try store.state(at: 1) == ["v": 2])
        sub.cancel()
    }

    /// A patch that would take the transaction past its bound of remembered locations fails and is undone
    /// in the transaction's state; what was applied before it still commits.
    @Test func aPatchPastTheLocationBoundIsUndone() throws {
        let store = try Store(["n": 0, "m": 0])
        let transaction = store.begin()
        try transaction.apply(JSONPatch([.replace(path: try JSONPointer(parsing: "/m"), value: 1)]))
        let n = try JSONPointer(parsing: "/n")
        let tooMany = JSONPatch((1...Transaction.maxRecordedLocations).map { .replace(path: n, value: .int(Int64($0))) })
        do {
            try transaction.apply(tooMany)
            Issue.record("the bound was not enforced")
        } catch {
            #expect(error.code == .limitExceeded)
        }
        #expect(try transaction.get(n) == 0)
        try transaction.commit()
        #expect(JSONSerializer.string(store.state) == #"{"n":0,"m":1}"#)
    }
}

@Suite struct SnapshotDiffTests {
    @Test func fromHistoryOrByComparison() throws {
        let store = try Store(["a": ["x": 1], "b": [1, 2]])
        let snap = store.snapshot()
        try store.set(2, at: JSONPointer(parsing: "/a/x"))
        try store.add(3, at: JSONPointer(parsing: "/b/-"))
        let fromHistory = try store.diff(since: snap)
        #expect(try JSONPatch(fromHistory).apply(to: snap.state) == store.state)
        // A snapshot of another store: compared, not taken from this store's history.
        let other = try Store(["a": ["x": 5]])
        let foreign = other.snapshot()
        #expect(try JSONPatch(try store.diff(since: foreign)).apply(to: foreign.state) == store.state)
        // A snapshot older than the history: compared too.
        store.historyLimits = HistoryLimits(maxVersions: 0)
        #expect(try JSONPatch(try store.diff(since: snap)).apply(to: snap.state) == store.state)
    }
}
