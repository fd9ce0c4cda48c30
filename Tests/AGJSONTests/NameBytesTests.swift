import Testing
import AGJSON

/// Member names are compared by their UTF-8 bytes in every form of object (RFC 8259 §8.3, and what
/// JavaScript, Python and Go do): canonically equivalent spellings are different names.
@Suite struct NameBytesTests {
    /// Canonically equivalent spellings with different bytes. The last pair has the same length in bytes
    /// (two combining marks in either order): the parser's shared shapes once took one for the other,
    /// and wrote the second object's name with the first one's bytes.
    static let pairs: [(String, String)] = [("é", "e\u{301}"), ("K", "\u{212A}"),
                                            ("a long name with café inside", "a long name with cafe\u{301} inside"),
                                            ("long name with a\u{301}\u{323} marks", "long name with a\u{323}\u{301} marks")]

    /// Both spellings are members of their own, in small, indexed and large objects alike, and each reads,
    /// changes and writes back as it was written.
    @Test(arguments: [0, 20, 300])
    func equivalentSpellingsAreTwoMembers(filler: Int) throws {
        for (a, b) in NameBytesTests.pairs {
            var text = "{"
            for i in 0..<filler { text += "\"f\(i)\":\(i)," }
            text += JSONSerializer.string(.string(a)) + ":1," + JSONSerializer.string(.string(b)) + ":2}"
            let value = try JSONParser.parse(text)
            guard var object = value.objectValue else { Issue.record("not an object"); continue }
            #expect(object.count == filler + 2)
            #expect(object[a] == .int(1) && object[b] == .int(2), "\(Array(a.utf8)) \(Array(b.utf8))")
            #expect(JSONSerializer.string(value) == text)
            object[a] = .int(3)
            #expect(object[a] == .int(3) && object[b] == .int(2))
            #expect(object.removeValue(forKey: b) == .int(2))
            #expect(object[a] == .int(3) && object[b] == nil && object.count == filler + 1)
        }
        #expect(NameBytes.equal("K", "\u{212A}") == false)
        #expect(NameBytes.hash("abc") == NameBytes.hash(String(decoding: Array("abc".utf8), as: UTF8.self)))
    }

    /// Objects of one shape share their names; one whose names differ only in normalization from an
    /// earlier one's keeps its own bytes.
    @Test func sharedShapesKeepEachObjectsBytes() throws {
        for (a, b) in NameBytesTests.pairs {
            let first = "{" + JSONSerializer.string(.string(a)) + ":1,\"x\":2}"
            let second = "{" + JSONSerializer.string(.string(b)) + ":1,\"x\":2}"
            let text = "[" + first + "," + second + "," + first + "]"
            #expect(JSONSerializer.string(try JSONParser.parse(text)) == text)
        }
    }

    /// A name repeated byte for byte is still refused, in every form.
    @Test(arguments: [0, 20, 300])
    func repeatedNamesAreStillRefused(filler: Int) {
        for name in ["é", "e\u{301}", "a name past fifteen bytes", "k"] {
            var text = "{"
            for i in 0..<filler { text += "\"f\(i)\":\(i)," }
            text += JSONSerializer.string(.string(name)) + ":1," + JSONSerializer.string(.string(name)) + ":2}"
            #expect(throws: AGError.self) { try JSONParser.parse(text) }
        }
    }
}

extension NameBytesTests {
    /// A name hashes the same however it is stored: inline (its bytes in the string's two words) or in
    /// storage of its own, at every length around the 8 bytes of a word and the 15 of an inline string.
    @Test func hashDoesNotDependOnStorage() {
        for n in 0..<40 {
            let text = String((0..<n).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            var stored = String()
            stored.reserveCapacity(64)  // storage of its own even when short
            stored += text
            #expect(NameBytes.hash(text) == NameBytes.hash(stored), "\(n)")
            #expect(NameBytes.equal(text, stored), "\(n)")
            let bytes = Array(text.utf8)
            #expect(NameBytes.hash(text) == bytes.withUnsafeBufferPointer { NameBytes.hash(bytes: $0, seed: NameBytes.seed) }, "\(n)")
        }
    }
}

extension NameBytesTests {
    /// Pointers compare their tokens by bytes too: a move between the two spellings is a move between two
    /// members, and compaction keeps operations on them apart.
    @Test func pointersToEquivalentSpellingsAreTwoPlaces() throws {
        let composed = "/\u{E9}", decomposed = "/e\u{301}"
        #expect(try JSONPointer(parsing: composed) != JSONPointer(parsing: decomposed))
        let document = try JSONParser.parse("{\"\u{E9}\":1}")
        let move = try JSONPatch(parsing: JSONParser.parse("[{\"op\":\"move\",\"from\":\"\(composed)\",\"path\":\"\(decomposed)\"}]"))
        #expect(JSONSerializer.string(try move.apply(to: document)) == "{\"e\u{301}\":1}")
        let ops = try JSONPatch(parsing: JSONParser.parse("""
            [{"op":"add","path":"\(composed)","value":2},{"op":"remove","path":"\(decomposed)"}]
            """)).operations
        let start = try JSONParser.parse("{\"e\u{301}\":0}")
        #expect(try PatchCompaction.compact(ops).apply(to: start) == JSONPatch(ops).apply(to: start))
        #expect(JSONSerializer.string(try PatchCompaction.compact(ops).apply(to: start)) == "{\"\u{E9}\":2}")
    }
}

extension NameBytesTests {
    /// String values compare by their bytes as RFC 6902 `test` requires (§4.6), so that `test` fails and a
    /// diff writes a `replace` between the two spellings.
    @Test func stringValuesCompareByBytes() throws {
        let a = try JSONParser.parse("{\"s\":\"\u{E9}\"}"), b = try JSONParser.parse("{\"s\":\"e\u{301}\"}")
        #expect(a != b)
        let test = try JSONPatch(parsing: JSONParser.parse("[{\"op\":\"test\",\"path\":\"/s\",\"value\":\"e\u{301}\"}]"))
        #expect(throws: AGError.self) { try test.apply(to: a) }
        let patch = JSONPatch(try JSONDiff.diff(a, b))
        #expect(JSONSerializer.string(try patch.apply(to: a)) == JSONSerializer.string(b))
    }
}
