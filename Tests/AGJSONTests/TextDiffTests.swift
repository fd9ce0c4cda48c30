import Testing
@testable import AGJSON

/// The diff read from the two texts side by side must give, operation for operation, the patch of the
/// tree diff of the parsed documents, and must leave to the parser every text the parser rejects.
@Suite struct TextDiffTests {
    /// The tree diff of the parsed texts, or nil when one of them does not parse.
    static func treeDiff(_ a: [UInt8], _ b: [UInt8], _ options: DiffOptions) -> [PatchOperation]? {
        let parse = ParseOptions(persistentContainers: false)
        guard let x = try? JSONParser.parse(a, options: parse), let y = try? JSONParser.parse(b, options: parse) else { return nil }
        return try? JSONDiff.diff(x, y, options: options)
    }

    static func textDiff(_ a: [UInt8], _ b: [UInt8], _ options: DiffOptions, limits: JSONLimits = .default) -> [PatchOperation]? {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in JSONDiff.fastTextDiff(x, y, options: options, limits: limits) } }
    }

    /// Member names made ASCII, so that the text path takes them (it leaves the others to the parser).
    static func asciiNames(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            var out = JSONObject()
            for (key, value) in o.entries {
                let name = key == "ü" ? "u" : key == "日本" ? "jp" : key
                out[name] = asciiNames(value)
            }
            return .object(out)
        case .array(let a): return .array(JSONArray(a.map(asciiNames)))
        default: return v
        }
    }

    static func text(_ v: JSONValue, _ r: inout Rng) -> [UInt8] {
        switch r.below(4) {
        case 0: return Array(JSONSerializer.serialize(v, options: SerializeOptions(pretty: true)))
        default: return Array(JSONSerializer.serialize(v))
        }
    }

    static let optionSets: [DiffOptions] = [DiffOptions(), DiffOptions(testGuards: true), DiffOptions(maxArrayWork: 4)]

    @Test(arguments: 0..<3)
    func samePatchAsTheTreeDiff(option: Int) {
        let options = Self.optionSets[option]
        var r = Rng(state: UInt64(option) * 104_729 + 5)
        var fast = 0
        for round in 0..<4000 {
            var a = Gen.value(&r)
            var b = r.below(5) == 0 ? Gen.value(&r) : Gen.mutate(a, &r)
            if round % 4 != 0 { a = Self.asciiNames(a); b = Self.asciiNames(b) }
            let x = Self.text(a, &r), y = Self.text(b, &r)
            guard let tree = Self.treeDiff(x, y, options) else { Issue.record("generated text does not parse"); continue }
            if let ops = Self.textDiff(x, y, options) {
                #expect(ops == tree, "\(String(decoding: x, as: UTF8.self)) -> \(String(decoding: y, as: UTF8.self))")
                fast += 1
            }
        }
        #expect(fast > 2500)
    }

    /// Texts written by hand where the spelling differs from the serializer's: whitespace, number forms,
    /// escapes, member order.
    @Test func spellingsAndShapes() {
        let pairs: [(String, String)] = [
            (#"{"a":1,"b":[1,2,3]}"#, #"{ "a" : 1 , "b" : [ 1 , 2 , 3 ] }"#),
            (#"{"a":1.0}"#, #"{"a":1}"#),
            (#"{"a":1.5}"#, #"{"a":1.50}"#),
            (#"{"a":12}"#, #"{"a":123}"#),
            (#"[12]"#, #"[123]"#),
            (#"12"#, #"123"#),
            (#""x""#, #""\u0078""#),
            (#"{"s":"\u00e9"}"#, #"{"s":"é"}"#),
            (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#),
            (#"{"a":1,"b":2}"#, #"{"a":1,"c":2}"#),
            (#"{"a":1,"b":2}"#, #"{"a":1}"#),
            (#"{"a":1}"#, #"{"a":1,"b":2}"#),
            (#"{}"#, #"{"a":1}"#),
            (#"{"a":1}"#, #"{}"#),
            (#"[]"#, #"[1]"#),
            (#"[1]"#, #"[]"#),
            (#"[1,2,3]"#, #"[1,2,3,4]"#),
            (#"[1,2,3,4]"#, #"[1,2,3]"#),
            (#"[1,2,3]"#, #"[0,1,2,3]"#),
            (#"[1,[2,3],4]"#, #"[1,[2,5],4]"#),
            (#"[1,{"a":[2,3]},4]"#, #"[1,{"a":[2,3]},{"a":[2]},4]"#),
            (#"{"a":{"b":{"c":[1,2,{"d":true}]}}}"#, #"{"a":{"b":{"c":[1,2,{"d":false}]}}}"#),
            (#"{"a":true}"#, #"{"a":null}"#),
            (#"{"a":"x"}"#, #"{"a":{"x":1}}"#),
            ("[1,2]", "[1,2]"),
            ("\n {\"a\" :[1, 2]}\t", "{\"a\":[1,2]}"),
        ]
        for options in Self.optionSets {
            for (x, y) in pairs {
                for (p, q) in [(x, y), (y, x)] {
                    let tree = Self.treeDiff(Array(p.utf8), Array(q.utf8), options)
                    let text = Self.textDiff(Array(p.utf8), Array(q.utf8), options)
                    #expect(tree != nil)
                    #expect(text == tree, "\(p) -> \(q)")
                }
            }
        }
    }

    /// What the parser rejects, the text path leaves to it (a nil answer), whichever side it is on and
    /// whether or not the two texts agree there.
    @Test func rejectedTextIsLeftToTheParser() {
        let bad = [#"{"a":1,}"#, #"[1,]"#, #"{"a":1,"a":2}"#, #"{"a":"\ud800"}"#, #"[1e400]"#, #"[1e-400]"#, #"[01]"#,
                   #"[1.]"#, #"[-]"#, #"{"a" 1}"#, "[\"\u{01}\"]", #"[tru]"#, #"{"a":1}x"#, #"[1 2]"#, "", " ",
                   #"{"a":[1,2}"#, #"{"a":1"#, #"["a\x"]"#, #"{"k\u0061":1,"ka":2}"#, #"[nul]"#, #"{,}"#, #"[,1]"#,
                   String(repeating: "[", count: 600) + String(repeating: "]", count: 600)]
        let good = [#"{"a":1}"#, #"[1]"#, #"{"a":[1,2],"b":{"c":"d"}}"#]
        for x in bad {
            for y in good + bad {
                #expect(Self.textDiff(Array(x.utf8), Array(y.utf8), DiffOptions()) == nil, "\(x) vs \(y)")
                #expect(Self.textDiff(Array(y.utf8), Array(x.utf8), DiffOptions()) == nil, "\(y) vs \(x)")
            }
        }
        // Duplicates found where the texts agree, in the part after they stop agreeing, and in wide objects.
        var wide = (0..<40).map { "\"k\($0)\":\($0)" }
        let plain = "{" + wide.joined(separator: ",") + "}"
        wide.append("\"k7\":0")
        #expect(Self.textDiff(Array(plain.utf8), Array(("{" + wide.joined(separator: ",") + "}").utf8), DiffOptions()) == nil)
        #expect(Self.textDiff(Array(#"{"a":1,"b":{"x":1,"x":1}}"#.utf8), Array(#"{"a":2,"b":{"x":1,"x":1}}"#.utf8), DiffOptions()) == nil)
        #expect(Self.textDiff(Array(#"{"a":1,"b":2}"#.utf8), Array(#"{"a":1,"c":2,"c":3}"#.utf8), DiffOptions()) == nil)
        // Depth: the limit applies as in the parser.
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(Self.textDiff(Array(deep.utf8), Array("[]".utf8), DiffOptions(), limits: JSONLimits(maxDepth: 9)) == nil)
        #expect(Self.textDiff(Array(deep.utf8), Array("[]".utf8), DiffOptions(), limits: JSONLimits(maxDepth: 10)) != nil)
    }

    /// Random damage to valid texts: whenever both still parse, the patch is the tree diff's; whenever one
    /// does not, the text path answers nil.
    @Test func damagedTexts() {
        var r = Rng(state: 4242)
        let damage: [UInt8] = Array("{}[],:\"\\ 0e-.tnx".utf8) + [0xC3, 0x80, 0x01]
        for _ in 0..<6000 {
            let a = Self.asciiNames(Gen.value(&r))
            var x = Array(JSONSerializer.serialize(a))
            var y = Array(JSONSerializer.serialize(Self.asciiNames(Gen.mutate(a, &r))))
            for _ in 0..<1 + r.below(2) {
                if r.below(2) == 0 { Self.damage(&x, damage, &r) } else { Self.damage(&y, damage, &r) }
            }
            let tree = Self.treeDiff(x, y, DiffOptions())
            let text = Self.textDiff(x, y, DiffOptions())
            if tree == nil {
                #expect(text == nil, "\(String(decoding: x, as: UTF8.self)) vs \(String(decoding: y, as: UTF8.self))")
            } else if let text {
                #expect(text == tree)
            }
        }
    }

    static func damage(_ t: inout [UInt8], _ bytes: [UInt8], _ r: inout Rng) {
        guard !t.isEmpty else { return }
        let at = r.below(t.count)
        switch r.below(3) {
        case 0: t[at] = bytes[r.below(bytes.count)]
        case 1: t.insert(bytes[r.below(bytes.count)], at: at)
        default: t.remove(at: at)
        }
    }

    /// A state of the benchmark's shape, 10 leaves changed: the same patch, found by the text path.
    @Test func wideStateWithTenChanges() throws {
        var items = JSONObject()
        for i in 0..<3000 {
            var meta = JSONObject()
            meta["score"] = .int(Int64(i % 7))
            meta["ok"] = .bool(true)
            var item = JSONObject()
            item["id"] = .int(Int64(i))
            item["name"] = .string("n\(i)")
            item["tags"] = .array(JSONArray([.string("x"), .string("y")]))
            item["meta"] = .object(meta)
            items["item\(i)"] = .object(item)
        }
        var root = JSONObject()
        root["items"] = .object(items)
        root["messages"] = .array(JSONArray((0..<300).map { JSONValue.string("m\($0)") }))
        let a = JSONValue.object(root)
        var changes: [PatchOperation] = try (0..<10).map {
            .replace(path: try JSONPointer(parsing: "/items/item\($0 * 297)/meta/score"), value: .int(-1 - Int64($0)))
        }
        changes.append(.add(path: try JSONPointer(parsing: "/messages/-"), value: "new"))
        let b = try JSONPatch(changes).apply(to: a)
        let x = Array(JSONSerializer.serialize(a)), y = Array(JSONSerializer.serialize(b))
        let ops = try #require(Self.textDiff(x, y, DiffOptions()))
        #expect(ops == Self.treeDiff(x, y, DiffOptions()))
        #expect(ops.count == 11)

        // Changes that shift the rest of a wide object or array: the same patch as the tree diff.
        var first = JSONObject()
        first["first"] = .int(1)
        for (key, value) in items.entries { first[key] = value }
        var reversed = JSONObject()
        for (key, value) in items.entries.reversed() { reversed[key] = value }
        var removed = items
        removed.removeValue(forKey: "item1500")
        for variant in [first, reversed, removed] {
            var changed = root
            changed["items"] = .object(variant)
            let z = Array(JSONSerializer.serialize(.object(changed)))
            let shifted = try #require(Self.textDiff(x, z, DiffOptions()))
            #expect(shifted == Self.treeDiff(x, z, DiffOptions()))
        }
    }
}
