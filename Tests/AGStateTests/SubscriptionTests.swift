import Testing
import AGJSON
import AGState

final class Log: @unchecked Sendable {
    private let lock = Lock()
    private var items: [ChangeNotice] = []
    func append(_ n: ChangeNotice) { lock.withLock { items.append(n) } }
    var all: [ChangeNotice] { lock.withLock { items } }
    var versions: [UInt64] { all.map(\.version) }
}

/// Messages from several threads.
final class Messages: @unchecked Sendable {
    private let lock = Lock()
    private var items: [String] = []
    func append(_ message: String) { lock.withLock { items.append(message) } }
    var all: [String] { lock.withLock { items } }
}

@Suite struct SubscriptionTests {
    func p(_ text: String) throws -> JSONPointer { try JSONPointer(parsing: text) }
    func patch(_ text: String) throws -> JSONPatch { try JSONPatch(parsing: JSONParser.parse(text)) }

    @Test func subscribersHearTheirSubtreeAndAncestors() throws {
        let store = try Store(["a": ["b": 1, "c": 1], "list": [1, 2, 3]])
        let ab = Log(), root = Log(), element = Log()
        let s1 = store.subscribe(try p("/a/b")) { ab.append($0); return true }
        let s2 = store.subscribe(.root) { root.append($0); return true }
        let s3 = store.subscribe(try p("/list/2")) { element.append($0); return true }
        try store.set(2, at: p("/a/b"))         // 1: /a/b itself
        try store.set(2, at: p("/a/c"))         // 2: a sibling: not /a/b
        try store.set(["b": 3], at: p("/a"))    // 3: an ancestor
        try store.add(0, at: p("/list/0"))      // 4: shifts /list/2
        try store.set(9, at: p("/list/3"))      // 5: not /list/2
        try store.apply(patch(#"[{"op":"test","path":"/a","value":{"b":3}}]"#)) // 6: reads only
        #expect(ab.versions == [1, 3])
        #expect(root.versions == [1, 2, 3, 4, 5])
        #expect(element.versions == [4])
        #expect(ab.all[1].operations == [.replace(path: try p("/a"), value: ["b": 3])])
        for s in [s1, s2, s3] { s.cancel() }
        try store.set(1, at: p("/a/b"))
        #expect(ab.versions == [1, 3])
    }

    @Test func callbacksMayCommitAndSeeCommitOrder() throws {
        let store = try Store(["count": 0, "echo": 0])
        let log = Log()
        let echo = store.subscribe(try p("/count")) { notice in
            // Runs with no lock held: reads and writes are allowed.
            let count = store.state.objectValue!["count"]!
            _ = try? store.set(count, at: JSONPointer(parsing: "/echo"))
            return true
        }
        let all = store.subscribe(.root) { log.append($0); return true }
        try store.set(1, at: p("/count"))
        try store.set(2, at: p("/count"))
        #expect(store.state == ["count": 2, "echo": 2])
        #expect(log.versions == [1, 2, 3, 4]) // each echo right after its cause, in commit order
        echo.cancel(); all.cancel()
    }

    @Test func failuresAreCountedAndCommitsStand() throws {
        let store = try Store([:])
        let sub = store.subscribe(.root) { _ in false }
        try store.set(1, at: p("/x"))
        try store.set(2, at: p("/x"))
        #expect(sub.failureCount == 2)
        #expect(store.version == 2)
        sub.cancel()
    }

    @Test func cancelFromInsideTheCallback() throws {
        let store = try Store([:])
        let log = Log()
        var sub: Subscription?
        sub = store.subscribe(.root) { n in log.append(n); sub?.cancel(); return true }
        try store.set(1, at: p("/x"))
        try store.set(2, at: p("/x"))
        #expect(log.versions == [1])
    }

    @Test func runawayCallbacksAreBounded() throws {
        let store = try Store(["n": 0])
        var refused = 0
        let sub = store.subscribe(try p("/n")) { n in
            do { try store.set(.int(Int64(n.version)), at: JSONPointer(parsing: "/n")) } catch { refused += 1 }
            return true
        }
        try store.set(1, at: p("/n"))
        #expect(refused == 1)
        #expect(store.version == UInt64(Store.maxCommitsFromCallbacks) + 1)
        sub.cancel()
    }
}

@Suite struct StressTests {
    /// The store changes its state in place where no one else holds it: a snapshot taken meanwhile must
    /// stay exactly what it was (its text the same while it is held) and match its version, in a small
    /// object, an array that grows, and a 300-member object (the large form).
    @Test func snapshotsStayFrozenWhileTheStoreChangesInPlace() async throws {
        let commits = 600, width = 300
        var wide = JSONObject()
        for k in 0..<width { wide["k\(k)"] = .int(-1) }
        let store = try Store(["counter": -1, "list": [], "wide": .object(wide)])
        let failures = Messages()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<commits {
                    let patch = try! JSONPatch(parsing: JSONParser.parse(
                        #"[{"op":"replace","path":"/counter","value":\#(i)},{"op":"add","path":"/list/-","value":\#(i)},"#
                        + #"{"op":"replace","path":"/wide/k\#(i % width)","value":\#(i)}]"#))
                    _ = try! store.apply(patch)
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    var seen = 0
                    while seen < commits {
                        let snapshot = store.snapshot()
                        let v = Int(snapshot.version)
                        seen = v
                        let text = JSONSerializer.string(snapshot.state)
                        let state = snapshot.state.objectValue
                        let list = state?["list"]?.arrayValue
                        let last = v == 0 ? -1 : v - 1
                        let wideValue = state?["wide"]?.objectValue?["k\(max(last, 0) % width)"]
                        if state?["counter"] != .int(Int64(last)) || list?.count != v
                            || (v > 0 && wideValue != .int(Int64(last))) {
                            failures.append("version \(v) holds \(text)")
                        }
                        for _ in 0..<50 { _ = store.version } // let the writer go on while the snapshot is held
                        if JSONSerializer.string(snapshot.state) != text {
                            failures.append("the snapshot of version \(v) changed while it was held")
                        }
                    }
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(store.version == UInt64(commits))
    }

    /// N writers x M patches with readers and subscribers: nothing lost, each subscriber sees each commit
    /// of its subtree exactly once and in order.
    @Test func writersReadersAndSubscribers() async throws {
        let writers = 6, patches = 150
        var initial = JSONObject()
        for w in 0..<writers { initial["w\(w)"] = .array(JSONArray()) }
        let store = try Store(.object(initial))
        let rootLog = Log()
        let perWriter = (0..<writers).map { _ in Log() }
        let subs = [store.subscribe(.root) { rootLog.append($0); return true }]
            + (0..<writers).map { w in store.subscribe(try! JSONPointer(parsing: "/w\(w)")) { perWriter[w].append($0); return true } }
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<patches {
                        let patch = JSONPatch([.add(path: try! JSONPointer(parsing: "/w\(w)/-"), value: .int(Int64(i)))])
                        _ = try! store.apply(patch)
                    }
                }
            }
            group.addTask {
                for _ in 0..<500 {
                    let snap = store.snapshot()
                    _ = snap.state.objectValue?.count
                }
            }
        }
        #expect(store.version == UInt64(writers * patches))
        #expect(rootLog.versions == Array(1...UInt64(writers * patches)))
        for w in 0..<writers {
            let values = perWriter[w].all.flatMap(\.operations).compactMap { op -> Int64? in
                if case .add(_, .number(.int(let i))) = op { return i }
                return nil
            }
            #expect(values == (0..<Int64(patches)).map { $0 })
            #expect(store.state.objectValue?["w\(w)"]?.arrayValue?.count == patches)
            let versions = perWriter[w].versions
            #expect(versions == versions.sorted())
        }
        subs.forEach { $0.cancel() }
    }
}
