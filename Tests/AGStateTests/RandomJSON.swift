import AGJSON

/// A small deterministic generator (SplitMix64), so that a failing property test can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static let keys = ["a", "b", "c", "x/y", "t~n", "", "ü", "list", "0", "-"]

    static func value(_ rng: inout SeededRandom, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -5...5, using: &rng))
        case 3: return .double(Double(Int.random(in: 0...8, using: &rng)) / 4)
        case 4: return .string(keys.randomElement(using: &rng)!)
        case 5, 6:
            var o = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { o[keys.randomElement(using: &rng)!] = value(&rng, depth: depth + 1) }
            return .object(o)
        default:
            return .array(JSONArray((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(&rng, depth: depth + 1) }))
        }
    }

    /// Every location in `value`, the root included.
    static func paths(_ value: JSONValue, at path: JSONPointer = .root, into result: inout [JSONPointer]) {
        result.append(path)
        switch value {
        case .object(let o): for (k, v) in o.entries { paths(v, at: path.appending(k), into: &result) }
        case .array(let a): for (i, v) in a.enumerated() { paths(v, at: path.appending(String(i)), into: &result) }
        default: break
        }
    }

    static func paths(_ value: JSONValue) -> [JSONPointer] {
        var result: [JSONPointer] = []
        paths(value, into: &result)
        return result
    }

    /// One operation that is likely, not certain, to apply to `doc`.
    static func operation(_ doc: JSONValue, _ rng: inout SeededRandom) -> PatchOperation {
        let all = paths(doc)
        let some = all.randomElement(using: &rng)!
        let nonRoot = all.dropFirst().randomElement(using: &rng) ?? some
        func target() -> JSONPointer {
            let containers = all.filter { doc.valueIfPresent(at: $0)?.arrayValue != nil || doc.valueIfPresent(at: $0)?.objectValue != nil }
            let parent = containers.randomElement(using: &rng) ?? .root
            switch doc.valueIfPresent(at: parent) {
            case .array(let a)?:
                return parent.appending(Bool.random(using: &rng) ? "-" : String(Int.random(in: 0...a.count, using: &rng)))
            default:
                return parent.appending(keys.randomElement(using: &rng)!)
            }
        }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .add(path: target(), value: value(&rng, depth: 2))
        case 1: return .remove(path: nonRoot)
        case 2: return .replace(path: some, value: value(&rng, depth: 2))
        case 3: return .move(from: nonRoot, path: target())
        case 4: return .copy(from: some, path: target())
        default:
            let actual = doc.valueIfPresent(at: some) ?? .null
            return .test(path: some, value: Int.random(in: 0..<4, using: &rng) == 0 ? value(&rng) : actual)
        }
    }

    /// A patch of 1 to 4 operations built against the document as it changes.
    static func patch(_ doc: JSONValue, _ rng: inout SeededRandom) -> JSONPatch {
        var ops: [PatchOperation] = []
        var working = doc
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let op = operation(working, &rng)
            ops.append(op)
            if let next = try? JSONPatch([op]).apply(to: working) { working = next }
        }
        return JSONPatch(ops)
    }
}
