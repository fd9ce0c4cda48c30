/// One RFC 6902 operation.
public enum PatchOperation: Sendable, Equatable {
    case add(path: JSONPointer, value: JSONValue)
    case remove(path: JSONPointer)
    case replace(path: JSONPointer, value: JSONValue)
    case move(from: JSONPointer, path: JSONPointer)
    case copy(from: JSONPointer, path: JSONPointer)
    case test(path: JSONPointer, value: JSONValue)

    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .replace: return "replace"
        case .move: return "move"
        case .copy: return "copy"
        case .test: return "test"
        }
    }

    /// The location the operation targets (its `path` member).
    public var path: JSONPointer {
        switch self {
        case .add(let p, _), .remove(let p), .replace(let p, _), .move(_, let p), .copy(_, let p), .test(let p, _):
            return p
        }
    }

    /// The operation as a JSON object, members in the order `op`, `from`, `path`, `value`.
    public var json: JSONValue {
        var o = JSONObject()
        o["op"] = .string(name)
        switch self {
        case .add(let p, let v), .replace(let p, let v), .test(let p, let v):
            o["path"] = .string(p.description); o["value"] = v
        case .remove(let p):
            o["path"] = .string(p.description)
        case .move(let f, let p), .copy(let f, let p):
            o["from"] = .string(f.description); o["path"] = .string(p.description)
        }
        return .object(o)
    }
}

/// An RFC 6902 JSON Patch document: a sequence of operations applied atomically.
public struct JSONPatch: Sendable, Equatable {
    public var operations: [PatchOperation]

    public init(_ operations: [PatchOperation]) { self.operations = operations }

    /// Reads a patch document. Members other than `op`, `path`, `from` and `value` are ignored
    /// (RFC 6902 §4); a missing or mistyped member is an `invalidPatch` error naming the operation.
    public init(parsing document: JSONValue) throws(AGError) {
        guard case .array(let array) = document else {
            throw AGError(.invalidPatch, "a JSON Patch must be an array of operations, not a \(document.typeName)")
        }
        var ops: [PatchOperation] = []
        ops.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            ops.append(try JSONPatch.parseOperation(element, index: index))
        }
        operations = ops
    }

    /// Reads patch text (strict JSON): the same patch, and the same errors, as parsing the text and then
    /// reading it with `init(parsing:)`, usually without building the tree (`JSONParser.readPatch`).
    public init(parsing bytes: UnsafeRawBufferPointer, options: ParseOptions = .strict) throws(AGError) {
        if let patch = JSONParser.readPatch(bytes, options: options) {
            self = patch
        } else {
            try self.init(parsing: try JSONParser.parse(bytes, options: options))
        }
    }

    public var json: JSONValue { .array(JSONArray(operations.map(\.json))) }

    private static func parseOperation(_ element: JSONValue, index: Int) throws(AGError) -> PatchOperation {
        func malformed(_ message: String) -> AGError {
            AGError(.invalidPatch, "operation \(index): \(message)", operationIndex: index)
        }
        guard case .object(let o) = element else {
            throw malformed("must be an object, not a \(element.typeName)")
        }
        guard let opValue = o["op"] else { throw malformed("missing \"op\"") }
        guard case .string(let op) = opValue else { throw malformed("\"op\" must be a string, not a \(opValue.typeName)") }
        func pointer(_ member: String) throws(AGError) -> JSONPointer {
            guard let v = o[member] else { throw malformed("\(op) requires \"\(member)\"") }
            guard case .string(let text) = v else { throw malformed("\"\(member)\" must be a string, not a \(v.typeName)") }
            do {
                return try JSONPointer(parsing: text)
            } catch {
                var e = error
                e.operationIndex = index
                e.message = "operation \(index): \"\(member)\": \(error.message)"
                throw e
            }
        }
        func value() throws(AGError) -> JSONValue {
            guard let v = o["value"] else { throw malformed("\(op) requires \"value\"") }
            return v
        }
        switch op {
        case "add": return .add(path: try pointer("path"), value: try value())
        case "remove": return .remove(path: try pointer("path"))
        case "replace": return .replace(path: try pointer("path"), value: try value())
        case "move": return .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": return .test(path: try pointer("path"), value: try value())
        default: throw malformed("unknown op \"\(op)\"")
        }
    }
}
