/// Applying a patch to a document held by one owner, changing it in place and still atomically.
extension JSONPatch {
    /// Applies the patch to `document` atomically, in place: when `document` is the only holder of its
    /// containers, none of them is copied. Each operation notes how to undo itself (a removed object
    /// member with the member it came before, so that it goes back to its place); when one fails, the
    /// notes undo the earlier ones, newest first, and `document` is as it was, member order included.
    public func apply(inPlace document: inout JSONValue, limits: JSONLimits = .default) throws(AGError) {
        if operations.count == 1 {
            // One operation fails, if it fails, before it changes anything: nothing to undo.
            switch operations[0] {
            case .add, .remove, .replace, .test:
                do {
                    try document.apply(operations[0], limits: limits)
                } catch {
                    throw error.inOperation(0, op: operations[0].name)
                }
                return
            case .move, .copy:
                break
            }
        }
        var undo: [UndoStep] = []
        undo.reserveCapacity(operations.count + 1)
        for (index, operation) in operations.enumerated() {
            do {
                try document.apply(operation, limits: limits, notingUndo: &undo)
            } catch {
                try? document.undo(Array(undo.reversed()))
                throw error.inOperation(index, op: operation.name)
            }
        }
    }
}

extension JSONValue {
    /// Applies one operation in place and appends to `undo` the steps that take it back (to be applied
    /// in reverse order). On failure nothing is changed beyond what `undo` records.
    mutating func apply(_ operation: PatchOperation, limits: JSONLimits, notingUndo undo: inout [UndoStep]) throws(AGError) {
        switch operation {
        case let .add(path, value):
            try checkDepth(path, value, limits)
            undo.append(UndoStep(try addNotingUndo(value, at: path).undo))
        case let .remove(path):
            let (removed, _, before) = try removeReporting(at: path, notingPlace: true)
            undo.append(UndoStep(.add(path: path, value: removed), before: before))
        case let .replace(path, value):
            try checkDepth(path, value, limits)
            let replaced = try replace(at: path, with: value)
            undo.append(UndoStep(.replace(path: path, value: replaced)))
        case let .move(from, path):
            if from == path { _ = try self.value(at: from); return }
            if path.hasPrefix(from) {
                throw AGError(.invalidPatch, "cannot move \"\(from)\" into its own child \"\(path)\"", pointer: path.description)
            }
            let (moved, _, before) = try removeReporting(at: from, notingPlace: true)
            undo.append(UndoStep(.add(path: from, value: moved), before: before))
            try checkDepth(path, moved, limits)
            undo.append(UndoStep(try addNotingUndo(moved, at: path).undo))
        case let .copy(from, path):
            let copied = try value(at: from)
            try checkDepth(path, copied, limits)
            undo.append(UndoStep(try addNotingUndo(copied, at: path).undo))
        case .test:
            try apply(operation, limits: limits)
        }
    }

    /// `add` (without the depth check), returning its undo: a replace of what it overwrote, or a remove of
    /// what it inserted; and whether it inserted into an array.
    mutating func addNotingUndo(_ value: JSONValue, at path: JSONPointer) throws(AGError) -> (undo: PatchOperation, intoArray: Bool) {
        guard let last = path.lastToken else {
            return (.replace(path: path, value: try replace(at: path, with: value)), false)
        }
        return try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) -> (undo: PatchOperation, intoArray: Bool) in
            switch parent.containerKind {
            case .object:
                let replaced = parent.withObject { (object: inout JSONObject) -> JSONValue? in
                    let replaced = object.modify(last) { (member: inout JSONValue) -> JSONValue in
                        var replaced = value
                        swap(&member, &replaced)
                        return replaced
                    }
                    if replaced == nil { object[last] = value }
                    return replaced
                }
                if let replaced { return (.replace(path: path, value: replaced), false) }
                return (.remove(path: path), false)
            case .array:
                return try parent.withArray { (array: inout JSONArray) throws(AGError) -> (undo: PatchOperation, intoArray: Bool) in
                    let index = try JSONValue.insertionIndex(path, in: array)
                    array.insert(value, at: index)
                    return (.remove(path: last == "-" ? path.parent.appending(String(index)) : path), true)
                }
            case nil:
                throw JSONValue.notFound(path, path.tokens.count - 1, "is a \(parent.typeName), not a container")
            }
        }
    }
}
