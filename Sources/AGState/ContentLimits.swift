import AGJSON

/// Bounds on what a store may hold, checked wherever a value enters it (every commit: patch, set, merge,
/// transaction, state event, restore). `Int.max` means no bound. A commit that would pass one is undone
/// before anyone sees it and fails with `limitExceeded`, naming the limit, the location and the operation.
public struct ContentLimits: Sendable, Equatable {
    /// The engine's byte estimate of the whole state (`JSONValue.estimatedBytes`).
    public var maxStateBytes = Int.max
    /// Operations in one commit (a patch's operations, or those a merge or transaction comes to).
    public var maxOperations = Int.max
    /// UTF-8 bytes of one string value or member name.
    public var maxStringBytes = Int.max
    /// Members of one object.
    public var maxMembers = Int.max
    /// Elements of one array.
    public var maxElements = Int.max

    public init() {}

    public static let unbounded = ContentLimits()

    /// True when a value must be walked to check it (string, member or element bounds).
    var checksValues: Bool { maxStringBytes != .max || maxMembers != .max || maxElements != .max }
    var isUnbounded: Bool { self == .unbounded }

    /// Checks a commit that has been applied to `state`: throws the first limit it passes. The caller
    /// undoes the commit when this throws.
    func check(_ recorded: RecordedPatch, in state: JSONValue) throws(AGError) {
        let operations = recorded.applied
        if operations.count > maxOperations {
            let index = maxOperations
            throw AGError(.limitExceeded, "AGS_LIMIT_OPERATIONS: the commit has \(operations.count) operations, beyond the limit of \(maxOperations)",
                          pointer: operations[index].path.description, operationIndex: index)
        }
        if checksValues {
            for index in operations.indices {
                let path: JSONPointer
                switch operations[index] {
                case .add(let p, _), .replace(let p, _), .copy(_, let p), .move(_, let p): path = p
                case .remove, .test: continue
                }
                try checkEntered(at: path, in: state, operation: index)
            }
        }
        if maxStateBytes != .max {
            let bytes = state.estimatedBytes(upTo: maxStateBytes)
            if bytes > maxStateBytes {
                let index = max(0, operations.count - 1)
                throw AGError(.limitExceeded, "AGS_LIMIT_STATE_BYTES: the state would hold more than \(maxStateBytes) bytes (estimated)",
                              pointer: operations.isEmpty ? "" : operations[index].path.description, operationIndex: index)
            }
        }
    }

    /// Checks a whole value that becomes a store's state (an initial or loaded state).
    public func check(initial state: JSONValue) throws(AGError) {
        if checksValues { try checkValue(state, path: .root, operation: nil) }
        if maxStateBytes != .max, state.estimatedBytes(upTo: maxStateBytes) > maxStateBytes {
            throw AGError(.limitExceeded, "AGS_LIMIT_STATE_BYTES: the state would hold more than \(maxStateBytes) bytes (estimated)", pointer: "")
        }
    }

    /// The value written at `path`, and the container it went into (which may have grown past a bound).
    private func checkEntered(at path: JSONPointer, in state: JSONValue, operation: Int) throws(AGError) {
        if !path.isRoot, let parent = state.valueIfPresent(at: path.parent) {
            try checkCount(of: parent, path: path.parent, operation: operation)
            if case .object = parent, let name = path.lastToken, name.utf8.count > maxStringBytes {
                throw failure("AGS_LIMIT_STRING_BYTES", "the member name of \(name.utf8.count) bytes passes the limit of \(maxStringBytes)", path, operation)
            }
        }
        // An array element added at "-" is the array's last one now.
        guard let value = state.valueIfPresent(at: path) ?? lastElement(at: path, in: state) else { return }
        try checkValue(value, path: path, operation: operation)
    }

    private func lastElement(at path: JSONPointer, in state: JSONValue) -> JSONValue? {
        guard path.lastToken == "-", case .array(let a)? = state.valueIfPresent(at: path.parent), a.count > 0 else { return nil }
        return a[a.count - 1]
    }

    /// Walks `root` with a stack in the heap (values may nest thousands of levels deep); a failure names
    /// the location inside the value.
    private func checkValue(_ root: JSONValue, path: JSONPointer, operation: Int?) throws(AGError) {
        var stack: [(JSONValue, JSONPointer)] = [(root, path)]
        while let (value, at) = stack.popLast() {
            switch value {
            case .null, .bool, .number: continue
            case .string(let s):
                if s.utf8.count > maxStringBytes {
                    throw failure("AGS_LIMIT_STRING_BYTES", "a string of \(s.utf8.count) bytes passes the limit of \(maxStringBytes)", at, operation)
                }
            case .array(let a):
                try checkCount(of: value, path: at, operation: operation)
                var index = 0
                for element in a {
                    if element.isContainerOrString { stack.append((element, at.appending(String(index)))) }
                    index += 1
                }
            case .object(let o):
                try checkCount(of: value, path: at, operation: operation)
                var tooLong: (String, Int)?
                o.forEachMember { name, member in
                    if name.utf8.count > maxStringBytes && tooLong == nil { tooLong = (name, name.utf8.count) }
                    if member.isContainerOrString { stack.append((member, at.appending(name))) }
                }
                if let (name, count) = tooLong {
                    throw failure("AGS_LIMIT_STRING_BYTES", "a member name of \(count) bytes passes the limit of \(maxStringBytes)", at.appending(name), operation)
                }
            }
        }
    }

    private func checkCount(of container: JSONValue, path: JSONPointer, operation: Int?) throws(AGError) {
        switch container {
        case .array(let a) where a.count > maxElements:
            throw failure("AGS_LIMIT_ELEMENTS", "an array of \(a.count) elements passes the limit of \(maxElements)", path, operation)
        case .object(let o) where o.count > maxMembers:
            throw failure("AGS_LIMIT_MEMBERS", "an object of \(o.count) members passes the limit of \(maxMembers)", path, operation)
        default: return
        }
    }

    @inline(never)
    private func failure(_ limit: String, _ what: String, _ path: JSONPointer, _ operation: Int?) -> AGError {
        let at = operation.map { "operation \($0) at \"\(path)\"" } ?? "at \"\(path)\""
        return AGError(.limitExceeded, "\(limit): \(what) (\(at))", pointer: path.description, operationIndex: operation)
    }
}

extension JSONValue {
    fileprivate var isContainerOrString: Bool {
        switch self {
        case .null, .bool, .number: return false
        case .string, .array, .object: return true
        }
    }
}
