/// JSON equality as RFC 6902 `test` defines it: member order ignored, numbers compared by value.
extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }
}

extension JSONArray: Equatable {
    public static func == (lhs: JSONArray, rhs: JSONArray) -> Bool {
        lhs.elements == rhs.elements
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count, lhs.height == rhs.height else { return false }
        for (key, value) in lhs.members {
            guard let other = rhs.members[key], other == value else { return false }
        }
        return true
    }
}
