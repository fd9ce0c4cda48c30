/// JSON equality as RFC 6902 `test` defines it: member order ignored, numbers compared by value, strings
/// by their bytes ("the same number of Unicode characters and their code points are byte-by-byte equal",
/// §4.6; `String`'s `==` would call "é" composed and decomposed equal).
extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return NameBytes.equal(a, b)
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }
}

extension JSONArray: Equatable {
    public static func == (lhs: JSONArray, rhs: JSONArray) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.sharesStorage(with: rhs) { return true }
        if lhs.largeBox == nil && rhs.largeBox == nil { return lhs.elements == rhs.elements }
        return elementwiseEqual(lhs, rhs)
    }

    // Out of line, like the other paths of these recursive comparisons: inlined, they made each level of
    // nesting take a kilobyte of the caller's stack.
    @inline(never)
    private static func elementwiseEqual(_ lhs: JSONArray, _ rhs: JSONArray) -> Bool {
        for i in 0..<lhs.count where lhs[i] != rhs[i] { return false }
        return true
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count, lhs.height == rhs.height else { return false }
        if lhs.sharesStorage(with: rhs) { return true }
        var equal = true
        // forEachMember cannot stop early; a thrown marker does.
        struct Unequal: Error {}
        do {
            try lhs.forEachMember { key, value in
                guard let other = rhs[key], other == value else { throw Unequal() }
            }
        } catch {
            equal = false
        }
        return equal
    }
}

extension JSONValue {
    /// Equality that also requires numbers to be written alike (1 is not 1.0 here), member order still
    /// ignored: what a diff must reproduce so that the patched document serialises like its target.
    public func isSameText(as other: JSONValue) -> Bool {
        if isIdentical(to: other) { return true }
        switch (self, other) {
        case let (.number(a), .number(b)):
            switch (a, b) {
            case let (.int(x), .int(y)): return x == y
            case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern || x == y && x != 0
            case let (.bigInteger(x), .bigInteger(y)): return x == y
            default: return false
            }
        case let (.array(a), .array(b)):
            return JSONValue.sameText(a, b)
        case let (.object(a), .object(b)):
            return JSONValue.sameText(a, b)
        default:
            return self == other
        }
    }

    @inline(never)
    private static func sameText(_ a: JSONArray, _ b: JSONArray) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.isSameText(as: $1) }
    }

    @inline(never)
    private static func sameText(_ a: JSONObject, _ b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a.entries {
            guard let match = b[key], value.isSameText(as: match) else { return false }
        }
        return true
    }
}
