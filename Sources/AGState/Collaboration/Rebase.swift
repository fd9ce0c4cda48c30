import AGJSON

/// One conflict met while applying a patch made against an older version, and what became of it.
public struct ConflictPoint: Sendable, Equatable {
    /// Where the two changes met: the patch's target, or the location a later change removed or
    /// overwrote (in the current state's terms).
    public let path: JSONPointer
    /// What was done: "kept" (the patch's write applied), "dropped" (left out), "restored" (what a later
    /// change removed was put back, with the patch's edit), "resolved" (the resolver's value kept),
    /// "refused" (the commit failed).
    public let outcome: String

    public init(path: JSONPointer, outcome: String) {
        self.path = path
        self.outcome = outcome
    }
}

/// A patch carried over the changes committed since its base, as a strategy decides.
struct Rebase {
    let strategy: ConflictStrategy
    let resolver: ConflictResolver?
    /// The base state (as the patch saw it), rebuilt only when a resolver or a copied value needs it, and
    /// the current one.
    private let rebuildBase: () -> JSONValue?
    private var builtBase: JSONValue??
    let current: JSONValue

    private(set) var points: [ConflictPoint] = []

    init(strategy: ConflictStrategy, resolver: ConflictResolver?, base: @escaping () -> JSONValue?, current: JSONValue) {
        self.strategy = strategy
        self.resolver = resolver
        self.rebuildBase = base
        self.current = current
    }

    /// The value at `path` in the base state.
    private mutating func baseValue(at path: JSONPointer) -> JSONValue? {
        if builtBase == nil { builtBase = .some(rebuildBase()) }
        return builtBase!?.valueIfPresent(at: path)
    }

    /// The patch's edits (`patch`, against the base) carried over `later` (the edits committed since, in
    /// order): what to apply to the current state. Throws `conflict` where the strategy says so, naming the
    /// location.
    mutating func carry(_ patch: [Edit], over later: [Edit]) throws(AGError) -> [Edit] {
        var others: [Edit?] = later
        var result: [Edit] = []
        result.reserveCapacity(patch.count)
        for edit in patch {
            // The edit may grow into several (a restore before it) or shrink to none on the way.
            var stage: [Edit] = [edit]
            for k in others.indices {
                guard var other = others[k] else { continue }
                // Most changes since the base are elsewhere in the state: nothing to carry either way.
                if stage.count == 1 && Transform.independent(stage[0], other) { continue }
                var next: [Edit] = []
                var otherGone = false
                for piece in stage {
                    let carried = Transform.carry(piece, over: other, priority: false)
                    let replacement = try decide(carried, original: edit, piece: piece, earlier: other)
                    // The earlier change, seen as coming after this piece (both start from the same state),
                    // for the next edits. A restore takes the earlier change back: nothing of it is left.
                    if !otherGone {
                        if replacement.count > 1 {
                            otherGone = true
                        } else {
                            switch Transform.carry(other, over: piece, priority: true) {
                            case .edit(let moved, let overlaps):
                                if overlaps { otherGone = true } else { other = moved }
                            case .dropped, .conflict: otherGone = true
                            }
                        }
                    }
                    next += replacement
                }
                others[k] = otherGone ? nil : other
                stage = next
                if stage.isEmpty { break }
            }
            result += stage
        }
        return result
    }

    /// What to apply for one carried edit, by strategy.
    private mutating func decide(_ carried: Carried, original: Edit, piece: Edit, earlier: Edit) throws(AGError) -> [Edit] {
        switch carried {
        case .dropped:
            return []
        case .edit(let edit, let overlaps):
            guard overlaps, !edit.settled else { return [edit] }
            switch strategy {
            case .reject, .rebase, .lastWriteWins:
                points.append(ConflictPoint(path: edit.path, outcome: "kept"))
                return [edit]
            case .firstWriteWins:
                points.append(ConflictPoint(path: edit.path, outcome: "dropped"))
                return []
            case .merge:
                if sameEffect(edit, earlier) { return [] }
                throw refuse(edit.path, "both sides changed \"\(edit.path)\" differently")
            case .custom:
                return try resolve(at: edit.path, original: original, proposed: proposedValue(piece), removedByLater: false,
                                   current: current.valueIfPresent(at: edit.path))
            }
        case .conflict(let at, let removed):
            switch strategy {
            case .reject, .rebase:
                throw refuse(at, removed ? "\"\(at)\" was removed by a later change" : "\"\(at)\" was overwritten by a later change")
            case .merge:
                throw refuse(at, removed ? "one side removed \"\(at)\", the other changed it" : "both sides changed \"\(at)\" differently")
            case .firstWriteWins:
                points.append(ConflictPoint(path: at, outcome: "dropped"))
                return []
            case .lastWriteWins:
                // Put back what the later change removed (as it was then), then apply the edit to it.
                guard removed, earlier.kind == .remove, let value = earlier.value else {
                    points.append(ConflictPoint(path: at, outcome: "dropped"))
                    return []
                }
                points.append(ConflictPoint(path: at, outcome: "restored"))
                let restore = Edit(kind: .add, path: earlier.path, value: value, pathInArray: earlier.pathInArray, fromInArray: false)
                return [restore, piece]
            case .custom:
                return try resolve(at: at, original: original, proposed: proposedValue(piece), removedByLater: removed,
                                   current: removed ? nil : current.valueIfPresent(at: at))
            }
        }
    }

    /// Asks the resolver about one location; its answer is written there in place of the edit.
    private mutating func resolve(at path: JSONPointer, original: Edit, proposed: JSONValue?, removedByLater: Bool,
                                  current: JSONValue?) throws(AGError) -> [Edit] {
        guard let resolver else { throw refuse(path, "the custom strategy needs a resolver") }
        let answer = resolver(ConflictCase(path: path, base: baseValue(at: original.path), current: current,
                                           proposed: proposed))
        switch answer {
        case .refuse:
            throw refuse(path, "the resolver refused the change at \"\(path)\"")
        case .remove:
            points.append(ConflictPoint(path: path, outcome: "resolved"))
            return current == nil || removedByLater ? [] : [Edit(kind: .remove, path: path, pathInArray: false, fromInArray: false, settled: true)]
        case .keep(let value):
            points.append(ConflictPoint(path: path, outcome: "resolved"))
            let inArray = JSONPointer.arrayIndex(path.lastToken ?? "") != nil && removedByLater
            let kind: Edit.Kind = current == nil ? .add : .replace
            return [Edit(kind: kind, path: path, value: value, pathInArray: kind == .add && inArray, fromInArray: false, settled: true)]
        }
    }

    /// The value `edit` leaves at its target (nil for a removal).
    private mutating func proposedValue(_ edit: Edit) -> JSONValue? {
        switch edit.kind {
        case .add, .replace, .test: return edit.value
        case .remove: return nil
        case .move, .copy: return edit.from.flatMap { baseValue(at: $0) }
        }
    }

    /// True when `edit` writes exactly what `earlier` wrote at the same place.
    private func sameEffect(_ edit: Edit, _ earlier: Edit) -> Bool {
        guard edit.path == earlier.path else { return false }
        switch (edit.kind, earlier.kind) {
        case (.add, .add), (.add, .replace), (.replace, .add), (.replace, .replace):
            return edit.value == earlier.value
        default:
            return false
        }
    }

    private mutating func refuse(_ path: JSONPointer, _ message: String) -> AGError {
        points.append(ConflictPoint(path: path, outcome: "refused"))
        return AGError(.conflict, "\(message) (strategy \(strategy.name))", pointer: path.description)
    }
}
