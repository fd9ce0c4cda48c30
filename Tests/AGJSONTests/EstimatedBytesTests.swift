import Testing
import AGJSON

/// The history's size estimate, read in place, against the plain walk it replaced.
@Suite struct EstimatedBytesTests {
    /// The walk as it was: a stack of copied values.
    static func reference(_ root: JSONValue) -> Int {
        var total = 0
        var stack: [JSONValue] = [root]
        while let value = stack.popLast() {
            switch value {
            case .null, .bool: total += 8
            case .number: total += 16
            case .string(let s): total += 16 + s.utf8.count
            case .array(let a):
                total += 16 + 8 * a.count
                stack.append(contentsOf: a)
            case .object(let o):
                total += 16 + 24 * o.count
                o.forEachMember { key, member in
                    total += key.utf8.count
                    stack.append(member)
                }
            }
        }
        return total
    }

    static func random(_ r: inout Rng, depth: Int) -> JSONValue {
        let names = ["a", "b", "a name longer than fifteen bytes", "é", "", "x\u{1F600}"]
        switch r.below(depth > 4 ? 5 : 8) {
        case 0: return .null
        case 1: return .bool(true)
        case 2: return .int(Int64(r.below(100)))
        case 3: return .double(0.5)
        case 4:
            var s = names[r.below(names.count)]
            if r.below(3) == 0 { s.reserveCapacity(64); s += "!" }  // storage of its own
            return .string(s)
        case 5, 6:
            var o = JSONObject()
            let width = [0, 3, 20, 300][r.below(4)]
            for i in 0..<width { o["\(names[r.below(names.count)])\(i)"] = random(&r, depth: depth + 1 + width / 10) }
            return .object(o)
        default:
            return .array(JSONArray((0..<[0, 2, 40][r.below(3)]).map { _ in random(&r, depth: depth + 1) }))
        }
    }

    @Test func matchesThePlainWalk() {
        var r = Rng(state: 71)
        var values: [JSONValue] = (0..<300).map { _ in EstimatedBytesTests.random(&r, depth: 0) }
        // Deeper than the walk recurses: arrays and objects 200 levels deep, with things at every level.
        var deep: JSONValue = .string("bottom of the nest, past fifteen bytes")
        for level in 0..<200 {
            if level % 2 == 0 {
                deep = .array(JSONArray([deep, .int(Int64(level)), "x"]))
            } else {
                var o = JSONObject()
                o["k\(level)"] = deep
                o["n"] = .null
                deep = .object(o)
            }
        }
        values.append(deep)
        // Nests of one kind, so that the walk passes to its heap stack at an array and at an object.
        var arrays: JSONValue = .string(String(repeating: "long string ", count: 40))  // past 255 bytes
        var objects: JSONValue = arrays
        for level in 0..<120 {
            arrays = .array(JSONArray([arrays, .int(Int64(level))]))
            var o = JSONObject()
            o["level \(level) of the objects"] = objects
            objects = .object(o)
        }
        values += [arrays, objects]
        let long = String(repeating: "long name ", count: 40)
        var named = JSONObject()
        named[long] = .string(long)
        values += [.string(long), .object(named), .array(JSONArray([.string(long)]))]
        for value in values {
            let exact = EstimatedBytesTests.reference(value)
            #expect(value.estimatedBytes(upTo: Int.max) == exact)
            for limit in [0, 10, exact / 2, exact - 1, exact, exact + 1] where limit >= 0 {
                let bounded = value.estimatedBytes(upTo: limit)
                #expect(exact <= limit ? bounded == exact : bounded > limit, "limit \(limit), exact \(exact), got \(bounded)")
            }
        }
    }
}
