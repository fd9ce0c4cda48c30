#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
import AGRegistry
import AGStorage

/// A new directory for a test's files: in /dev/shm when there is one (a test on a busy disk waits for
/// file creation more than for anything it measures), under /tmp otherwise.
final class TemporaryDirectory {
    let path: String

    init() {
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/agstate-registry-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// Removes the directory and the files in it.
    func remove() {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

func residentSetKilobytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { s in
        withUnsafeMutablePointer(to: &resident) { r in
            _ = withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
        }
    }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

@Suite(.serialized) struct ManyStoresTests {
    /// 100,000 ids opened in turn through durable SQLite storage under a 64 MB budget: the resident estimate
    /// never passes the budget, and every evicted store comes back from the database with its exact state
    /// and version.
    @Test func hundredThousandIdsThroughStorage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var storageOptions = StorageOptions()
        storageOptions.durability = .normal  // WAL without a sync per commit: the test is about the registry
        let storage = try Storage(url: "sqlite:\(directory.path)/stores.db", options: storageOptions)
        defer { storage.close() }
        var options = RegistryOptions()
        options.budgetBytes = 64 << 20
        let registry = try Registry(loader: StorageLoader(storage), options: options)
        let filler = String(repeating: "m", count: 600)
        let ids = 100_000
        let rssBefore = residentSetKilobytes()
        var peak = 0
        for i in 0..<ids {
            let hold = try registry.get("c\(i)", initial: ["text": .string(filler), "i": .int(Int64(i))])
            for k in 0..<(i % 3) { try hold.store.set(.int(Int64(k)), at: JSONPointer(parsing: "/k")) }
            hold.release()
            peak = max(peak, registry.statistics.residentBytes)
        }
        let rssGrowth = (residentSetKilobytes() - rssBefore) * 1024
        let stats = registry.statistics
        #expect(peak <= options.budgetBytes)
        #expect(stats.evictions[.budget]! > 30_000)
        // The process's RSS is checked by tests-c/test_registry_scale.c, in a process of its own: here other
        // suites run in parallel in the same process.
        for i in 0..<ids {
            let hold = try registry.get("c\(i)")
            let expected: JSONValue = i % 3 == 0 ? ["text": .string(filler), "i": .int(Int64(i))]
                : ["text": .string(filler), "i": .int(Int64(i)), "k": .int(Int64(i % 3 - 1))]
            if hold.store.state != expected || hold.store.version != UInt64(i % 3) {
                Issue.record("store c\(i) came back as \(hold.store.state) at version \(hold.store.version)")
                break
            }
            hold.release()
        }
        #expect(throws: AGError.self) { _ = try registry.get("never-stored") }
        print("100,000 ids through storage: peak resident estimate \(peak >> 20) MB of 64, RSS grew \(rssGrowth >> 20) MB, \(stats.evictionsTotal) evictions")
        registry.close()
    }
}
