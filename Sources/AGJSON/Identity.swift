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
        switch (largeBox, other.largeBox) {
        case (nil, nil):
            let sameKeys = members.keys.elements.withUnsafeBufferPointer { x in
                other.members.keys.elements.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress }
            }
            guard sameKeys else { return false }
            return members.values.elements.withUnsafeBufferPointer { x in
                other.members.values.elements.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress }
            }
        case let (a?, b?):
            return a === b || a.members.sharesStorage(with: b.members)
        default:
            return false
        }
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
