import AGJSON

/// One patch operation with every location concrete, as a rebase needs it: `-` replaced by the index the
/// element went to, and for each location whether it is an array element (whose insertion or removal
/// shifts its siblings) or an object member (or the root). Built from a patch as it applied, using the
/// undo steps it noted, which name the concrete places.
struct Edit: Sendable {
    enum Kind: Sendable { case add, remove, replace, move, copy, test }
    var kind: Kind
    var path: JSONPointer
    var from: JSONPointer?
    var value: JSONValue?
    /// `path` is an array element: an add there inserts, a remove there closes the gap.
    var pathInArray: Bool
    /// `from` is an array element (moves only).
    var fromInArray: Bool
    /// A resolver already decided this edit's value: later overlaps keep it without asking again.
    var settled = false

    /// The operation to apply.
    var operation: PatchOperation {
        switch kind {
        case .add: return .add(path: path, value: value ?? .null)
        case .remove: return .remove(path: path)
        case .replace: return .replace(path: path, value: value ?? .null)
        case .move: return .move(from: from ?? .root, path: path)
        case .copy: return .copy(from: from ?? .root, path: path)
        case .test: return .test(path: path, value: value ?? .null)
        }
    }

    /// True when the edit writes at `path`: an insertion into an array is not a write of the element it
    /// shifts (both stay).
    var overwritesTarget: Bool {
        switch kind {
        case .replace: return true
        case .add, .copy, .move: return !pathInArray
        case .remove, .test: return false
        }
    }

    /// The edits of operations as they applied, with the undo steps and touched locations they noted
    /// (`RecordedPatch` or `Change`). Operations that took effect without noting steps (a `test`, a move
    /// onto itself) need none.
    static func resolve(_ operations: [PatchOperation], inverse: [UndoStep], touched: [JSONPointer],
                        touchedEnds: [Int]) -> [Edit] {
        var edits: [Edit] = []
        edits.reserveCapacity(operations.count)
        resolve(operations, inverse: inverse, touched: touched, touchedEnds: touchedEnds, into: &edits)
        return edits
    }

    /// `resolve`, appending to `edits` (one array for many changes).
    static func resolve(_ operations: [PatchOperation], inverse: [UndoStep], touched: [JSONPointer],
                        touchedEnds: [Int], into edits: inout [Edit]) {
        // The steps were reversed after noting: the first noted is the last.
        var step = inverse.count - 1
        var touchedStart = 0
        func nextStep() -> UndoStep? {
            defer { step -= 1 }
            return step >= 0 ? inverse[step] : nil
        }
        func concrete(_ path: JSONPointer, _ undo: UndoStep?) -> JSONPointer {
            if path.lastToken == "-", case .remove(let p)? = undo?.operation { return p }
            return path
        }
        for (index, op) in operations.enumerated() {
            let end = index < touchedEnds.count ? touchedEnds[index] : touchedStart
            let start = touchedStart
            touchedStart = end
            // A location is an array element when the change was recorded on its parent.
            func inArray(_ path: JSONPointer, _ place: Int) -> Bool {
                start + place < end && !path.isRoot && touched[start + place] != path
            }
            switch op {
            case let .add(path, value):
                let p = concrete(path, nextStep())
                edits.append(Edit(kind: .add, path: p, value: value, pathInArray: inArray(path, 0), fromInArray: false))
            case let .remove(path):
                // The value removed, kept for a later write that wins over the removal (last-write-wins).
                var removed: JSONValue? = nil
                if case .add(_, let value)? = nextStep()?.operation { removed = value }
                edits.append(Edit(kind: .remove, path: path, value: removed, pathInArray: inArray(path, 0), fromInArray: false))
            case let .replace(path, value):
                _ = nextStep()
                edits.append(Edit(kind: .replace, path: path, value: value, pathInArray: false, fromInArray: false))
            case let .move(from, path):
                if from == path { // changes nothing: a read of the location
                    edits.append(Edit(kind: .move, path: path, from: from, pathInArray: false, fromInArray: false))
                    continue
                }
                _ = nextStep()
                let p = concrete(path, nextStep())
                edits.append(Edit(kind: .move, path: p, from: from, pathInArray: inArray(path, 1),
                                  fromInArray: inArray(from, 0)))
            case let .copy(from, path):
                let p = concrete(path, nextStep())
                edits.append(Edit(kind: .copy, path: p, from: from, pathInArray: inArray(path, 0), fromInArray: false))
            case let .test(path, value):
                edits.append(Edit(kind: .test, path: path, value: value, pathInArray: false, fromInArray: false))
            }
        }
    }
}

extension Edit {
    /// The edits of `operations` (made against a base state) found without rebuilding that state: each
    /// location's parent is followed through `later` (the edits committed since) to the current state,
    /// whose container there says whether the location is an array element. Nil when that cannot be told
    /// so (a `-`, a parent the patch itself or a later change replaced, removed or created): then the base
    /// state is rebuilt and the patch applied to it (`resolve`).
    static func resolveAgainstCurrent(_ operations: [PatchOperation], later: [Edit], current: JSONValue) -> [Edit]? {
        var edits: [Edit] = []
        edits.reserveCapacity(operations.count)
        var written: [JSONPointer] = []
        func inArray(_ path: JSONPointer) -> Bool? {
            guard let last = path.lastToken else { return false }
            if last == "-" { return nil }
            let parent = path.parent
            // An earlier operation of the patch wrote at or above the parent: its kind may have changed.
            if written.contains(where: { parent.hasPrefix($0) }) { return nil }
            var mapped = parent
            for edit in later {
                guard case .at(let next) = Transform.fate(mapped, after: edit, insertion: false, priority: false) else { return nil }
                mapped = next
            }
            switch current.valueIfPresent(at: mapped) {
            case .array?: return JSONPointer.arrayIndex(last) != nil ? true : nil
            case .object?: return false
            default: return nil
            }
        }
        for op in operations {
            switch op {
            case let .add(path, value):
                guard let a = inArray(path) else { return nil }
                edits.append(Edit(kind: .add, path: path, value: value, pathInArray: a, fromInArray: false))
                written.append(path)
            case let .remove(path):
                guard let a = inArray(path) else { return nil }
                edits.append(Edit(kind: .remove, path: path, pathInArray: a, fromInArray: false))
                written.append(path)
            case let .replace(path, value):
                guard inArray(path) != nil else { return nil }
                edits.append(Edit(kind: .replace, path: path, value: value, pathInArray: false, fromInArray: false))
                written.append(path)
            case let .move(from, path):
                if from == path {
                    edits.append(Edit(kind: .move, path: path, from: from, pathInArray: false, fromInArray: false))
                    continue
                }
                guard let f = inArray(from), let a = inArray(path) else { return nil }
                edits.append(Edit(kind: .move, path: path, from: from, pathInArray: a, fromInArray: f))
                written.append(from)
                written.append(path)
            case let .copy(from, path):
                guard inArray(from) != nil, let a = inArray(path) else { return nil }
                edits.append(Edit(kind: .copy, path: path, from: from, pathInArray: a, fromInArray: false))
                written.append(path)
            case let .test(path, value):
                guard inArray(path) != nil else { return nil }
                edits.append(Edit(kind: .test, path: path, value: value, pathInArray: false, fromInArray: false))
            }
        }
        return edits
    }

    /// The locations the edit writes, as a recorded patch counts them (an array element's insertion or
    /// removal as a write of its array).
    var touched: [JSONPointer] {
        switch kind {
        case .test: return []
        case .replace: return [path]
        case .add, .copy: return [pathInArray ? path.parent : path]
        case .remove: return [pathInArray ? path.parent : path]
        case .move:
            guard let from, from != path else { return [] }
            return [fromInArray ? from.parent : from, pathInArray ? path.parent : path]
        }
    }
}
