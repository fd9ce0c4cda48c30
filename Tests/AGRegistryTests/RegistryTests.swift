#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
import AGRegistry

func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
func patch(_ text: String) throws -> JSONPatch { try JSONPatch(parsing: JSONParser.parse(text)) }
func ptr(_ text: String) throws -> JSONPointer { try JSONPointer(parsing: text) }

@Suite struct RegistryTests {
    @Test func getCreatesThenHits() throws {
        let registry = try Registry()
        let hold = try registry.get("a", initial: ["n": 1])
        try hold.store.set(2, at: ptr("/n"))
        hold.release()
        let again = try registry.get("a")
        #expect(again.store.state == ["n": 2])
        #expect(again.store.version == 1)
        let s = registry.statistics
        #expect(s.hits == 1 && s.misses == 1 && s.resident == 1 && s.held == 1)
        #expect(s.residentBytes > 0)
        #expect(throws: AGError.self) { _ = try registry.get("missing") }
    }

    @Test func evictsLeastRecentlyUsedAndReloadsExactly() throws {
        let loader = MemoryStoreLoader()
        var options = RegistryOptions()
        options.budgetBytes = 20_000
        let registry = try Registry(loader: loader, options: options)
        var expected: [String: (JSONValue, UInt64)] = [:]
        for i in 0..<200 {
            let id = "s\(i)"
            let hold = try registry.get(id, initial: ["id": .string(id)])
            for k in 0..<(i % 4) { try hold.store.set(.int(Int64(k)), at: ptr("/k\(k)")) }
            expected[id] = (hold.store.state, hold.store.version)
            hold.release()
            #expect(registry.statistics.residentBytes <= options.budgetBytes)
        }
        let s = registry.statistics
        #expect(s.evictions[.budget]! > 150)
        #expect(s.resident < 200)
        for (id, (state, version)) in expected {
            let hold = try registry.get(id)
            #expect(hold.store.state == state)
            #expect(hold.store.version == version)
            hold.release()
        }
    }

    @Test func heldStoresStayResident() throws {
        var options = RegistryOptions()
        options.budgetBytes = 3_000
        let registry = try Registry(loader: MemoryStoreLoader(), options: options)
        let held = try registry.get("held", initial: ["x": .string(String(repeating: "x", count: 300))])
        for i in 0..<20 { try registry.get("o\(i)", initial: ["x": .string(String(repeating: "y", count: 300))]).release() }
        #expect(registry.statistics.resident >= 1)
        try held.store.set(1, at: ptr("/y"))  // still the resident store
        let again = try registry.get("held")
        #expect(again.store === held.store)
    }

    @Test func withoutStorageOverBudgetRefusesNewStores() throws {
        var options = RegistryOptions()
        options.budgetBytes = 3_000
        let registry = try Registry(options: options)
        var holds: [Registry.Hold] = []
        var refused: AGError?
        for i in 0..<50 {
            do { holds.append(try registry.get("s\(i)", initial: ["x": .string(String(repeating: "z", count: 50))])) } catch {
                refused = error as? AGError
                break
            }
        }
        #expect(refused?.code == .limitExceeded)
        #expect(registry.statistics.evictionsTotal == 0)
        #expect(registry.statistics.refusedOverBudget == 1)
        // Existing stores stay reachable.
        #expect(try registry.get("s0").store.state == ["x": .string(String(repeating: "z", count: 50))])
    }

    @Test func ttlEvictsIdleStores() throws {
        var options = RegistryOptions()
        options.ttlMilliseconds = 1
        let loader = MemoryStoreLoader()
        let registry = try Registry(loader: loader, options: options)
        try registry.get("a", initial: [:]).release()
        let held = try registry.get("b", initial: [:])
        usleep(20_000)
        #expect(registry.sweep() == 1)
        #expect(registry.statistics.evictions[.ttl] == 1)
        #expect(registry.statistics.resident == 1)
        held.release()
    }

    @Test func manyThreadsOnDifferentIds() throws {
        var options = RegistryOptions()
        options.budgetBytes = 100_000
        let registry = try Registry(loader: MemoryStoreLoader(), options: options)
        let threads = 4
        let failures = Counter()
        var tids: [pthread_t] = []
        final class Work { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        for t in 0..<threads {
            let work = Work {
                for i in 0..<500 {
                    do {
                        let hold = try registry.get("t\(t)-\(i % 50)", initial: ["n": 0])
                        try hold.store.set(.int(Int64(i)), at: ptr("/n"))
                        hold.release()
                    } catch { failures.add() }
                }
            }
            var tid = pthread_t()
            pthread_create(&tid, nil, { raw in
                Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(work).toOpaque())
            tids.append(tid)
        }
        for tid in tids { pthread_join(tid, nil) }
        #expect(failures.value == 0)
        #expect(registry.statistics.commits == threads * 500)
        #expect(registry.statistics.residentBytes <= options.budgetBytes)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

@Suite struct LoaderTests {
    @Test func missingIdWithLoaderIsNotFound() throws {
        let registry = try Registry(loader: MemoryStoreLoader())
        do {
            _ = try registry.get("nobody")
            Issue.record("found")
        } catch let error as AGError {
            #expect(error.code == .pathNotFound)
        }
        #expect(registry.statistics.resident == 0)
    }
}
