#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGJSON
@testable import AGState

final class Batches: @unchecked Sendable {
    private let lock = Lock()
    private var items: [Batch] = []
    func append(_ b: Batch) { lock.withLock { items.append(b) } }
    var all: [Batch] { lock.withLock { items } }
}

@Suite struct BatcherTests {
    func p(_ s: String) throws -> JSONPointer { try JSONPointer(parsing: s) }

    /// Applying every batch in order to the state at the batcher's start gives the store's state.
    func replay(_ batches: [Batch], from start: JSONValue) throws -> JSONValue {
        try batches.reduce(start) { state, batch in try JSONPatch(batch.operations).apply(to: state) }
    }

    @Test func sizeBound() throws {
        let store = try Store(["n": 0, "log": []])
        let got = Batches()
        let batcher = try Batcher(store: store, options: BatcherOptions(maxOperations: 5, windowMilliseconds: 1000)) { got.append($0); return true }
        for i in 1...12 { try store.add(.int(Int64(i)), at: p("/log/-")) }
        #expect(got.all.count == 2 && got.all.map(\.toVersion) == [5, 10])
        batcher.close()
        #expect(got.all.count == 3 && got.all.last?.toVersion == 12) // close flushes the rest
        #expect(try replay(got.all, from: ["n": 0, "log": []]) == store.state)
        #expect(got.all[0].fromVersion == 0 && got.all[1].fromVersion == 5)
    }

    @Test func compactsWhatItGathers() throws {
        let store = try Store(["status": "idle"])
        let got = Batches()
        let batcher = try Batcher(store: store, options: BatcherOptions(windowMilliseconds: 100)) { got.append($0); return true }
        batcher.poll(now: 1000) // changes are stamped with the latest time the batcher was told
        for s in ["a", "b", "c", "d"] { try store.set(.string(s), at: p("/status")) }
        batcher.poll(now: 1099)
        #expect(got.all.isEmpty)
        batcher.poll(now: 1100)
        #expect(got.all.count == 1)
        #expect(got.all[0].operations == [.replace(path: try p("/status"), value: "d")])
        #expect(JSONSerializer.string(got.all[0].event) == #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/status","value":"d"}]}"#)
        let stats = batcher.statistics
        #expect(stats.operationsIn == 4 && stats.operationsOut == 1 && stats.batches == 1)
        batcher.close()
    }

    @Test func urgentChangesGoAtOnce() throws {
        let store = try Store(["a": 0])
        let got = Batches()
        let batcher = try Batcher(store: store, options: BatcherOptions(windowMilliseconds: 10_000)) { got.append($0); return true }
        try store.set(1, at: p("/a"))
        #expect(got.all.isEmpty)
        try store.apply(JSONPatch([.replace(path: p("/a"), value: 2)]), options: PatchOptions(urgent: true))
        #expect(got.all.count == 1 && got.all[0].operations == [.replace(path: try p("/a"), value: 2)])
        batcher.close()
    }

    @Test func closeMayDrop() throws {
        let store = try Store(["a": 0])
        let got = Batches()
        let batcher = try Batcher(store: store) { got.append($0); return true }
        try store.set(1, at: p("/a"))
        batcher.close(flush: false)
        try store.set(2, at: p("/a"))
        #expect(got.all.isEmpty)
    }

    /// The consumer stalls while writers go on: with the timer thread sending, writers are not held up;
    /// the changes coalesce into fewer, larger batches, the backlog stays bounded, nothing is lost.
    @Test func stalledConsumerCoalesces() async throws {
        let store = try Store(["log": []])
        let got = Batches()
        let gate = ConditionLock()
        nonisolated(unsafe) var open = false
        let batcher = try Batcher(store: store, options: BatcherOptions(maxOperations: 10, windowMilliseconds: 1000)) { batch in
            gate.withLock { while !open { gate.wait() } }
            got.append(batch)
            return true
        }
        try batcher.startTimer(tickMilliseconds: 5)
        for i in 0..<10 { try store.add(.int(Int64(i)), at: p("/log/-")) }
        while batcher.statistics.batches < 1 { usleep(1000) }
        // The first batch is now stuck in the consumer; these changes pile up and coalesce.
        for i in 10..<2000 { try store.add(.int(Int64(i)), at: p("/log/-")) }
        #expect(batcher.statistics.coalesced > 0)
        #expect(batcher.statistics.resynced > 0) // the backlog passed 16 x 10 operations
        gate.withLock { open = true; gate.broadcast() }
        batcher.close()
        #expect(got.all.count < 200)
        #expect(try replay(got.all, from: ["log": []]) == store.state)
        #expect(got.all.last?.toVersion == 2000)
    }

    @Test func timerThread() throws {
        let store = try Store(["a": 0])
        let got = Batches()
        let batcher = try Batcher(store: store, options: BatcherOptions(windowMilliseconds: 20)) { got.append($0); return true }
        try batcher.startTimer(tickMilliseconds: 5)
        try store.set(1, at: p("/a"))
        var waited = 0
        while got.all.isEmpty && waited < 2000 { usleep(5000); waited += 5 }
        #expect(got.all.count == 1)
        batcher.close()
    }

    @Test func watchesOnePointer() throws {
        let store = try Store(["ui": ["x": 0], "internal": 0])
        let got = Batches()
        let batcher = try Batcher(store: store, pointer: p("/ui"), options: BatcherOptions(maxOperations: 1)) { got.append($0); return true }
        try store.set(1, at: p("/internal"))
        try store.set(1, at: p("/ui/x"))
        #expect(got.all.count == 1 && got.all[0].operations == [.replace(path: try p("/ui/x"), value: 1)])
        batcher.close()
    }
}
