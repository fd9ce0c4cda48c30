import Testing
import AGJSON
import AGState

/// A transaction reads patches within its store's own limits, as a patch committed to the store directly
/// is read, and cannot commit into a store that was closed.
@Suite struct TransactionLimitTests {
    static func deepPatch(_ depth: Int) -> [UInt8] {
        Array(("[{\"op\":\"add\",\"path\":\"/deep\",\"value\":" + String(repeating: "[", count: depth)
               + String(repeating: "]", count: depth) + "}]").utf8)
    }

    @Test func aRaisedDepthLimitIsTheTransactionsToo() throws {
        let store = try Store(["a": 1], limits: JSONLimits(maxDepth: 1_000))
        let text = TransactionLimitTests.deepPatch(600)
        // Directly: accepted.
        let direct = try text.withUnsafeBytes { try JSONPatch(parsing: $0, options: ParseOptions(limits: store.limits)) }
        #expect(direct.operations.count == 1)
        // Through a transaction: accepted too.
        let tx = store.begin()
        try text.withUnsafeBytes { try tx.apply(patchText: $0) }
        #expect(try tx.commit() == 1)
        #expect(store.state.objectValue?["deep"]?.height == 600)
    }

    @Test func aLoweredInputLimitIsTheTransactionsToo() throws {
        let store = try Store(["a": 1], limits: JSONLimits(maxInputBytes: 64))
        let tx = store.begin()
        let long = Array(#"[{"op":"add","path":"/b","value":"a string long enough to pass sixty-four bytes"}]"#.utf8)
        do {
            try long.withUnsafeBytes { try tx.apply(patchText: $0) }
            Issue.record("a patch past the store's input limit was read")
        } catch {
            #expect((error as? AGError)?.code == .limitExceeded)
        }
        let short = Array(#"[{"op":"add","path":"/b","value":2}]"#.utf8)
        try short.withUnsafeBytes { try tx.apply(patchText: $0) }
        #expect(try tx.commit() == 1)
    }

    @Test func noCommitAfterTheStoreClosed() throws {
        let store = try Store(["a": 1])
        let tx = store.begin()
        try Array(#"[{"op":"replace","path":"/a","value":2}]"#.utf8).withUnsafeBytes { try tx.apply(patchText: $0) }
        store.close()
        do {
            _ = try tx.commit()
            Issue.record("a transaction committed into a closed store")
        } catch {
            #expect(error.code == .closed)
        }
        #expect(store.version == 0 && store.state == ["a": 1])
        #expect(throws: AGError.self) { try store.set(3, at: JSONPointer(parsing: "/a")) }
        store.close()
        #expect(store.isClosed)
    }
}
