/// A JSON array. The representation is private so that it can change (DESIGN.md §4) without
/// touching callers; it tracks its height so that depth limits cost O(1) to check.
public struct JSONArray: Sendable {
    @usableFromInline var elements: [JSONValue]
    public private(set) var height: Int

    public init() { elements = []; height = 1 }

    public init<S: Sequence>(_ values: S) where S.Element == JSONValue {
        elements = Array(values)
        height = 1 + (elements.lazy.map(\.height).max() ?? 0)
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    public subscript(index: Int) -> JSONValue { elements[index] }

    public mutating func insert(_ value: JSONValue, at index: Int) {
        elements.insert(value, at: index)
        height = Swift.max(height, value.height + 1)
    }

    public mutating func append(_ value: JSONValue) {
        elements.append(value)
        height = Swift.max(height, value.height + 1)
    }

    @discardableResult
    public mutating func remove(at index: Int) -> JSONValue {
        let removed = elements.remove(at: index)
        if removed.height + 1 == height { recomputeHeight() }
        return removed
    }

    public mutating func replace(at index: Int, with value: JSONValue) {
        let old = elements[index].height
        elements[index] = value
        updateHeight(old: old, new: value.height)
    }

    /// Changes the element at `index` in place; the element is uniquely referenced while `body` runs.
    public mutating func modify<R, E: Error>(at index: Int, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R {
        let old = elements[index].height
        defer { updateHeight(old: old, new: elements[index].height) }
        return try body(&elements[index])
    }

    private mutating func updateHeight(old: Int, new: Int) {
        if new + 1 > height { height = new + 1 } else if new < old && old + 1 == height { recomputeHeight() }
    }

    private mutating func recomputeHeight() {
        height = 1 + (elements.lazy.map(\.height).max() ?? 0)
    }
}

extension JSONArray: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { elements.count }
}
