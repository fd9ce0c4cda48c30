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
            let places = touchedStart < end ? Array(touched[touchedStart..<end]) : []
            touchedStart = end
            // A location is an array element when the change was recorded on its parent.
            func inArray(_ path: JSONPointer, _ place: Int) -> Bool {
                place < places.count && !path.isRoot && places[place] != path
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
        return edits
    }
}
