/// Identity of container storage: two values that share storage are equal without looking inside. Values
/// taken from one store share every container a change did not copy, so this lets a comparison or a diff
/// skip them (DESIGN.md §4).
extension JSONArray {
    func sharesStorage(with other: JSONArray) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        switch (largeBox, other.largeBox) {
        case (nil, nil):
            return elements.withUnsafeBufferPointer { a in
                other.elements.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
            }
        case let (a?, b?):
            return a === b || a.vector.sharesRoot(with: b.vector)
        default:
            return false
        }
    }
}

extension JSONObject {
    func sharesStorage(with other: JSONObject) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        switch (names, other.names) {
        case let (.small(x), .small(y)):
            let sameNames = x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
            return sameNames && sameValues(other)
        case let (.indexed(a), .indexed(b)):
            return a === b && sameValues(other)
        case let (.large(a), .large(b)):
            return a === b || a.members.sharesStorage(with: b.members)
        default:
            return false
        }
    }

    private func sameValues(_ other: JSONObject) -> Bool {
        values.withUnsafeBufferPointer { a in other.values.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }
}

extension JSONValue {
    /// True when the two values certainly share storage (and so are equal); false says nothing.
    public func isIdentical(to other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.array(a), .array(b)): return a.sharesStorage(with: b)
        case let (.object(a), .object(b)): return a.sharesStorage(with: b)
        default: return false
        }
    }
}
