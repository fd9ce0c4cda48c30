/// Options of `JSONDiff.diff`.
public struct DiffOptions: Sendable, Equatable {
    public enum Granularity: Sendable, Equatable {
        /// Each operation targets the deepest place that changed (the fewest values rewritten).
        case minimalOperations
        /// Where replacing a whole container takes fewer bytes than the operations inside it, replace it.
        case fewestBytes
    }

    public var granularity: Granularity
    /// Put a `test` of the old value before every `replace` and `remove`, so that the patch refuses to apply
    /// to a document that is not the one it was made from.
    public var testGuards: Bool
    /// The largest array comparison (elements of one side times the other, after the common start and end
    /// are set aside) done element by element; beyond it the differing part is replaced as a whole.
    public var maxArrayWork: Int
    /// Apply the patch to the source and compare the result with the target before returning it. The
    /// algorithm is checked by property tests; this doubles the cost for a second check of each result.
    public var verify: Bool

    public init(granularity: Granularity = .minimalOperations, testGuards: Bool = false, maxArrayWork: Int = 1_000_000,
                verify: Bool = false) {
        self.granularity = granularity
        self.testGuards = testGuards
        self.maxArrayWork = maxArrayWork
        self.verify = verify
    }
}

/// RFC 6902 patches from two documents: applying `diff(a, b)` to `a` gives exactly `b`, always.
public enum JSONDiff {
    /// The patch from `a` to `b`. With `options.verify`, it is applied to `a` and the result compared with
    /// `b` before it is returned.
    public static func diff(_ a: JSONValue, _ b: JSONValue, options: DiffOptions = DiffOptions()) throws(AGError) -> [PatchOperation] {
        var ops: [PatchOperation] = []
        var builder = DiffBuilder(options: options)
        builder.diff(a, b, into: &ops)
        guard options.verify else { return ops }
        let result: JSONValue
        do {
            result = try JSONPatch(ops).apply(to: a, limits: JSONLimits(maxDepth: JSONLimits.depthCeiling, maxInputBytes: Int.max))
        } catch {
            throw AGError(.internal, "the diff does not apply to its source: \(error.message)")
        }
        guard result.isSameText(as: b) else { throw AGError(.internal, "the diff does not give its target") }
        return ops
    }
}

extension JSONDiff {
    /// The patch between two JSON texts without parsing them whole: where the texts agree byte for byte
    /// only the first is read and no values are built (see `TextDiff`), so two large states that differ in
    /// a few places cost about one validating scan. The patch is the one `diff` gives for the parsed
    /// documents. Nil when the parser has to decide (an error, a member name with escapes or non-ASCII
    /// bytes, `fewestBytes`, `verify`): parse both and call `diff`, which also gives the exact error.
    public static func fastTextDiff(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, options: DiffOptions = DiffOptions(),
                                    limits: JSONLimits = .default) -> [PatchOperation]? {
        guard !options.verify, a.count > 0, b.count > 0 else { return nil }
        return try? TextDiff.diff(a.bindMemory(to: UInt8.self), b.bindMemory(to: UInt8.self), options: options, limits: limits)
    }
}

struct DiffBuilder {
    let options: DiffOptions
    /// The location being compared, as tokens: a pointer is built only for an operation that is emitted.
    var tokens: [String] = []

    init(options: DiffOptions, at tokens: [String] = []) {
        self.options = options
        self.tokens = tokens
    }

    private var path: JSONPointer { JSONPointer(tokens: tokens) }

    func path(_ token: String) -> JSONPointer { JSONPointer(tokens: tokens + [token]) }

    mutating func diff(_ a: JSONValue, _ b: JSONValue, into ops: inout [PatchOperation]) {
        if a.isIdentical(to: b) { return }
        switch (a, b) {
        case let (.object(x), .object(y)):
            containerDiff(a, b, into: &ops) { (builder: inout DiffBuilder, out: inout [PatchOperation]) in
                builder.objectDiff(x, y, into: &out)
            }
        case let (.array(x), .array(y)):
            containerDiff(a, b, into: &ops) { (builder: inout DiffBuilder, out: inout [PatchOperation]) in
                builder.arrayDiff(x, y, into: &out)
            }
        default:
            if a.isSameText(as: b) { return }
            replace(path, a, with: b, into: &ops)
        }
    }

    /// Compares `a` and `b` one level down, at `token`.
    private mutating func diff(_ a: JSONValue, _ b: JSONValue, at token: String, into ops: inout [PatchOperation]) {
        tokens.append(token)
        diff(a, b, into: &ops)
        tokens.removeLast()
    }

    private mutating func containerDiff(_ a: JSONValue, _ b: JSONValue, into ops: inout [PatchOperation],
                                        _ inner: (inout DiffBuilder, inout [PatchOperation]) -> Void) {
        var nested: [PatchOperation] = []
        inner(&self, &nested)
        if options.granularity == .fewestBytes && !nested.isEmpty {
            let nestedBytes = nested.reduce(0) { $0 + JSONSerializer.serialize($1.json).count + 1 }
            var whole: [PatchOperation] = []
            replace(path, a, with: b, into: &whole)
            let wholeBytes = whole.reduce(0) { $0 + JSONSerializer.serialize($1.json).count + 1 }
            if wholeBytes < nestedBytes {
                ops += whole
                return
            }
        }
        ops += nested
    }

    private func replace(_ path: JSONPointer, _ old: JSONValue, with new: JSONValue, into ops: inout [PatchOperation]) {
        if options.testGuards { ops.append(.test(path: path, value: old)) }
        ops.append(.replace(path: path, value: new))
    }

    func remove(_ path: JSONPointer, _ old: JSONValue, into ops: inout [PatchOperation]) {
        if options.testGuards { ops.append(.test(path: path, value: old)) }
        ops.append(.remove(path: path))
    }

    private mutating func objectDiff(_ a: JSONObject, _ b: JSONObject, into ops: inout [PatchOperation]) {
        if let x = a.largeBox, let y = b.largeBox, let found = sharedSlotsDiff(x.members, y.members) {
            ops += found
            return
        }
        // Members usually come in the same order on both sides: pair them by position while the names
        // agree (no lookups), then look the rest up by name. The operations come out in the same order
        // either way: a's members in a's order, then b's additions in b's order.
        let ea = a.entries, eb = b.entries
        var i = 0
        let common = min(ea.count, eb.count)
        while i < common {
            let (key, old) = ea[i]
            let (other, new) = eb[i]
            guard NameBytes.equal(key, other) else { break }
            diff(old, new, at: key, into: &ops)
            i += 1
        }
        if i == ea.count && i == eb.count { return }
        var found = i
        for j in i..<ea.count {
            let (key, old) = ea[j]
            if let new = b[key] {
                found += 1
                diff(old, new, at: key, into: &ops)
            } else {
                emitRemove(key, old, into: &ops)
            }
        }
        // When every member of b was found in a, b has nothing a lacks.
        guard found < b.count else { return }
        for j in i..<eb.count where !a.contains(eb[j].key) {
            emitAdd(eb[j].key, eb[j].value, into: &ops)
        }
    }

    /// Two versions of one large object (the members in the same slots, as after changes of values):
    /// only the parts of the slot vectors they do not share are compared, so the cost follows the change,
    /// not the width. The operations are the ones the general path gives, in the same order. Nil when the
    /// slots do not line up (members added or removed): the general path then decides.
    private mutating func sharedSlotsDiff(_ a: LargeMembers, _ b: LargeMembers) -> [PatchOperation]? {
        var out: [PatchOperation] = []
        let lined = PersistentVector.forEachUnshared(a.slots, b.slots) { left, right in
            switch (left, right) {
            case (nil, nil):
                return true
            case let (l?, r?) where NameBytes.equal(l.key, r.key):
                diff(l.value, r.value, at: l.key, into: &out)
                return true
            default:
                return false
            }
        }
        return lined ? out : nil
    }

    /// Arrays: the common start and end are set aside; the rest is aligned by a longest common subsequence
    /// (when the work is within the bound), and edited from the back so that every index stays valid.
    /// `indexOffset`: where `a` and `b` begin in the arrays at this location (the text diff hands over the
    /// part after a common start it has set aside itself).
    mutating func arrayDiff(_ a: JSONArray, _ b: JSONArray, indexOffset: Int = 0, into ops: inout [PatchOperation]) {
        let script = editScript(a, b)
        if script.isEmpty { return }
        emit(script, a, b, indexOffset: indexOffset, into: &ops)
    }

    /// The edit script (from the back) that turns `a` into `b`: each step is (kind, index in a, index in b).
    /// Out of line, so that the recursion through `emit` does not carry this work's stack.
    @inline(never)
    private func editScript(_ a: JSONArray, _ b: JSONArray) -> [(Edit, Int, Int)] {
        var start = 0
        while start < a.count && start < b.count && equalElements(a[start], b[start]) { start += 1 }
        var endA = a.count, endB = b.count
        while endA > start && endB > start && equalElements(a[endA - 1], b[endB - 1]) { endA -= 1; endB -= 1 }
        let n = endA - start, m = endB - start
        if n == 0 && m == 0 { return [] }
        if n > 0 && m > 0 && n.multipliedReportingOverflow(by: m).partialValue <= options.maxArrayWork
            && !n.multipliedReportingOverflow(by: m).overflow {
            return lcsScript(a, b, start, n, m)
        }
        // Beyond the bound (or one side empty): pair positions, then remove or insert the rest.
        var script: [(Edit, Int, Int)] = []
        for k in stride(from: max(n, m) - 1, through: 0, by: -1) {
            if k < n && k < m { script.append((.change, start + k, start + k)) }
            else if k < n { script.append((.delete, start + k, -1)) }
            else { script.append((.insert, start + n, start + k)) }
        }
        return script
    }

    private enum Edit { case keep, delete, insert, change }

    // Operations are built out of line: inlined into the recursive functions, they made each level of
    // nesting take kilobytes of the caller's stack.
    @inline(never)
    private func indexToken(_ index: Int) -> String { String(index) }

    @inline(never)
    private func emitRemove(_ index: Int, _ old: JSONValue, into ops: inout [PatchOperation]) {
        remove(path(String(index)), old, into: &ops)
    }

    @inline(never)
    private func emitAdd(_ index: Int, _ value: JSONValue, into ops: inout [PatchOperation]) {
        ops.append(.add(path: path(String(index)), value: value))
    }

    @inline(never)
    private func emitRemove(_ key: String, _ old: JSONValue, into ops: inout [PatchOperation]) {
        remove(path(key), old, into: &ops)
    }

    @inline(never)
    private func emitAdd(_ key: String, _ value: JSONValue, into ops: inout [PatchOperation]) {
        ops.append(.add(path: path(key), value: value))
    }

    /// Numbers equal by value but written differently (1 and 1.0) count as different, so the patched
    /// document is `b` to the letter.
    private func equalElements(_ x: JSONValue, _ y: JSONValue) -> Bool {
        x.isSameText(as: y)
    }

    /// LCS over the middle parts, returned from the back. Runs of deletions and insertions at the same
    /// place are paired into changes, which a nested diff then refines.
    private func lcsScript(_ a: JSONArray, _ b: JSONArray, _ start: Int, _ n: Int, _ m: Int) -> [(Edit, Int, Int)] {
        // lengths[i][j] = LCS of a[start+i...] and b[start+j...], stored row by row.
        var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        let width = m + 1
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * width + j] = equalElements(a[start + i], b[start + j])
                    ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var forward: [(Edit, Int, Int)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && equalElements(a[start + i], b[start + j]) {
                forward.append((.keep, start + i, start + j)); i += 1; j += 1
            } else if j < m && (i == n || lengths[i * width + j + 1] >= lengths[(i + 1) * width + j]) {
                forward.append((.insert, start + i, start + j)); j += 1
            } else {
                forward.append((.delete, start + i, -1)); i += 1
            }
        }
        // Pair deletions and insertions that stand at the same place into changes.
        var paired: [(Edit, Int, Int)] = []
        var k = 0
        while k < forward.count {
            if forward[k].0 == .keep { paired.append(forward[k]); k += 1; continue }
            var deletes: [Int] = [], inserts: [Int] = []
            let gapIndex = forward[k].1
            while k < forward.count && forward[k].0 != .keep {
                if forward[k].0 == .delete { deletes.append(forward[k].1) } else { inserts.append(forward[k].2) }
                k += 1
            }
            let pairs = min(deletes.count, inserts.count)
            for p in 0..<pairs { paired.append((.change, deletes[p], inserts[p])) }
            for d in deletes.dropFirst(pairs) { paired.append((.delete, d, -1)) }
            let insertAt = deletes.count > pairs ? (deletes.last! + 1) : (pairs > 0 ? deletes[pairs - 1] + 1 : gapIndex)
            for ins in inserts.dropFirst(pairs) { paired.append((.insert, insertAt, ins)) }
        }
        return paired.filter { $0.0 != .keep }.reversed()
    }

    /// Emits the script (ordered from the back): a change is a nested diff at its index, a deletion a
    /// remove, an insertion an add before the element that stood at that index of `a`.
    private mutating func emit(_ script: [(Edit, Int, Int)], _ a: JSONArray, _ b: JSONArray, indexOffset: Int,
                               into ops: inout [PatchOperation]) {
        // Insertions at one index arrive last-first; adding each at that index puts them in order.
        for (edit, i, j) in script {
            switch edit {
            case .change: diff(a[i], b[j], at: indexToken(indexOffset + i), into: &ops)
            case .delete: emitRemove(indexOffset + i, a[i], into: &ops)
            case .insert: emitAdd(indexOffset + i, b[j], into: &ops)
            case .keep: break
            }
        }
    }
}
