import AGJSON

/// Where a location ends up after another edit was applied before it.
enum PathFate: Equatable {
    /// At this location (perhaps shifted or followed through a move).
    case at(JSONPointer)
    /// The location, or something it lies inside, was removed at `removed`.
    case removed(JSONPointer)
    /// Something the location lies strictly inside was overwritten at `replaced`.
    case replacedInside(JSONPointer)
}

extension JSONPointer {
    /// This pointer with token `index` changed to `token`.
    func replacing(tokenAt index: Int, with token: String) -> JSONPointer {
        var t = tokens
        t[index] = token
        return JSONPointer(tokens: t)
    }

    /// `prefix` followed by this pointer's tokens after its first `count`.
    func rebased(dropping count: Int, onto prefix: JSONPointer) -> JSONPointer {
        JSONPointer(tokens: prefix.tokens + tokens[count...])
    }

    /// True when this pointer lies strictly inside `other`.
    func isStrictlyInside(_ other: JSONPointer) -> Bool {
        tokens.count > other.tokens.count && hasPrefix(other)
    }
}

enum Transform {
    /// The element index `path` names in the array at `array` (whose element locations have one more
    /// token), or nil when `path` does not go through that array.
    @inline(__always)
    static func index(of path: JSONPointer, inArrayAt array: JSONPointer) -> Int? {
        guard path.tokens.count > array.tokens.count, path.hasPrefix(array) else { return nil }
        return JSONPointer.arrayIndex(path.tokens[array.tokens.count])
    }

    /// Shifts `path` for an insertion at `inserted` (an array element). `insertion` says that `path` is
    /// itself the place of an insertion; at the same index it goes after the earlier one unless it has
    /// `priority`.
    static func shift(_ path: JSONPointer, forInsertAt inserted: JSONPointer, insertion: Bool, priority: Bool) -> JSONPointer {
        let array = inserted.parent
        guard let i = JSONPointer.arrayIndex(inserted.lastToken ?? ""), let j = index(of: path, inArrayAt: array) else { return path }
        let sameLevelInsert = insertion && path.tokens.count == inserted.tokens.count
        if j > i || (j == i && !(sameLevelInsert && priority)) {
            return path.replacing(tokenAt: array.tokens.count, with: String(j + 1))
        }
        return path
    }

    /// Where `path` goes after the removal of `removed`. `insertion` says that `path` is the place of an
    /// insertion (which may still go where the removed element was).
    static func fate(_ path: JSONPointer, afterRemovalOf removed: JSONPointer, inArray: Bool, insertion: Bool) -> PathFate {
        if inArray {
            let array = removed.parent
            guard let i = JSONPointer.arrayIndex(removed.lastToken ?? ""), let j = index(of: path, inArrayAt: array) else { return .at(path) }
            if j > i { return .at(path.replacing(tokenAt: array.tokens.count, with: String(j - 1))) }
            if j < i { return .at(path) }
            if insertion && path.tokens.count == removed.tokens.count { return .at(path) }
            return .removed(removed)
        }
        guard path.hasPrefix(removed) else { return .at(path) }
        if insertion && path.tokens.count == removed.tokens.count { return .at(path) }
        return .removed(removed)
    }

    /// Where `path` goes when `edit` was applied before it.
    static func fate(_ path: JSONPointer, after edit: Edit, insertion: Bool, priority: Bool) -> PathFate {
        switch edit.kind {
        case .test:
            return .at(path)
        case .add, .copy:
            if edit.pathInArray { return .at(shift(path, forInsertAt: edit.path, insertion: insertion, priority: priority)) }
            return path.isStrictlyInside(edit.path) ? .replacedInside(edit.path) : .at(path)
        case .replace:
            return path.isStrictlyInside(edit.path) ? .replacedInside(edit.path) : .at(path)
        case .remove:
            return fate(path, afterRemovalOf: edit.path, inArray: edit.pathInArray, insertion: insertion)
        case .move:
            guard let from = edit.from, from != edit.path else { return .at(path) }
            // Inside what moved: followed to its new place.
            if path.hasPrefix(from) && !(insertion && path.tokens.count == from.tokens.count) {
                return .at(path.rebased(dropping: from.tokens.count, onto: edit.path))
            }
            guard case .at(let afterRemoval) = fate(path, afterRemovalOf: from, inArray: edit.fromInArray, insertion: insertion) else {
                return .at(path)
            }
            if edit.pathInArray {
                return .at(shift(afterRemoval, forInsertAt: edit.path, insertion: insertion, priority: priority))
            }
            return afterRemoval.isStrictlyInside(edit.path) ? .replacedInside(edit.path) : .at(afterRemoval)
        }
    }

    /// The target of `edit` counts as an insertion point (an add, or the destination of a copy or move).
    static func isInsertion(_ edit: Edit) -> Bool {
        edit.kind == .add || edit.kind == .copy || edit.kind == .move
    }
}

/// The outcome of carrying one edit over another that was applied before it.
enum Carried {
    /// The edit, adjusted; `overlaps` says it writes where the earlier edit wrote (the same location, or
    /// one containing it).
    case edit(Edit, overlaps: Bool)
    /// The edit has nothing left to do (it removed what the earlier edit removed too).
    case dropped
    /// The edit's target, or something containing it, was removed (at `at`) or overwritten.
    case conflict(at: JSONPointer, removed: Bool)
}

extension Transform {
    /// True when neither edit can change what the other's locations mean: no location of one lies at,
    /// inside or beside (in the same container as) a location of the other. Carrying either over the
    /// other then changes nothing, so it is skipped.
    @inline(__always)
    static func independent(_ a: Edit, _ b: Edit) -> Bool {
        if a.path.isRoot || b.path.isRoot { return false }
        if a.path.hasPrefix(parentOf: b.path) || b.path.hasPrefix(parentOf: a.path) { return false }
        if let f = a.from, f.isRoot || f.hasPrefix(parentOf: b.path) || b.path.hasPrefix(parentOf: f) { return false }
        if let f = b.from, f.isRoot || f.hasPrefix(parentOf: a.path) || a.path.hasPrefix(parentOf: f) { return false }
        if let f = a.from, let g = b.from, f.hasPrefix(parentOf: g) || g.hasPrefix(parentOf: f) { return false }
        return true
    }

    /// Carries `edit` over `earlier`, which was applied first. With `priority`, an insertion at the same
    /// index as one of `earlier` stays in front of it.
    static func carry(_ edit: Edit, over earlier: Edit, priority: Bool) -> Carried {
        var result = edit
        if edit.kind == .move, let from = edit.from, from == edit.path {
            // A move onto itself only reads its location.
            switch fate(from, after: earlier, insertion: false, priority: priority) {
            case .at(let p): result.from = p; result.path = p; return .edit(result, overlaps: false)
            case .removed(let at): return .conflict(at: at, removed: true)
            case .replacedInside(let at): return .conflict(at: at, removed: false)
            }
        }
        if let from = edit.from {
            switch fate(from, after: earlier, insertion: false, priority: priority) {
            case .at(let p): result.from = p
            case .removed(let at): return .conflict(at: at, removed: true)
            case .replacedInside(let at): return .conflict(at: at, removed: false)
            }
        }
        switch fate(edit.path, after: earlier, insertion: isInsertion(edit), priority: priority) {
        case .at(let p): result.path = p
        case .removed(let at):
            // Both removed the same thing: nothing is left to do.
            if edit.kind == .remove && at == edit.path { return .dropped }
            return .conflict(at: at, removed: true)
        case .replacedInside(let at): return .conflict(at: at, removed: false)
        }
        if let from = result.from, result.kind == .move, result.path.isStrictlyInside(from) {
            return .conflict(at: from, removed: false)
        }
        return .edit(result, overlaps: writesOver(result, earlier))
    }

    /// True when `edit` (already carried over `earlier`) writes at a location `earlier` wrote, or at one
    /// containing it: where the two changes meet, as opposed to index shifts.
    static func writesOver(_ edit: Edit, _ earlier: Edit) -> Bool {
        guard edit.kind != .test else { return false }
        var written: [JSONPointer] = []
        switch earlier.kind {
        case .test: return false
        case .move:
            if let from = earlier.from, from == earlier.path { return false }
            written = [earlier.path]
        case .add, .copy, .replace, .remove: written = [earlier.path]
        }
        // A move's source is not overwritten (what is inside it travels along), and an insertion into an
        // array writes no existing element.
        guard edit.overwritesTarget || edit.kind == .remove else { return false }
        for place in written {
            if place.isStrictlyInside(edit.path) { return true }
            if place == edit.path && earlier.overwritesTarget { return true }
        }
        return false
    }
}
