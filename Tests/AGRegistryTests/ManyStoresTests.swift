#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
import AGJSON
import AGState
import AGRegistry

/// Stores kept as files in a directory, one per id (the version on the first line, the state after it),
/// written when the registry lets go of a store that changed since it was read, and read when it opens it
/// again: real files standing in for the storage backends. In /dev/shm when there is one (a test on a
/// busy disk waits for file creation more than for anything it measures).
final class DirectoryStoreLoader: StoreLoader, @unchecked Sendable {
    let directory: String
    let isDurable = true
    private let lock = Lock()
    private var onDisk: [String: UInt64] = [:]  // the version each file holds

    init() {
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/agstate-registry-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    private func path(_ id: String) -> String { "\(directory)/\(id)" }

    func open(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store? {
        guard let file = fopen(path(id), "rb") else {
            guard let initial else { return nil }
            return try Store(initial, limits: limits)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        guard let newline = bytes.firstIndex(of: 10), let version = UInt64(String(decoding: bytes[..<newline], as: UTF8.self)) else {
            throw AGError(.corruptData, "the file of store \(id) is damaged")
        }
        let state = try JSONParser.parse(Array(bytes[(newline + 1)...]))
        lock.withLock { onDisk[id] = version }
        return try Store(state, limits: limits.json, history: limits.history, content: limits.content, version: version)
    }

    func release(_ id: String, store: Store) {
        let snapshot = store.snapshot()
        guard lock.withLock({ onDisk.updateValue(snapshot.version, forKey: id) != snapshot.version }) else { return }
        let bytes = Array("\(snapshot.version)\n".utf8) + JSONSerializer.serialize(snapshot.state)
        guard let file = fopen(path(id), "wb") else { return }
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }

    func isReachable() -> Bool { access(directory, W_OK) == 0 }

    func remove() {
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path(name)) }
            }
            closedir(dir)
        }
        rmdir(directory)
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
    /// 100,000 ids opened in turn under a 64 MB budget: the resident estimate never passes the budget, the
    /// process grows by less than the budget plus a stated margin, and every store comes back exactly.
    @Test func hundredThousandIdsUnderSixtyFourMegabytes() throws {
        let loader = DirectoryStoreLoader()
        defer { loader.remove() }
        var options = RegistryOptions()
        options.budgetBytes = 64 << 20
        let registry = try Registry(loader: loader, options: options)
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
        // The estimate counts the state, the history and a fixed 800 bytes a store; the allocator's own
        // overhead and the memory it keeps after frees come on top. Margin: the budget again.
        #expect(rssGrowth < 2 * options.budgetBytes, "RSS grew \(rssGrowth >> 20) MB")
        for i in stride(from: 0, to: ids, by: 1) {
            let hold = try registry.get("c\(i)")
            let expected: JSONValue = i % 3 == 0 ? ["text": .string(filler), "i": .int(Int64(i))]
                : ["text": .string(filler), "i": .int(Int64(i)), "k": .int(Int64(i % 3 - 1))]
            if hold.store.state != expected || hold.store.version != UInt64(i % 3) {
                Issue.record("store c\(i) came back as \(hold.store.state) at version \(hold.store.version)")
                break
            }
            hold.release()
        }
        print("100,000 ids: peak resident estimate \(peak >> 20) MB of 64, RSS grew \(rssGrowth >> 20) MB, \(stats.evictionsTotal) evictions")
        registry.close()
    }
}
