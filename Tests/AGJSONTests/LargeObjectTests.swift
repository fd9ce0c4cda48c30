import Testing
import OrderedCollections
@testable import AGJSON

/// Objects past `JSONObject.largeThreshold` members take the persistent form. It must behave exactly
/// like the small form (order, equality, text), and every copy must keep its contents when another
/// changes. (The whole suite also runs with AGSTATE_LARGE_OBJECT_THRESHOLD=0, from scripts/test.sh.)
@Suite struct LargeObjectTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func text(_ o: JSONObject) -> String { JSONSerializer.string(.object(o)) }

    @Test func randomOperationsMatchAnOrderedDictionary() {
        var rng = Rng(state: 42)
        let width = JSONObject.largeThreshold + 200
        var object = JSONObject()
        var reference = OrderedDictionary<String, JSONValue>()
        var copies: [(JSONObject, OrderedDictionary<String, JSONValue>)] = []
        for step in 0..<6_000 {
            let key = "k\(rng.below(width))"
            switch rng.below(10) {
            case 0...5:
                let value: JSONValue = rng.below(4) == 0 ? ["nested": .int(Int64(step))] : .int(Int64(step))
                object[key] = value
                reference[key] = value
            case 6, 7:
                #expect(object.removeValue(forKey: key) == reference.removeValue(forKey: key))
            case 8:
                let changed = object.modify(key) { (v: inout JSONValue) -> Bool in v = .string("m\(step)"); return true }
                if reference[key] != nil { reference[key] = .string("m\(step)") }
                #expect((changed != nil) == (reference[key] != nil))
            default:
                copies.append((object, reference))
            }
            #expect(object.count == reference.count)
            #expect(object[key] == reference[key])
        }
        #expect(object.count > JSONObject.largeThreshold, "the test must reach the large form")
        #expect(object.largeBox != nil)
        #expect(object.keys == Array(reference.keys))
        #expect(LargeObjectTests.text(object) == JSONSerializer.string(.object(JSONObject(distinctKeys: Array(reference.keys), values: Array(reference.values)))))
        for (copy, expected) in copies {
            #expect(copy.keys == Array(expected.keys), "an earlier copy changed")
            #expect(copy.entries.map(\.value) == Array(expected.values))
        }
    }

    /// Objects that stay within the small and indexed forms (8, 24 and 60 names in play): the same
    /// checks, with insertions before a member (where undoing a removal puts it back), heights, and the
    /// name after each member.
    @Test(arguments: [8, 24, 60])
    func smallAndIndexedFormsMatchAnOrderedDictionary(width: Int) {
        guard JSONObject.largeThreshold >= width else { return }  // the suite's run with every object large
        var rng = Rng(state: UInt64(width))
        var object = JSONObject()
        var reference = OrderedDictionary<String, JSONValue>()
        var copies: [(JSONObject, OrderedDictionary<String, JSONValue>)] = []
        func height(_ d: OrderedDictionary<String, JSONValue>) -> Int { 1 + (d.values.map(\.height).max() ?? 0) }
        for step in 0..<4_000 {
            let key = "k\(rng.below(width))"
            switch rng.below(12) {
            case 0...4:
                let value: JSONValue = rng.below(4) == 0 ? ["nested": ["deeper": .int(Int64(step))]] : .int(Int64(step))
                #expect(object.set(key, value) == (reference.updateValue(value, forKey: key) != nil))
            case 5, 6:
                #expect(object.removeValue(forKey: key) == reference.removeValue(forKey: key))
            case 7:
                let before = "k\(rng.below(width))"
                object.insert(key, .bool(true), before: before)
                if reference[key] != nil {
                    reference[key] = .bool(true)
                } else if let i = reference.index(forKey: before) {
                    reference.updateValue(.bool(true), forKey: key, insertingAt: i)
                } else {
                    reference[key] = .bool(true)
                }
            case 8:
                let changed = object.modify(key) { (v: inout JSONValue) -> Bool in v = .string("m\(step)"); return true }
                if reference[key] != nil { reference[key] = .string("m\(step)") }
                #expect((changed != nil) == (reference[key] != nil))
            case 9:
                let i = reference.index(forKey: key)
                let next = i.flatMap { $0 + 1 < reference.count ? reference.keys[$0 + 1] : nil }
                #expect(object.name(after: key) == next)
            default:
                copies.append((object, reference))
            }
            #expect(object.count == reference.count)
            #expect(object[key] == reference[key])
            #expect(object.height == height(reference))
        }
        #expect(object.largeBox == nil)
        #expect(object.keys == Array(reference.keys))
        for (copy, expected) in copies {
            #expect(copy.keys == Array(expected.keys), "an earlier copy changed")
            #expect(copy.entries.map(\.value) == Array(expected.values))
        }
    }

    /// A large object as parsed must answer every read and change exactly like an `OrderedDictionary`,
    /// and copies taken along the way keep their contents; a repeated name is found while it is built.
    @Test func parsedLargeObjectsChangeLikeAnOrderedDictionary() throws {
        let n = JSONObject.largeThreshold + 100
        var reference = OrderedDictionary<String, JSONValue>()
        for i in 0..<n { reference["p\(i)"] = .int(Int64(i)) }
        let text = JSONSerializer.string(.object(JSONObject(distinctKeys: Array(reference.keys), values: Array(reference.values))))
        let parsed = try #require(try JSONParser.parse(text).objectValue)
        var object = parsed
        var rng = Rng(state: 99)
        var copies: [(JSONObject, OrderedDictionary<String, JSONValue>)] = [(parsed, reference)]
        for step in 0..<3_000 {
            let key = "p\(rng.below(n + 40))"
            switch rng.below(10) {
            case 0...2:
                let changed = object.modify(key) { (v: inout JSONValue) -> Bool in v = .string("m\(step)"); return true }
                if reference[key] != nil { reference[key] = .string("m\(step)") }
                #expect((changed != nil) == (reference[key] != nil))
            case 3, 4:
                #expect(object.set(key, .int(Int64(-step))) == (reference.updateValue(.int(Int64(-step)), forKey: key) != nil))
            case 5:
                #expect(object.removeValue(forKey: key) == reference.removeValue(forKey: key))
            case 6:
                let i = reference.index(forKey: key)
                let next = i.flatMap { $0 + 1 < reference.count ? reference.keys[$0 + 1] : nil }
                #expect(object.name(after: key) == next)
            case 7:
                #expect(object.contains(key) == (reference[key] != nil))
            default:
                copies.append((object, reference))
            }
            #expect(object.count == reference.count)
            #expect(object[key] == reference[key])
        }
        #expect(object.keys == Array(reference.keys))
        for (copy, expected) in copies {
            #expect(copy.keys == Array(expected.keys), "an earlier copy changed")
            for (k, v) in expected { #expect(copy[k] == v) }
        }
        let repeated = text.dropLast() + #","p7":true}"#
        #expect(throws: AGError.self) { try JSONParser.parse(String(repeated)) }
    }

    /// The object case keeps a `JSONValue` at 24 bytes.
    @Test func valuesTakeTwentyFourBytes() {
        #expect(MemoryLayout<JSONObject>.size <= 20)
        #expect(MemoryLayout<JSONValue>.stride == 24)
    }

    @Test func bothFormsAreEqualAndHeightsAgree() {
        let keys = (0..<(JSONObject.largeThreshold + 10)).map { "key\($0)" }
        let values = keys.indices.map { i -> JSONValue in i == 3 ? ["a": ["b": 1]] : .int(Int64(i)) }
        let large = JSONObject(distinctKeys: keys, values: values)
        var small = JSONObject()
        for (k, v) in zip(keys, values) { small.set(k, v) }  // grows into the large form too
        #expect(large == small)
        #expect(large.height == 3 && small.height == 3)
        var shrunk = large
        _ = shrunk.removeValue(forKey: "key3")
        #expect(shrunk.height == 1)
        #expect(large.height == 3)
        #expect(shrunk != large)
        #expect(JSONValue.object(large).isIdentical(to: .object(large)))
        #expect(!JSONValue.object(shrunk).isIdentical(to: .object(large)))
    }

    @Test func removalsCompactAndKeepOrder() {
        let n = JSONObject.largeThreshold + 500
        var object = JSONObject(distinctKeys: (0..<n).map { "m\($0)" }, values: (0..<n).map { .int(Int64($0)) })
        for i in stride(from: 0, to: n, by: 3) { object.removeValue(forKey: "m\(i)") }
        for i in stride(from: 0, to: n, by: 3) where i % 2 == 0 { object["m\(i)"] = .bool(true) }
        let expected = (0..<n).filter { $0 % 3 != 0 }.map { "m\($0)" } + stride(from: 0, to: n, by: 3).filter { $0 % 2 == 0 }.map { "m\($0)" }
        #expect(object.keys == expected)
        let reparsed = try! JSONParser.parse(JSONSerializer.string(.object(object)))
        #expect(reparsed == .object(object))
    }
}

/// Arrays past `JSONArray.largeThreshold` elements take the persistent form; same checks.
@Suite struct LargeArrayTests {
    @Test func randomOperationsMatchASwiftArray() {
        var rng = LargeObjectTests.Rng(state: 7)
        var array = JSONArray((0..<(JSONArray.largeThreshold + 5)).map { JSONValue.int(Int64($0)) })
        var reference = (0..<(JSONArray.largeThreshold + 5)).map { JSONValue.int(Int64($0)) }
        var copies: [(JSONArray, [JSONValue])] = []
        for step in 0..<3_000 {
            let value: JSONValue = rng.below(5) == 0 ? [.int(Int64(step)), ["x": true]] : .int(Int64(step))
            switch rng.below(12) {
            case 0...3:
                array.append(value)
                reference.append(value)
            case 4, 5:
                let i = rng.below(reference.count)
                array.replace(at: i, with: value)
                reference[i] = value
            case 6:
                let i = rng.below(reference.count)
                array.modify(at: i) { $0 = .string("m\(step)") }
                reference[i] = .string("m\(step)")
            case 7:
                let i = rng.below(reference.count + 1)
                array.insert(value, at: i)
                reference.insert(value, at: i)
            case 8 where reference.count > 1:
                let i = rng.below(reference.count)
                #expect(array.remove(at: i) == reference.remove(at: i))
            default:
                copies.append((array, reference))
            }
            #expect(array.count == reference.count)
        }
        #expect(array.largeBox != nil)
        #expect(Array(array) == reference)
        #expect(array.height == 1 + reference.map(\.height).max()!)
        #expect(JSONSerializer.string(.array(array)) == JSONSerializer.string(.array(JSONArray(reference))))
        for (copy, expected) in copies { #expect(Array(copy) == expected, "an earlier copy changed") }
        let reparsed = try! JSONParser.parse(JSONSerializer.string(.array(array)))
        #expect(reparsed == .array(array))
    }
}

/// A diff between two versions of one large object follows the change, and says what the general path
/// says.
@Suite struct LargeObjectDiffTests {
    @Test func versionsOfOneLargeObject() throws {
        let n = JSONObject.largeThreshold + 3_000
        let a = JSONObject(distinctKeys: (0..<n).map { "k\($0)" }, values: (0..<n).map { ["v": .int(Int64($0))] })
        var b = a
        for i in stride(from: 7, to: n, by: 911) { b["k\(i)"] = ["v": .int(-1)] }
        _ = b.removeValue(forKey: "k5")  // a removal: slots still line up (tombstone on one side: falls back)
        let ops = try JSONDiff.diff(.object(a), .object(b))
        #expect(try JSONPatch(ops).apply(to: .object(a)) == .object(b))
        var c = a
        for i in stride(from: 7, to: n, by: 911) { c["k\(i)"] = ["v": .int(-1)] }
        let valueOps = try JSONDiff.diff(.object(a), .object(c))
        #expect(valueOps.count == (n - 7 + 910) / 911)
        #expect(valueOps.first?.path.description == "/k7/v")
        #expect(try JSONPatch(valueOps).apply(to: .object(a)) == .object(c))
        // the same pair rebuilt independently (nothing shared) gives the same operations
        let plainA = try JSONParser.parse(JSONSerializer.string(.object(a)), options: ParseOptions(persistentContainers: false))
        let plainC = try JSONParser.parse(JSONSerializer.string(.object(c)), options: ParseOptions(persistentContainers: false))
        #expect(try JSONDiff.diff(plainA, plainC) == valueOps)
    }
}

/// `JSONPatch.apply(inPlace:)` gives what `apply(to:)` gives, and on a failure leaves the document as
/// it was, member order included.
@Suite struct InPlacePatchTests {
    @Test func randomPatchesAgreeWithTheCopyingPath() throws {
        var rng = LargeObjectTests.Rng(state: 99)
        let keys = ["a", "b", "c", "list", "x"]
        for round in 0..<3_000 {
            let base: JSONValue = ["a": 1, "b": ["c": [1, 2, 3]], "list": [true, false], "x": "s"]
            var ops: [PatchOperation] = []
            for _ in 0..<(1 + rng.below(4)) {
                let paths = ["/a", "/b/c", "/b/c/0", "/b/c/-", "/b/c/3", "/b/c/9", "/list/1", "/list/-", "/new", "/b/new", "/zz/q", "",
                             "/\(keys[rng.below(keys.count)])"]
                let path = try JSONPointer(parsing: paths[rng.below(paths.count)])
                let value: JSONValue = rng.below(2) == 0 ? .int(Int64(round)) : ["k": .int(Int64(round))]
                let from = try JSONPointer(parsing: paths[rng.below(paths.count)])
                switch rng.below(8) {
                case 0, 1: ops.append(.add(path: path, value: value))
                case 2, 3: ops.append(.replace(path: path, value: value))
                case 4: ops.append(.remove(path: path))
                case 5: ops.append(.move(from: from, path: path))
                case 6: ops.append(.copy(from: from, path: path))
                default: ops.append(.test(path: path, value: rng.below(2) == 0 ? 1 : value))
                }
            }
            let patch = JSONPatch(ops)
            // Sometimes the only holder of its containers (changed in place), sometimes sharing them with `base`.
            var inPlace = round % 2 == 0 ? base : try JSONParser.parse(JSONSerializer.string(base))
            let copied: Result<JSONValue, AGError>
            do { copied = .success(try patch.apply(to: base)) } catch { copied = .failure(error) }
            do {
                try patch.apply(inPlace: &inPlace)
                guard case .success(let expected) = copied else { Issue.record("in place succeeded where copying failed: \(ops)"); continue }
                #expect(JSONSerializer.string(inPlace) == JSONSerializer.string(expected), "\(ops)")
            } catch {
                guard case .failure(let expected) = copied else { Issue.record("in place failed where copying succeeded: \(ops)"); continue }
                #expect(error == expected)
                #expect(JSONSerializer.string(inPlace) == JSONSerializer.string(base), "not rolled back: \(ops)")
            }
        }
    }
}

/// A patch applied in place to a document held once changes its containers where they are: a regression
/// guard for a pattern (`switch value { case .object(var o): ... }`) that kept a second reference alive and
/// so copied every container on the path, whatever its width.
@Suite struct InPlaceStorageTests {
    /// Where the storage of the root's members, of `b`'s members and of `b.c`'s elements lives.
    private func addresses(_ doc: JSONValue) -> [UInt] {
        func members(_ o: JSONObject) -> UInt {
            o.values.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        }
        let root = doc.objectValue!, b = root["b"]!.objectValue!, c = b["c"]!.arrayValue!
        return [members(root), members(b), c.elements.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }]
    }

    @Test func patchesChangeAUniquelyHeldDocumentWithoutCopying() throws {
        guard JSONObject.largeThreshold >= 16, JSONArray.largeThreshold >= 16 else { return }  // the small forms only
        var doc = try JSONParser.parse(#"{"a":1,"b":{"c":[1,2,3],"d":"x"},"e":[true]}"#)
        let before = addresses(doc)
        let p = { (s: String) throws -> JSONPointer in try JSONPointer(parsing: s) }
        try JSONPatch([.replace(path: p("/b/d"), value: "y")]).apply(inPlace: &doc)
        #expect(addresses(doc) == before)
        try JSONPatch([.replace(path: p("/b/c/0"), value: 7)]).apply(inPlace: &doc)
        #expect(addresses(doc) == before)
        try JSONPatch([.replace(path: p("/a"), value: 2), .replace(path: p("/b/c/1"), value: 8),
                       .test(path: p("/b/d"), value: "y")]).apply(inPlace: &doc)
        #expect(addresses(doc) == before)
        #expect(JSONSerializer.string(doc) == #"{"a":2,"b":{"c":[7,8,3],"d":"y"},"e":[true]}"#)
        // A failing patch leaves it as it was, in place too.
        #expect(throws: AGError.self) {
            try JSONPatch([.replace(path: p("/a"), value: 3), .remove(path: p("/nothing"))]).apply(inPlace: &doc)
        }
        #expect(addresses(doc) == before)
        #expect(JSONSerializer.string(doc) == #"{"a":2,"b":{"c":[7,8,3],"d":"y"},"e":[true]}"#)
    }
}
