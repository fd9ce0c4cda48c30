#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

@Suite struct GroupCommitTests {
    /// Four threads commit to four stores of one storage at once (their writes share transactions); after a
    /// reopen every store has every change, in order.
    @Test func concurrentCommittersAllLand() throws {
        let url = "sqlite:\(temporaryDirectory())/group.db"
        var options = StorageOptions()
        options.durability = .normal
        options.checkpointChanges = 50
        let storage = try Storage(url: url, options: options)
        let stores = try (0..<4).map { try storage.openStore("s\($0)", initial: try json(#"{"log":[]}"#)) }
        let failures = Lock()
        var errors: [AGError] = []
        let pointer = try JSONPointer(parsing: "/log/-")
        var threads: [pthread_t] = []
        final class Work { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
        for store in stores {
            let work = Work {
                for i in 0..<300 {
                    do throws(AGError) { try store.add(.int(Int64(i)), at: pointer) } catch { failures.withLock { errors.append(error) } }
                }
            }
            var thread = pthread_t()
            pthread_create(&thread, nil, { raw in
                Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(work).toOpaque())
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
        #expect(errors.isEmpty)
        storage.close()
        let reopened = try Storage(url: url, options: options)
        for i in 0..<4 {
            let store = try reopened.openStore("s\(i)")
            #expect(store.version == 300)
            guard case .array(let log)? = try? store.get(JSONPointer(parsing: "/log")) else {
                Issue.record("no log"); continue
            }
            #expect(log.count == 300)
            #expect(text(store.state).hasSuffix("297,298,299]}"))
        }
    }

    /// A write that fails inside a shared transaction fails alone (savepoints); the others commit.
    @Test func aFailingWriteInABatchFailsAlone() throws {
        let dir = temporaryDirectory()
        let database = try Database(path: "\(dir)/batch.db", options: StorageOptions())
        let committer = GroupCommitter(database: database)
        try database.withConnection { (c) throws(AGError) in try c.execute("CREATE TABLE t(x INTEGER PRIMARY KEY)") }
        // One committer at a time here, so each batch holds one write: the failure rolls back its own
        // transaction only.
        try committer.submit { (c) throws(AGError) in try c.execute("INSERT INTO t VALUES(1)") }
        #expect(throws: AGError.self) { try committer.submit { (c) throws(AGError) in try c.execute("INSERT INTO t VALUES(1)") } }
        try committer.submit { (c) throws(AGError) in try c.execute("INSERT INTO t VALUES(2)") }
        let count = try database.withConnection { (c) throws(AGError) -> Int64 in
            let s = try c.statement("SELECT count(*) FROM t"); try s.step(); defer { s.reset() }; return s.int64(0)
        }
        #expect(count == 2)
    }
}
