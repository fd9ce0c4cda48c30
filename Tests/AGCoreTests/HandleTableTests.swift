import Testing
import AGCore

/// Handles never alias: a closed handle stays closed however often its slot is reused, also past the
/// point where the slot's generation would wrap (reached here with a table whose generations end at 3;
/// the real ones end at 2^32 - 1).
@Suite struct HandleTableTests {
    final class Thing { let n: Int; init(_ n: Int) { self.n = n } }

    @Test func aClosedHandleStaysClosedThroughEveryReuse() throws {
        let table = HandleTable<Thing>(kind: 0x42, name: "thing", lastGeneration: 3)
        var closed: [OpaquePointer] = []
        for i in 0..<20 {
            let handle = try table.insert(Thing(i))
            #expect(!closed.contains(handle), "handle \(i) equals one handed out before")
            #expect(try table.object(handle).n == i)
            for old in closed {
                do {
                    _ = try table.object(old)
                    Issue.record("closed handle \(old) reads object \(i)")
                } catch {
                    #expect(error.code == .closed)
                }
            }
            #expect(table.remove(handle))
            #expect(!table.remove(handle))
            closed.append(handle)
        }
    }

    @Test func kindsAndMadeUpValuesAreRefused() throws {
        let a = HandleTable<Thing>(kind: 0x42, name: "thing")
        let b = HandleTable<Thing>(kind: 0x43, name: "other")
        let handle = try a.insert(Thing(1))
        #expect(throws: AGError.self) { try b.object(handle) }
        #expect(throws: AGError.self) { try a.object(nil) }
        #expect(throws: AGError.self) { try a.object(OpaquePointer(bitPattern: 0x42 << 56 | 0xFF_FFFF)) }
        #expect(throws: AGError.self) { try a.object(OpaquePointer(bitPattern: 0x1000)) }
        #expect(try a.object(handle).n == 1)
    }
}
