import Testing
import AGJSON

/// The patch reader that skips the JSON tree must read every text exactly as the general way does
/// (parse, then `JSONPatch(parsing:)`): the same operations, or the same error.
@Suite struct PatchReaderTests {
    /// "ok <operations as text>" or "error <code> <message>".
    static func outcome(_ read: () throws(AGError) -> JSONPatch) -> String {
        do {
            return "ok " + JSONSerializer.string(try read().json)
        } catch {
            return "error \(error.code) \(error.message)"
        }
    }

    static func expectSameReading(_ bytes: [UInt8], options: ParseOptions = .strict,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        bytes.withUnsafeBytes { raw in
            let direct = outcome { () throws(AGError) in try JSONPatch(parsing: raw, options: options) }
            let general = outcome { () throws(AGError) in try JSONPatch(parsing: try JSONParser.parse(raw, options: options)) }
            #expect(direct == general, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    /// The prefix form (an event's `delta`, followed by the rest of the event): whenever it reads a patch,
    /// the general way reads the same value, to the same byte, as the same patch.
    static func expectSamePrefixReading(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let text = bytes + Array(#" ,"threadId":"t"}"#.utf8)
        text.withUnsafeBytes { raw in
            guard let (patch, length) = JSONParser.readPatch(prefixOf: raw, options: .strict) else { return }
            let general = Result { () throws(AGError) in try JSONParser.parse(prefixOf: raw, options: .strict) }
            guard case .success(let (value, generalLength)) = general else {
                Issue.record("read directly, rejected by the general way: \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
                return
            }
            #expect(length == generalLength, sourceLocation: sourceLocation)
            let generalPatch = try? JSONPatch(parsing: value)
            #expect(generalPatch.map { JSONSerializer.string($0.json) } == JSONSerializer.string(patch.json), sourceLocation: sourceLocation)
        }
    }

    static let crafted: [String] = [
        #"[]"#, #" [ ] "#, #"[{"op":"add","path":"/a","value":1}]"#,
        " \r\n[\t{ \"op\" : \"add\" , \"path\" : \"/a\" , \"value\" : [1, {\"b\": null}] } ]\n",
        #"[{"value":{"x":[true,false]},"path":"/a/0","op":"replace"}]"#,
        #"[{"op":"remove","path":"/a"},{"op":"move","from":"/b","path":"/c"},{"op":"copy","from":"/c","path":"/d"},{"op":"test","path":"/d","value":"x"}]"#,
        // Names and values written with escapes, which the direct reader leaves to the general way.
        #"[{"p\u0061th":"/a","op":"remove"}]"#, #"[{"op":"\u0061dd","path":"/a","value":1}]"#,
        #"[{"op":"add","path":"/a\/b","value":1}]"#, #"[{"op":"add","path":"/\u00e9t\u00e9","value":1}]"#,
        #"[{"op":"add","path":"/été/ü","value":"ö"}]"#, #"[{"op":"add","path":"/m~0n~1o","value":1}]"#,
        // Members that are ignored, repeated, missing or mistyped.
        #"[{"op":"add","path":"/a","value":1,"comment":"x"}]"#, #"[{"op":"remove","path":"/a","value":1,"from":5}]"#,
        #"[{"op":"remove","path":"/a","from":"no slash"}]"#, #"[{"op":"add","path":"/a","value":1,"op":"remove"}]"#,
        #"[{"op":"add","path":"/a","value":1,"value":2}]"#, #"[{"op":"add","path":"/a","path":"/b","value":1}]"#,
        #"[{"op":"add","path":"/a"}]"#, #"[{"op":"move","path":"/a"}]"#, #"[{"path":"/a","value":1}]"#,
        #"[{"op":"add","value":1}]"#, #"[{"op":5,"path":"/a"}]"#, #"[{"op":"add","path":5,"value":1}]"#,
        #"[{"op":"launch","path":"/a"}]"#, #"[{"op":"add","path":"a","value":1}]"#, #"[{"op":"add","path":"/~2","value":1}]"#,
        #"[{"op":"add","path":"/a","value":1},5]"#, #"[null]"#, #"[[]]"#, #"{"op":"add"}"#, #""patch""#,
        // Malformed text.
        "", " ", "[", "[{", #"[{"op""#, #"[{"op":"add","path":"/a","value":1}"#, #"[{"op":"add","path":"/a","value":1},]"#,
        #"[{"op":"add","path":"/a","value":1,}]"#, #"[{"op":"add","path":"/a","value":01}]"#,
        #"[{"op":"add","path":"/a","value":1}] x"#, #"[{"op":"add","path":"/a","value":1}][]"#,
        #"[{"op":"add","path":"/a","value":"\ud800"}]"#, #"[{"op":"add","path":"/a","value":tru}]"#,
        #"[{"op":"add" "path":"/a","value":1}]"#, #"[{"op":"add","path":"/a","value":1}{"op":"remove","path":"/a"}]"#,
    ]

    @Test func craftedTexts() {
        for text in Self.crafted {
            Self.expectSameReading(Array(text.utf8))
            Self.expectSamePrefixReading(Array(text.utf8))
        }
        // Bytes that are not UTF-8, in a pointer and in a value.
        Self.expectSameReading(Array(#"[{"op":"add","path":"/"#.utf8) + [0xC3, 0x28] + Array(#"","value":1}]"#.utf8))
        Self.expectSameReading(Array(#"[{"op":"add","path":"/a","value":""#.utf8) + [0xFF] + Array(#""}]"#.utf8))
        // Duplicates allowed by name: the last one wins, both ways.
        Self.expectSameReading(Array(#"[{"op":"add","path":"/a","value":1,"op":"remove"}]"#.utf8),
                               options: ParseOptions(allowDuplicateKeys: true))
    }

    /// Depth and size limits apply the same way: a value nesting to the limit, and one level more.
    @Test func limitsAreTheSame() {
        let text = Array(#"[{"op":"add","path":"/a","value":[[[1]]]}]"#.utf8)
        for depth in 1...6 {
            Self.expectSameReading(text, options: ParseOptions(limits: JSONLimits(maxDepth: depth)))
        }
        var small = JSONLimits.default
        small.maxInputBytes = 10
        Self.expectSameReading(text, options: ParseOptions(limits: small))
    }

    /// Every patch of the conformance suites, as written there and then cut and changed byte by byte.
    @Test(arguments: ["json-patch-tests/tests.json", "json-patch-tests/spec_tests.json", "jsonp-test-suite/json-patch.json",
                      "jsonp-test-suite/rfc6902-examples.json", "jsonp-test-suite/json-patch-malformed.json"])
    func conformancePatchesAndTheirMutations(file: String) throws {
        var rng = Rng(state: 6902)
        let replacements = Array(#"{}[],:"\/~ 0a-"#.utf8)
        for record in try ConformanceData.records(file) {
            guard let patch = record["patch"] else { continue }
            let text = JSONSerializer.serialize(patch)
            Self.expectSameReading(text)
            Self.expectSamePrefixReading(text)
            for _ in 0..<40 {
                var mutated = text
                let at = rng.below(mutated.count)
                switch rng.below(3) {
                case 0: mutated.remove(at: at)
                case 1: mutated.insert(replacements[rng.below(replacements.count)], at: at)
                default: mutated[at] = replacements[rng.below(replacements.count)]
                }
                Self.expectSameReading(mutated)
                Self.expectSamePrefixReading(mutated)
            }
        }
    }
}
