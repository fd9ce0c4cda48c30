/// How a patch is applied.
public struct PatchOptions: Sendable, Equatable {
    /// Named leniency for deltas computed against a state the receiver never had: a `replace` of a
    /// missing path becomes an `add`, and a `remove` of a missing path does nothing. Never the default.
    public var lenient: Bool
    /// Marks the change urgent for those who batch changes (a delta batcher sends it at once).
    public var urgent: Bool

    public init(lenient: Bool = false, urgent: Bool = false) {
        self.lenient = lenient
        self.urgent = urgent
    }

    public static let strict = PatchOptions()
}

/// A patch applied, with everything needed to record it: the operations that took effect, the
/// operations that undo them, and the locations they changed.
public struct RecordedPatch: Sendable {
    /// The operations as they took effect (in lenient mode a `replace` may have become an `add`, and a
    /// `remove` of a missing path is left out).
    public var applied: [PatchOperation]
    /// The steps that take the patched document back to the original one, member order included, in
    /// the order to apply them (`JSONValue.undo`).
    public var inverse: [UndoStep]
    /// The locations changed. An insertion into or removal from an array changes the positions of the
    /// elements after it, so it counts as a change of the whole array.
    public var touched: [JSONPointer]
    /// Where each operation of `applied` ends in `touched`: operation i changed
    /// `touched[touchedEnds[i - 1] ..< touchedEnds[i]]` (from 0 for the first; none for a `test`). One
    /// array of offsets instead of an array per operation, which a 100-operation patch allocated 100 times
    /// and its eviction from history freed as often.
    public var touchedEnds: [Int]

    public init(applied: [PatchOperation], inverse: [UndoStep], touched: [JSONPointer], touchedEnds: [Int]) {
        self.applied = applied
        self.inverse = inverse
        self.touched = touched
        self.touchedEnds = touchedEnds
    }

    /// The locations operation `index` of `applied` changed.
    public func touched(byOperation index: Int) -> ArraySlice<JSONPointer> {
        touched[(index == 0 ? 0 : touchedEnds[index - 1]) ..< touchedEnds[index]]
    }
}

extension JSONPatch {
    /// Applies the patch atomically like `apply(to:limits:)`, and records it (see `RecordedPatch`).
    public func applyRecording(to document: JSONValue, limits: JSONLimits = .default,
                               options: PatchOptions = .strict) throws(AGError) -> (value: JSONValue, record: RecordedPatch) {
        var value = document
        let record = try applyRecording(inPlace: &value, limits: limits, options: options)
        return (value, record)
    }

    /// Applies the patch to `document` in place, atomically, and records it. The containers on the
    /// changed paths are changed where they are, not copied, when `document` is their only holder (a
    /// store's state when no snapshot or reader holds it). When an operation fails, the steps noted so far
    /// undo the earlier ones, newest first, so `document` is as it was, member order included.
    public func applyRecording(inPlace document: inout JSONValue, limits: JSONLimits = .default,
                               options: PatchOptions = .strict) throws(AGError) -> RecordedPatch {
        var recorder = PatchRecorder(value: .null, limits: limits, keepsApplied: options.lenient, expected: operations.count)
        swap(&recorder.value, &document)
        defer { swap(&recorder.value, &document) }
        var touchedEnds: [Int] = []
        touchedEnds.reserveCapacity(operations.count)
        // The operations are read in place (a for-in loop over the array copies each one).
        let failure: AGError? = operations.withUnsafeBufferPointer { ops in
            for index in ops.indices {
                let appliedBefore = recorder.appliedCount
                do throws(AGError) {
                    try recorder.apply(ops[index], lenient: options.lenient)
                } catch {
                    return error.inOperation(index, op: ops[index].name)
                }
                if recorder.appliedCount > appliedBefore {
                    touchedEnds.append(recorder.touched.count)
                }
            }
            return nil
        }
        if let failure { try recorder.rollBack(after: failure) }
        // A strict patch takes effect as written: its own array of operations is the record. The undo
        // steps are reversed where they are, through a buffer pointer, whose swaps move the steps: an
        // array's `reverse()` and `reversed()` copy each one (and retain what it holds).
        recorder.inverse.withUnsafeMutableBufferPointer { $0.reverse() }
        return RecordedPatch(applied: options.lenient ? recorder.applied : operations, inverse: recorder.inverse,
                             touched: recorder.touched, touchedEnds: touchedEnds)
    }
}

/// Applies operations one at a time, noting before each change what it will take to undo it.
struct PatchRecorder {
    var value: JSONValue
    let limits: JSONLimits
    /// The operations as they took effect, kept only when they may differ from the patch's (lenient).
    var applied: [PatchOperation] = []
    let keepsApplied: Bool
    /// How many operations took effect.
    var appliedCount = 0
    /// Undo steps in the order they were noted; the caller reverses them.
    var inverse: [UndoStep] = []
    var touched: [JSONPointer] = []

    init(value: JSONValue, limits: JSONLimits, keepsApplied: Bool = true, expected: Int = 0) {
        self.value = value
        self.limits = limits
        self.keepsApplied = keepsApplied
        inverse.reserveCapacity(expected)
        touched.reserveCapacity(expected)
    }

    private mutating func noteApplied(_ operation: PatchOperation) {
        appliedCount += 1
        if keepsApplied { applied.append(operation) }
    }

    /// Undoes every operation applied so far, newest first, then throws `failure`. An operation that
    /// fails notes everything it did (a `move` whose `add` fails has noted its `remove`), so this restores
    /// the document exactly.
    mutating func rollBack(after failure: AGError) throws(AGError) -> Never {
        do {
            try value.undo(inverse.reversed())
        } catch {
            // The steps were noted from the changes themselves: failing to undo them is a defect.
            throw AGError(.internal, "\(failure.message); undoing the operations before it failed too (\(error.message))")
        }
        throw failure
    }

    mutating func apply(_ operation: PatchOperation, lenient: Bool) throws(AGError) {
        switch operation {
        case let .add(path, newValue):
            try add(newValue, at: path, as: operation)
        case let .remove(path):
            if lenient && value.valueIfPresent(at: path) == nil && !path.isRoot { return }
            try remove(at: path, as: operation)
        case let .replace(path, newValue):
            if lenient && value.valueIfPresent(at: path) == nil {
                try add(newValue, at: path, as: .add(path: path, value: newValue))
                return
            }
            try value.checkDepth(path, newValue, limits)
            let old = try value.replace(at: path, with: newValue)
            inverse.append(UndoStep(.replace(path: path, value: old)))
            touched.append(path)
            noteApplied(operation)
        case let .move(from, path):
            if from == path {
                _ = try value.value(at: from)
                noteApplied(operation)
                return
            }
            if path.hasPrefix(from) {
                throw AGError(.invalidPatch, "cannot move \"\(from)\" into its own child \"\(path)\"", pointer: path.description)
            }
            // A move is a remove then an add; undoing it undoes the add, then the remove.
            let moved = try remove(at: from, as: nil)
            try add(moved, at: path, as: nil)
            noteApplied(operation)
        case let .copy(from, path):
            let copied = try value.value(at: from)
            try add(copied, at: path, as: nil)
            noteApplied(operation)
        case .test:
            try value.apply(operation, limits: limits)
            noteApplied(operation)
        }
    }

    /// `add`, noting its undo: a replace of the member it overwrote, or a remove of what it inserted.
    private mutating func add(_ newValue: JSONValue, at path: JSONPointer, as operation: PatchOperation?) throws(AGError) {
        try value.checkDepth(path, newValue, limits)
        let (undo, intoArray) = try value.addNotingUndo(newValue, at: path)
        inverse.append(UndoStep(undo))
        touched.append(intoArray ? path.parent : path)
        if let operation { noteApplied(operation) }
    }

    /// `remove`, noting its undo: an add of the removed value at the same place (for an object member, in
    /// front of the member that followed it). Returns the removed value.
    @discardableResult
    private mutating func remove(at path: JSONPointer, as operation: PatchOperation?) throws(AGError) -> JSONValue {
        let (removed, fromArray, before) = try value.removeReporting(at: path, notingPlace: true)
        inverse.append(UndoStep(.add(path: path, value: removed), before: before))
        touched.append(fromArray ? path.parent : path)
        if let operation { noteApplied(operation) }
        return removed
    }
}

extension JSONPointer {
    /// True when one of the two locations contains the other (or they are the same): a change at one
    /// may change what is at the other.
    public func overlaps(_ other: JSONPointer) -> Bool {
        hasPrefix(other) || other.hasPrefix(self)
    }
}
