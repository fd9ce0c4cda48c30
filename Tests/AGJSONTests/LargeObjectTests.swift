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
