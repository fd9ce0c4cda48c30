import Testing
import AGJSON

/// The large object's trie from name to slot, against a `Dictionary` under random changes, with copies
/// kept along the way, and with hashes made to collide so that every level and the lists below the last
/// one are reached.
@Suite struct NameIndexTests {
    /// Ways to hash a name: the real one, and ones that collide on purpose.
    static let hashings: [(String, @Sendable (String) -> UInt64)] = [
        ("real", { NameIndex.hash($0) }),
        ("all equal", { _ in 42 }),
        ("four values", { UInt64($0.utf8.count % 4) }),
        ("high bits only", { UInt64($0.utf8.count % 8) << 59 }),
        ("low bits equal", { (NameIndex.hash($0) & 0xFFFF_0000_0000_0000) | 0x7 }),
    ]

    @Test(arguments: 0..<5)
    func matchesADictionaryWithCopiesKept(hashing: Int) {
        let (label, h) = NameIndexTests.hashings[hashing]
        var r = Rng(state: 101 + UInt64(hashing))
        var index = NameIndex()
        // The reference is keyed by bytes: names are compared byte for byte (a `[String: Int]` would merge
        // "é" composed and decomposed, and "K" with the Kelvin sign).
        var reference: [[UInt8]: Int] = [:]
        var kept: [(NameIndex, [[UInt8]: Int])] = []
        let pool = (0..<400).map { "name\($0)" } + ["", "é", "e\u{301}", "K", "\u{212A}", "a string name longer than fifteen"]
        for step in 0..<6_000 {
            let name = pool[r.below(pool.count)]
            switch r.below(10) {
            case 0..<5:
                let slot = r.below(1_000)
                index.set(name, hash: h(name), slot: slot)
                reference[Array(name.utf8)] = slot
            case 5..<8:
                #expect(index.remove(name, hash: h(name)) == reference.removeValue(forKey: Array(name.utf8)), "\(label) step \(step)")
            default:
                #expect(index.slot(name, hash: h(name)) == reference[Array(name.utf8)], "\(label) step \(step)")
            }
            #expect(index.count == reference.count, "\(label) step \(step)")
            if step % 500 == 0 { kept.append((index, reference)) }
        }
        for (copy, expected) in kept + [(index, reference)] {
            #expect(copy.count == expected.count, "\(label)")
            for name in pool where copy.slot(name, hash: h(name)) != expected[Array(name.utf8)] {
                Issue.record("\(label): \(name) is \(String(describing: copy.slot(name, hash: h(name)))), expected \(String(describing: expected[Array(name.utf8)]))")
            }
        }
    }

    /// Built in one pass: every name at its slot, and the first repeated name found where a scan finds it;
    /// canonically equivalent spellings with different bytes are different names.
    @Test(arguments: 0..<5)
    func builtInOnePass(hashing: Int) {
        let (label, h) = NameIndexTests.hashings[hashing]
        var r = Rng(state: 7 + UInt64(hashing))
        for size in [1, 2, 31, 33, 300, 2_000] {
            var names = (0..<size).map { "m\($0)-\(r.below(1_000_000))" }
            names = Array(Set(names))  // distinct
            let (built, duplicate) = NameIndex.build(names, hashes: names.map(h))
            #expect(duplicate == -1, "\(label) \(size)")
            guard let index = built else { Issue.record("\(label) \(size): not built"); continue }
            #expect(index.count == names.count)
            for (slot, name) in names.enumerated() where index.slot(name, hash: h(name)) != slot {
                Issue.record("\(label) \(size): \(name) not at \(slot)")
            }
            #expect(index.slot("absent", hash: h("absent")) == nil)
        }
        for pair in [("é", "e\u{301}"), ("K", "\u{212A}"), ("same", "same")] {
            var names = (0..<50).map { "n\($0)" }
            names.insert(pair.0, at: 7)
            names.insert(pair.1, at: 31)
            names.insert(pair.0 == "same" ? "n3" : "n40", at: 44)  // a later repeat too: the first one counts
            let (built, duplicate) = NameIndex.build(names, hashes: names.map(h))
            #expect(built == nil && duplicate == (pair.0 == "same" ? 31 : 44), "\(label) \(pair)")
        }
    }
}
