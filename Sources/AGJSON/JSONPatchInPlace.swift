/// Applying a patch to a document held by one owner, changing it in place and still atomically.
extension JSONPatch {
    /// Applies the patch to `document` atomically, in place: when `document` is the only holder of its
    /// containers, none of them is copied. Each operation notes how to undo itself; when one fails, the
    /// notes undo the earlier ones, newest first, and `document` is as it was. Removing an object member
    /// cannot be undone exactly in place (the member would come back at the end of its object, not where
    /// it was), so a patch that does so is undone so far and applied to a copy instead.
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
        var undo: [PatchOperation] = []
        undo.reserveCapacity(operations.count + 1)
        for (index, operation) in operations.enumerated() {
            let undoable: Bool
            do {
                undoable = try document.apply(operation, limits: limits, notingUndo: &undo)
            } catch {
                document.undo(undo)
                throw error.inOperation(index, op: operation.name)
            }
            if !undoable {
                document.undo(undo)
                document = try apply(to: document, limits: limits)
                return
            }
        }
    }
}

extension JSONValue {
    /// Applies one operation in place and appends to `undo` the operations that take it back (applied in
    /// reverse order). Returns false, having changed nothing, for an operation whose undo cannot be exact.
    /// On failure nothing is changed beyond what `undo` records.
    mutating func apply(_ operation: PatchOperation, limits: JSONLimits,
                        notingUndo undo: inout [PatchOperation]) throws(AGError) -> Bool {
        switch operation {
        case let .add(path, value):
            try checkDepth(path, value, limits)
            undo.append(try addNotingUndo(value, at: path).undo)
        case let .remove(path):
            guard let removed = try removeFromArray(at: path) else { return false }
            undo.append(.add(path: path, value: removed))
        case let .replace(path, value):
            try checkDepth(path, value, limits)
            let replaced = try replace(at: path, with: value)
            undo.append(.replace(path: path, value: replaced))
        case let .move(from, path):
            if from == path { _ = try self.value(at: from); return true }
            if path.hasPrefix(from) {
                throw AGError(.invalidPatch, "cannot move \"\(from)\" into its own child \"\(path)\"", pointer: path.description)
            }
            guard let moved = try removeFromArray(at: from) else { return false }
            undo.append(.add(path: from, value: moved))
            try checkDepth(path, moved, limits)
            undo.append(try addNotingUndo(moved, at: path).undo)
        case let .copy(from, path):
            let copied = try value(at: from)
            try checkDepth(path, copied, limits)
            undo.append(try addNotingUndo(copied, at: path).undo)
        case .test:
            try apply(operation, limits: limits)
        }
        return true
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

    /// `remove` when the target is an array element (returned); nil, changing nothing, when it is an
    /// object member. Throws what `remove` throws otherwise.
    private mutating func removeFromArray(at path: JSONPointer) throws(AGError) -> JSONValue? {
        guard path.lastToken != nil else { return try remove(at: path) }
        let isArray = try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) -> Bool in
            switch parent.containerKind {
            case .object:
                guard parent.objectValue!.contains(path.lastToken!) else {
                    throw JSONValue.notFound(path, path.tokens.count - 1, "has no member \"\(path.lastToken!)\"")
                }
                return false
            case .array: return true
            case nil: throw JSONValue.notFound(path, path.tokens.count - 1, "is a \(parent.typeName), not a container")
            }
        }
        guard isArray else { return Optional<JSONValue>.none }  // (a bare `nil` here could mean JSONValue's null)
        return try remove(at: path)
    }

    /// Applies undo notes newest first. They cannot fail: each takes back a change that was just made.
    mutating func undo(_ notes: [PatchOperation]) {
        for note in notes.reversed() {
            switch note {
            case let .add(path, value): try? add(value, at: path)
            case let .remove(path): _ = try? remove(at: path)
            case let .replace(path, value): _ = try? replace(at: path, with: value)
            case .move, .copy, .test: break
            }
        }
    }
}
