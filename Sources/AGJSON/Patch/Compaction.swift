/// Compaction: a sequence of patches in, one equivalent patch out, usually shorter.
///
/// The contract is equivalence: for every document the sequence applies to, the compacted patch gives the
/// same result. (On documents the sequence does not apply to, the compacted patch may apply.) Two rules:
///
/// - Folding: after an `add` or `replace` that puts a known value at P, later operations inside P act on
///   known content, so they are applied to that value and disappear (successive replaces of a path, changes
///   under a path that was just written, `test`s that the known value passes).
/// - Superseding: an operation that overwrites P (`replace`, `remove`, or an `add` of an object member)
///   makes the earlier operations that only wrote inside P pointless; they are dropped.
///
/// Both stop at anything that could make them wrong: an operation in between that reads the region (a
/// `test`, or a `move`/`copy` from it), writes it, or may shift it (an insertion into or removal from an
/// array that holds it).
public enum PatchCompaction {
    public static func compact(_ patches: [JSONPatch]) -> JSONPatch {
        compact(patches.flatMap(\.operations))
    }

    public static func compact(_ operations: [PatchOperation]) -> JSONPatch {
        var compactor = Compactor()
        for op in operations { compactor.add(op) }
        return JSONPatch(compactor.output.compactMap { $0 })
    }
}

private struct Compactor {
    var output: [PatchOperation?] = []
    /// Output positions of `add`/`replace` operations whose value at their path is still known.
    var known: [Int] = []

    mutating func add(_ op: PatchOperation) {
        if fold(op) { return }
        supersede(op)
        invalidate(op)
        output.append(op)
        switch op {
        case .add, .replace: known.append(output.count - 1)
        default: break
        }
    }

    // MARK: folding

    private mutating func fold(_ op: PatchOperation) -> Bool {
        let locations = Compactor.locations(of: op)
        // The innermost known value that holds every location the operation reads or writes.
        guard let k = known.last(where: { index in
            guard let base = output[index]?.path else { return false }
            return locations.allSatisfy { $0.hasPrefix(base) }
        }), let base = output[k] else { return false }
        let basePath = base.path
        let value: JSONValue
        switch base {
        case .add(_, let v), .replace(_, let v): value = v
        default: return false
        }
        // An operation on the known path itself.
        if op.path == basePath {
            switch op {
            case .replace(_, let v):
                output[k] = base.with(value: v)
                return true
            case .add(_, let v) where !Compactor.mayIndexArray(basePath):
                output[k] = base.with(value: v)
                return true
            case .remove where isReplace(base) && (!Compactor.mayIndexArray(basePath) || output[(k + 1)...].allSatisfy { $0 == nil }):
                // Removing an array element shifts its siblings: it may move earlier only past nothing.
                output[k] = .remove(path: basePath)
                known.removeAll { $0 == k }
                return true
            case .test(_, let expected):
                return expected == value // a test the known value passes is always passed
            default:
                return false
            }
        }
        // An operation inside the known value: apply it there.
        guard let relative = op.relative(to: basePath) else { return false }
        var changed = value
        do { try changed.apply(relative, limits: JSONLimits(maxDepth: JSONLimits.depthCeiling, maxInputBytes: Int.max)) } catch {
            return false // it fails on the known value: the sequence never applies; leave it as it is
        }
        output[k] = base.with(value: changed)
        return true
    }

    private func isReplace(_ op: PatchOperation) -> Bool {
        if case .replace = op { return true }
        return false
    }

    // MARK: superseding

    private mutating func supersede(_ op: PatchOperation) {
        let target: JSONPointer
        switch op {
        case .replace(let p, _), .remove(let p): target = p
        case .add(let p, _) where !Compactor.mayIndexArray(p) && !p.isRoot: target = p
        case .add(let p, _) where p.isRoot: target = p
        default: return
        }
        var index = output.count - 1
        while index >= 0 {
            defer { index -= 1 }
            guard let earlier = output[index] else { continue }
            let writes = Compactor.writes(of: earlier)
            let reads = Compactor.reads(of: earlier)
            let inside = !writes.isEmpty && writes.allSatisfy { $0.hasPrefix(target) && $0 != target }
            let readsOnlyInside = reads.allSatisfy { $0.hasPrefix(target) }
            if inside && readsOnlyInside {
                output[index] = nil
                known.removeAll { $0 == index }
                continue
            }
            if case .test(let p, _) = earlier, p.hasPrefix(target) && p != target {
                output[index] = nil // a test of what is about to be overwritten: allowed to go (see the contract)
                continue
            }
            // Anything else that touches the region, or may shift it, ends the search.
            if Compactor.touches(earlier, target) { return }
        }
    }

    // MARK: invalidation

    private mutating func invalidate(_ op: PatchOperation) {
        known.removeAll { index in
            guard let base = output[index] else { return true }
            return Compactor.touches(op, base.path)
        }
    }

    // MARK: locations

    /// One or two locations, held inline: these are asked for in loops over the output, and an array per
    /// question was most of the cost of compacting a few operations.
    struct Places {
        var first: JSONPointer?
        var second: JSONPointer?

        static let none = Places(first: nil, second: nil)
        static func one(_ p: JSONPointer) -> Places { Places(first: p, second: nil) }
        static func two(_ p: JSONPointer, _ q: JSONPointer) -> Places { Places(first: p, second: q) }

        var isEmpty: Bool { first == nil }

        func allSatisfy(_ predicate: (JSONPointer) -> Bool) -> Bool {
            if let first, !predicate(first) { return false }
            if let second, !predicate(second) { return false }
            return true
        }

        func contains(where predicate: (JSONPointer) -> Bool) -> Bool {
            !allSatisfy { !predicate($0) }
        }
    }

    /// Every location the operation reads or writes.
    static func locations(of op: PatchOperation) -> Places {
        switch op {
        case .move(let from, let path), .copy(let from, let path): return .two(from, path)
        default: return .one(op.path)
        }
    }

    static func writes(of op: PatchOperation) -> Places {
        switch op {
        case .test: return .none
        case .move(let from, let path): return .two(from, path)
        default: return .one(op.path)
        }
    }

    static func reads(of op: PatchOperation) -> Places {
        switch op {
        case .test(let p, _): return .one(p)
        case .move(let from, _), .copy(let from, _): return .one(from)
        default: return .none
        }
    }

    /// True when `op` reads, writes or may shift what is at `region`.
    static func touches(_ op: PatchOperation, _ region: JSONPointer) -> Bool {
        locations(of: op).contains { location in
            if location.overlaps(region) { return true }
            // An insertion into or removal from an array that holds the region shifts it.
            if !location.isRoot, region.hasPrefix(parentOf: location), mayIndexArray(location) {
                switch op {
                case .add, .remove, .move, .copy: return true
                default: break
                }
            }
            return false
        }
    }

    /// Whether the last token could address an array element (digits or "-"): then an `add` inserts and a
    /// `remove` shifts, rather than setting or deleting a member.
    static func mayIndexArray(_ path: JSONPointer) -> Bool {
        guard let last = path.lastToken else { return false }
        return last == "-" || (!last.isEmpty && last.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }
}

extension PatchOperation {
    func with(value: JSONValue) -> PatchOperation {
        switch self {
        case .add(let p, _): return .add(path: p, value: value)
        case .replace(let p, _): return .replace(path: p, value: value)
        case .test(let p, _): return .test(path: p, value: value)
        default: return self
        }
    }

    /// The operation with its locations made relative to `base` (every location must lie inside it).
    func relative(to base: JSONPointer) -> PatchOperation? {
        func rel(_ p: JSONPointer) -> JSONPointer? {
            guard p.hasPrefix(base), p != base else { return nil }
            return JSONPointer(tokens: Array(p.tokens.dropFirst(base.tokens.count)))
        }
        switch self {
        case .add(let p, let v): return rel(p).map { .add(path: $0, value: v) }
        case .remove(let p): return rel(p).map { .remove(path: $0) }
        case .replace(let p, let v): return rel(p).map { .replace(path: $0, value: v) }
        case .test(let p, let v): return rel(p).map { .test(path: $0, value: v) }
        case .move(let f, let p):
            guard let rf = rel(f), let rp = rel(p) else { return nil }
            return .move(from: rf, path: rp)
        case .copy(let f, let p):
            guard let rf = rel(f), let rp = rel(p) else { return nil }
            return .copy(from: rf, path: rp)
        }
    }
}

extension JSONPatch {
    /// Reads either one patch (an array of operations) or an array of patches.
    public static func sequence(parsing value: JSONValue) throws(AGError) -> [JSONPatch] {
        guard case .array(let array) = value else {
            throw AGError(.invalidPatch, "expected a JSON Patch or an array of JSON Patches, not a \(value.typeName)")
        }
        if let first = array.first, case .array = first {
            var patches: [JSONPatch] = []
            for (index, element) in array.enumerated() {
                do {
                    patches.append(try JSONPatch(parsing: element))
                } catch {
                    var e = error
                    e.message = "patch \(index): \(error.message)"
                    throw e
                }
            }
            return patches
        }
        return [try JSONPatch(parsing: value)]
    }
}
