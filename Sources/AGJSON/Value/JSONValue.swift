/// An immutable JSON value. Containers share structure: copying a value is O(1), and a change
/// copies only the containers on the path it changes (DESIGN.md §4).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array(JSONArray)
    case object(JSONObject)

    /// How deeply containers nest inside this value: 0 for a scalar, 1 for `[]` or `{"a":1}`.
    /// O(1): containers keep their height up to date.
    public var height: Int {
        switch self {
        case .array(let a): return a.height
        case .object(let o): return o.height
        default: return 0
        }
    }

    /// The greatest height among `values` (0 when there is none). Read through a buffer: a for-in loop
    /// over an array retains and releases each element it binds, about a twentieth of a parse.
    @inline(__always)
    static func deepest(_ values: UnsafeBufferPointer<JSONValue>) -> Int {
        var deepest = 0
        for i in values.indices {
            let h = values[i].height
            if h > deepest { deepest = h }
        }
        return deepest
    }

    @inline(__always)
    static func deepest(_ values: [JSONValue]) -> Int { values.withUnsafeBufferPointer { deepest($0) } }

    /// The JSON type name used in messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func int(_ i: Int64) -> JSONValue { .number(.int(i)) }
    public static func double(_ d: Double) -> JSONValue { .number(.double(d)) }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: JSONArray? { if case .array(let a) = self { return a }; return nil }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(.int(value)) }
    public init(floatLiteral value: Double) { self = .number(.double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(JSONArray(elements)) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (k, v) in elements { object[k] = v }
        self = .object(object)
    }
}
