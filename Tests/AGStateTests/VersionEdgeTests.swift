import Testing
import AGJSON
import AGState

/// Versions are the caller's 64-bit numbers: any two of them, however far apart, give an error or an
/// answer, never a trap (the distance between 0 and 2^64 - 1 does not fit an Int).
@Suite struct VersionEdgeTests {
    static let edges: [UInt64] = [0, 1, 2, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max - 1, UInt64.max]

    @Test func diffsBetweenAnyTwoVersions() throws {
        let store = try Store(["n": 0])
        try store.set(1, at: JSONPointer(parsing: "/n"))
        try store.set(2, at: JSONPointer(parsing: "/n"))
        for from in VersionEdgeTests.edges {
            for to in VersionEdgeTests.edges {
                do {
                    let ops = try store.diff(from: from, to: to)
                    #expect(from <= 2 && to <= 2, "versions \(from) and \(to) gave \(ops)")
                } catch {
                    #expect(from > 2 || to > 2)
                    #expect(error.code == .invalidArgument || error.code == .notInHistory, "\(error)")
                }
            }
            #expect(throws: AGError.self) { if from > 2 { _ = try store.state(at: from) } else { throw AGError(.invalidArgument, "in range") } }
            #expect(throws: AGError.self) { if from > 2 { _ = try store.delta(since: from) } else { throw AGError(.invalidArgument, "in range") } }
        }
    }
}
