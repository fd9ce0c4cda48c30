#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGJSON
@testable import AGState

/// K clients (2 to 8) hold copies of a state, make random edits (add, remove, replace, move, copy, test
/// on objects and arrays) against the version they last saw and send them with `rebase`; the store's
/// changes reach each client late, in order. After every run all clients equal the store.
///
/// Runs: `AGSTATE_CONVERGENCE_RUNS` (default 300, a fraction of what is run locally); a failure names its
/// seed, and `AGSTATE_CONVERGENCE_SEED` replays one run.
@Suite struct ConvergencePropertyTests {
    struct Client {
        var copy: JSONValue
        var seen: UInt64
        var inbox: [(UInt64, [PatchOperation])] = []
    }

    final class Feed: @unchecked Sendable { var changes: [(UInt64, [PatchOperation])] = [] }

    /// One run; returns how many patches committed and how many were conflicts.
    static func run(seed: UInt64) throws -> (committed: Int, conflicts: Int) {
        var rng = SeededRandom(seed: seed)
        var initial = JSONObject()
        for section in 0..<6 { initial["s\(section)"] = RandomJSON.value(&rng) }
        initial["list"] = .array(JSONArray((0..<Int.random(in: 0...5, using: &rng)).map { _ in RandomJSON.value(&rng, depth: 2) }))
        let store = try Store(.object(initial))
        let feed = Feed()
        let sub = store.subscribe(.root) { notice in feed.changes.append((notice.version, notice.operations)); return true }
        defer { sub.cancel() }
        let k = Int.random(in: 2...8, using: &rng)
        var clients = [Client](repeating: Client(copy: store.state, seen: 0), count: k)
        var committed = 0, conflicts = 0
        for _ in 0..<Int.random(in: 10...40, using: &rng) {
            let c = Int.random(in: 0..<k, using: &rng)
            if Bool.random(using: &rng) {
                // Send an edit that applies to the client's copy, against the version it last saw.
                let edit = RandomJSON.patch(clients[c].copy, &rng)
                guard (try? edit.apply(to: clients[c].copy)) != nil else { continue }
                do {
                    try store.apply(edit, commit: CommitOptions(baseVersion: clients[c].seen, strategy: .rebase, author: "c\(c)"))
                    committed += 1
                } catch {
                    guard error.code == .conflict else { throw AGError(.internal, "seed \(seed): \(error.message)") }
                    conflicts += 1
                    if getenv("AGSTATE_CONVERGENCE_VERBOSE") != nil { print("conflict: \(error.message)") }
                }
                for (v, ops) in feed.changes { for i in clients.indices { clients[i].inbox.append((v, ops)) } }
                feed.changes = []
            } else {
                // Deliver some of the client's pending changes, in order.
                let n = Int.random(in: 0...clients[c].inbox.count, using: &rng)
                try deliver(n, to: &clients[c], seed: seed)
            }
        }
        for i in clients.indices {
            try deliver(clients[i].inbox.count, to: &clients[i], seed: seed)
            guard clients[i].copy == store.state else {
                throw AGError(.internal, "seed \(seed): client \(i) differs from the store after the run")
            }
        }
        return (committed, conflicts)
    }

    static func deliver(_ n: Int, to client: inout Client, seed: UInt64) throws {
        for (version, ops) in client.inbox.prefix(n) {
            do {
                client.copy = try JSONPatch(ops).apply(to: client.copy)
            } catch {
                throw AGError(.internal, "seed \(seed): version \(version) does not apply to a client's copy: \(error.message)")
            }
            client.seen = version
        }
        client.inbox.removeFirst(n)
    }

    static var runs: Int {
        getenv("AGSTATE_CONVERGENCE_RUNS").flatMap { Int(String(cString: $0)) } ?? 300
    }

    @Test func clientsConvergeOnTheStore() throws {
        if let text = getenv("AGSTATE_CONVERGENCE_SEED"), let seed = UInt64(String(cString: text)) {
            _ = try Self.run(seed: seed)
            return
        }
        var committed = 0, conflicts = 0
        for seed in 1...UInt64(Self.runs) {
            do {
                let (c, x) = try Self.run(seed: seed)
                committed += c
                conflicts += x
            } catch {
                Issue.record("convergence failed; replay with AGSTATE_CONVERGENCE_SEED=\(seed): \(error)")
                return
            }
        }
        // Most rebased patches commit: the test exercises the transform, not only refusals.
        #expect(committed > conflicts, "\(committed) committed, \(conflicts) conflicts")
        print("convergence: \(Self.runs) runs, \(committed) patches committed, \(conflicts) conflicts")
    }

    /// Two clients' patches made against the same version, each rebased over the other in either order,
    /// reach the same state when neither conflicts and they touch different members (intention kept).
    @Test(arguments: 1...200)
    func disjointEditsCommuteUnderRebase(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed &+ 10_000)
        var o = JSONObject()
        o["left"] = RandomJSON.value(&rng)
        o["right"] = RandomJSON.value(&rng)
        let base = JSONValue.object(o)
        func scoped(_ side: String) -> JSONPatch {
            let inner = RandomJSON.patch(base.objectValue![side]!, &rng)
            return JSONPatch(inner.operations.map { op in
                func p(_ x: JSONPointer) -> JSONPointer { JSONPointer(tokens: [side] + x.tokens) }
                switch op {
                case .add(let x, let v): return .add(path: p(x), value: v)
                case .remove(let x): return x.isRoot ? .test(path: p(x), value: .null) : .remove(path: p(x))
                case .replace(let x, let v): return .replace(path: p(x), value: v)
                case .move(let f, let x): return .move(from: p(f), path: p(x))
                case .copy(let f, let x): return .copy(from: p(f), path: p(x))
                case .test(let x, let v): return .test(path: p(x), value: v)
                }
            })
        }
        let a = scoped("left"), b = scoped("right")
        guard let direct = try? b.apply(to: a.apply(to: base)) else { return }
        for (first, second) in [(a, b), (b, a)] {
            let store = try Store(base)
            try store.apply(first)
            try store.apply(second, commit: CommitOptions(baseVersion: 0, strategy: .rebase))
            #expect(store.state == direct, "seed \(seed)")
        }
    }
}
