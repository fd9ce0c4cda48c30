import Testing
@testable import AGJSON

/// A small deterministic generator for the property tests.
struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Random JSON with nested objects and arrays, duplicates in arrays, type changes, unicode keys and keys
/// that need ~0 / ~1.
enum Gen {
    static let keys = ["a", "b", "c", "ü", "x/y", "t~n", "", "0", "-", "日本"]

    static func value(_ r: inout Rng, _ depth: Int = 0) -> JSONValue {
        switch r.below(depth > 3 ? 6 : 9) {
        case 0: return .null
        case 1: return .bool(r.below(2) == 0)
        case 2: return .int(Int64(r.below(4)))
        case 3: return .double([0.5, 1.0, 2.5][r.below(3)])
        case 4, 5: return .string(keys[r.below(keys.count)])
        case 6, 7:
            var o = JSONObject()
            for _ in 0..<r.below(5) { o[keys[r.below(keys.count)]] = value(&r, depth + 1) }
            return .object(o)
        default:
            return .array(JSONArray((0..<r.below(6)).map { _ in value(&r, depth + 1) }))
        }
    }

    /// A variation of `v`: some members and elements changed, removed, added or moved.
    static func mutate(_ v: JSONValue, _ r: inout Rng, _ depth: Int = 0) -> JSONValue {
        if r.below(8) == 0 { return value(&r, depth) }
        switch v {
        case .object(var o):
            for key in Array(o.keys) where r.below(3) == 0 {
                if r.below(3) == 0 { o.removeValue(forKey: key) } else { o[key] = mutate(o[key]!, &r, depth + 1) }
            }
            if r.below(3) == 0 { o[keys[r.below(keys.count)]] = value(&r, depth + 1) }
            return .object(o)
        case .array(let a):
            var elements = Array(a)
            for i in elements.indices.reversed() where r.below(3) == 0 {
                switch r.below(3) {
                case 0: elements.remove(at: i)
                case 1: elements[i] = mutate(elements[i], &r, depth + 1)
                default: elements.insert(elements[i], at: r.below(elements.count + 1)) // a duplicate elsewhere
                }
            }
            if r.below(3) == 0 { elements.insert(value(&r, depth + 1), at: r.below(elements.count + 1)) }
            return .array(JSONArray(elements))
        default:
            return r.below(2) == 0 ? value(&r, depth) : v
        }
    }
}

@Suite struct DiffTests {
    static let optionSets: [DiffOptions] = [DiffOptions(), DiffOptions(granularity: .fewestBytes),
                                            DiffOptions(testGuards: true), DiffOptions(maxArrayWork: 4)]

    @Test(arguments: 0..<4)
    func diffAlwaysGivesTheTarget(option: Int) throws {
        var r = Rng(state: UInt64(option) * 7919 + 1)
        for _ in 0..<3000 {
            let a = Gen.value(&r)
            let b = r.below(4) == 0 ? Gen.value(&r) : Gen.mutate(a, &r)
            let ops = try JSONDiff.diff(a, b, options: Self.optionSets[option])
            let result = try JSONPatch(ops).apply(to: a)
            #expect(result == b)
            #expect(JSONSerializer.serialize(result, options: SerializeOptions(sortKeys: true))
                    == JSONSerializer.serialize(b, options: SerializeOptions(sortKeys: true)))
            if a == b && option != 2 { #expect(ops.isEmpty || JSONSerializer.serialize(a) != JSONSerializer.serialize(b)) }
        }
    }

    @Test func smallChangesGiveSmallPatches() throws {
        let a = try JSONParser.parse(#"{"list":[1,2,3,4,5],"o":{"k":"v","n":1}}"#)
        let b = try JSONParser.parse(#"{"list":[1,2,9,3,4,5],"o":{"k":"w","n":1}}"#)
        let ops = try JSONDiff.diff(a, b)
        #expect(ops == [.add(path: try JSONPointer(parsing: "/list/2"), value: 9),
                        .replace(path: try JSONPointer(parsing: "/o/k"), value: "w")])
        let guarded = try JSONDiff.diff(a, b, options: DiffOptions(testGuards: true))
        #expect(guarded.count == 3)
        #expect(throws: AGError.self) { try JSONPatch(guarded).apply(to: try JSONParser.parse(#"{"list":[1,2,3,4,5],"o":{"k":"changed","n":1}}"#)) }
        #expect(try JSONDiff.diff(1, 1.0) == [.replace(path: .root, value: 1.0)]) // the spelling counts
    }

    @Test func conformancePatchDiff() throws {
        var ran = 0
        for record in try ConformanceData.records("jsonp-test-suite/json-patch-diff.json") {
            let source = record["source"]!, target = record["target"]!
            let ops = try JSONDiff.diff(source, target)
            #expect(try JSONPatch(ops).apply(to: source) == target, "\(record["description"]!)")
            if let reference = record["patch"]?.arrayValue { #expect(ops.count <= max(reference.count, 1) * 3) }
            ran += 1
        }
        #expect(ran == 30)
    }

    @Test func conformanceMergeDiff() throws {
        var ran = 0
        for group in try ConformanceData.records("jsonp-test-suite/json-merge-diff.json") {
            let source = group["source"]!
            for case .object(let t) in group["tests"]!.arrayValue! {
                let patch = try MergePatch.diff(source, t["target"]!)
                #expect(MergePatch.apply(patch, to: source) == t["target"]!)
                #expect(patch == t["patch"]!, "\(t["description"]!)")
                ran += 1
            }
        }
        #expect(ran == 25)
    }

    @Test func mergeDiffWhereOneExists() throws {
        var r = Rng(state: 99)
        var found = 0, refused = 0
        for _ in 0..<2000 {
            let a = Gen.value(&r), b = Gen.mutate(a, &r)
            do {
                let patch = try MergePatch.diff(a, b)
                #expect(MergePatch.apply(patch, to: a) == b)
                found += 1
            } catch {
                #expect(error.code == .invalidArgument) // b sets a null member: no merge patch exists
                refused += 1
            }
        }
        #expect(found > 1000 && refused > 0)
        #expect(throws: AGError.self) { try MergePatch.diff(["a": 1], ["a": nil]) }
    }
}

@Suite struct CompactionTests {
    /// For random documents and random sequences of patches: wherever the sequence applies, the compacted
    /// patch applies and gives the same result.
    @Test(arguments: 0..<12)
    func compactionIsEquivalent(seed: Int) throws {
        var r = Rng(state: UInt64(seed) * 104729 + 3)
        var shorter = 0, checked = 0
        for _ in 0..<400 {
            var fallback = JSONObject()
            fallback["a"] = Gen.value(&r)
            fallback["b"] = [1, 2, 3]
            let doc = JSONValue.object(Gen.value(&r).objectValue ?? fallback)
            var ops: [PatchOperation] = []
            var state = doc
            for _ in 0..<(1 + r.below(10)) {
                let op = randomOperation(state, &r)
                ops.append(op)
                if let next = try? JSONPatch([op]).apply(to: state) { state = next }
            }
            guard let expected = try? JSONPatch(ops).apply(to: doc) else { continue }
            let compacted = PatchCompaction.compact(ops)
            checked += 1
            if compacted.operations.count < ops.count { shorter += 1 }
            guard let result = try? compacted.apply(to: doc) else {
                Issue.record("does not apply: doc \(doc) ops \(JSONPatch(ops).json) compacted \(compacted.json)")
                continue
            }
            #expect(JSONSerializer.serialize(result, options: SerializeOptions(sortKeys: true))
                    == JSONSerializer.serialize(expected, options: SerializeOptions(sortKeys: true)),
                    "ops \(JSONPatch(ops).json) compacted \(compacted.json)")
        }
        #expect(checked > 50 && shorter > 10)
    }

    func randomOperation(_ doc: JSONValue, _ r: inout Rng) -> PatchOperation {
        var all: [JSONPointer] = []
        collect(doc, .root, &all)
        let some = all[r.below(all.count)]
        let nonRoot = all.count > 1 ? all[1 + r.below(all.count - 1)] : some
        func target() -> JSONPointer {
            let parent = all[r.below(all.count)]
            if case .array(let a)? = doc.valueIfPresent(at: parent) {
                return parent.appending(r.below(2) == 0 ? "-" : String(r.below(a.count + 1)))
            }
            return parent.appending(Gen.keys[r.below(4)])
        }
        switch r.below(7) {
        case 0, 1: return .replace(path: r.below(6) == 0 ? some : nonRoot, value: Gen.value(&r, 2))
        case 2: return .add(path: target(), value: Gen.value(&r, 2))
        case 3: return .remove(path: nonRoot)
        case 4: return .move(from: nonRoot, path: target())
        case 5: return .copy(from: some, path: target())
        default: return .test(path: some, value: doc.valueIfPresent(at: some) ?? .null)
        }
    }

    func collect(_ v: JSONValue, _ p: JSONPointer, _ out: inout [JSONPointer]) {
        out.append(p)
        switch v {
        case .object(let o): for (k, c) in o.entries { collect(c, p.appending(k), &out) }
        case .array(let a): for (i, c) in a.enumerated() { collect(c, p.appending(String(i)), &out) }
        default: break
        }
    }

    @Test func theUsualCases() throws {
        func ops(_ text: String) throws -> [PatchOperation] { try JSONPatch(parsing: JSONParser.parse(text)).operations }
        // Successive replaces of a path.
        #expect(PatchCompaction.compact(try ops(#"[{"op":"replace","path":"/a","value":1},{"op":"replace","path":"/a","value":2},{"op":"replace","path":"/a","value":3}]"#)).operations
                == (try ops(#"[{"op":"replace","path":"/a","value":3}]"#)))
        // Changes under a path that is later replaced.
        #expect(PatchCompaction.compact(try ops(#"[{"op":"replace","path":"/a/b","value":1},{"op":"add","path":"/a/c","value":2},{"op":"replace","path":"/a","value":{}}]"#)).operations
                == (try ops(#"[{"op":"replace","path":"/a","value":{}}]"#)))
        // Add, then changes inside what was added.
        #expect(PatchCompaction.compact(try ops(#"[{"op":"add","path":"/t","value":{"n":[]}},{"op":"add","path":"/t/n/-","value":1},{"op":"replace","path":"/t/x","value":2}]"#)).operations.count == 2)
        #expect(PatchCompaction.compact(try ops(#"[{"op":"add","path":"/t","value":{"n":[]}},{"op":"add","path":"/t/n/-","value":1},{"op":"add","path":"/t/x","value":2}]"#)).operations
                == (try ops(#"[{"op":"add","path":"/t","value":{"n":[1],"x":2}}]"#)))
        // Add then remove inside a known value.
        #expect(PatchCompaction.compact(try ops(#"[{"op":"add","path":"/t","value":{}},{"op":"add","path":"/t/k","value":1},{"op":"remove","path":"/t/k"}]"#)).operations
                == (try ops(#"[{"op":"add","path":"/t","value":{}}]"#)))
        // A read in between stops folding.
        #expect(PatchCompaction.compact(try ops(#"[{"op":"replace","path":"/a","value":1},{"op":"copy","from":"/a","path":"/b"},{"op":"replace","path":"/a","value":2}]"#)).operations.count == 3)
    }
}
