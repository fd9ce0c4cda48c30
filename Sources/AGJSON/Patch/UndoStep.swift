/// One step of undoing a change: an RFC 6902 operation and, when it puts a removed object member back,
/// the name of the member that followed it. Members keep their insertion order (users see it), and an
/// `add` alone would put the member back at the end of its object.
public struct UndoStep: Sendable, Equatable {
    public var operation: PatchOperation
    /// For an `add` that puts back an object member: the member it goes in front of (nil: at the end).
    public var before: String?

    public init(_ operation: PatchOperation, before: String? = nil) {
        self.operation = operation
        self.before = before
    }
}

extension JSONValue {
    /// Applies undo steps in order. Each takes back a change made to exactly this document, so nothing
    /// fails that has not been changed behind the steps' back; depth is not checked (the steps restore
    /// what was there).
    public mutating func undo(_ steps: [UndoStep]) throws(AGError) {
        for step in steps {
            switch step.operation {
            case let .add(path, value):
                if let before = step.before { try add(value, at: path, before: before) } else { try add(value, at: path) }
            case let .remove(path):
                try remove(at: path)
            case let .replace(path, value):
                try replace(at: path, with: value)
            case .move, .copy, .test:
                try apply(step.operation, limits: JSONLimits(maxDepth: JSONLimits.depthCeiling))
            }
        }
    }

    /// `add` of an object member just before the member `before` (see `UndoStep`).
    private mutating func add(_ value: JSONValue, at path: JSONPointer, before: String) throws(AGError) {
        guard let last = path.lastToken else { self = value; return }
        let added = try modifyParent(of: path) { (parent: inout JSONValue) throws(AGError) -> Bool in
            guard parent.containerKind == .object else { return false }
            parent.withObject { $0.insert(last, value, before: before) }
            return true
        }
        if !added { try add(value, at: path) }
    }
}
