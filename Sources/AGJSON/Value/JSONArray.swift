/// A JSON array. The representation is private so that it can change (DESIGN.md §4) without
/// touching callers; it tracks its height so that depth limits cost O(1) to check.
///
/// Small arrays are a Swift array. Past `JSONArray.largeThreshold` elements an array becomes a
/// persistent vector, whose element changes and appends copy O(log n) nodes instead of the whole array
/// (an insertion or removal elsewhere than the end rebuilds it: O(n), as for the small form). The
/// height of a small array shares a word with the box of a large one, so the type stays 16 bytes.
public struct JSONArray: Sendable {
    /// The elements of a small array; empty when the array is large.
    var elements: [JSONValue]
    var shape: Shape

    enum Shape: Sendable {
        case small(height: UInt32)
        case large(LargeBox)
    }

    final class LargeBox: @unchecked Sendable {
        var vector: PersistentVector<JSONValue>
        var height: Int
        init(_ vector: PersistentVector<JSONValue>, height: Int) {
            self.vector = vector
            self.height = height
        }
    }

    /// Arrays with more elements than this take the large form (`AGSTATE_LARGE_ARRAY_THRESHOLD`, read
    /// once, changes it; the tests also run with 0).
    static let largeThreshold: Int = {
        if let text = getenvString("AGSTATE_LARGE_ARRAY_THRESHOLD"), let n = Int(text), n >= 0 { return n }
        return 1024
    }()

    public init() { elements = []; shape = .small(height: 1) }

    public init<S: Sequence>(_ values: S, persistent: Bool = true) where S.Element == JSONValue {
        let all = Array(values)
        let deepest = JSONValue.deepest(all)
        if persistent && all.count > JSONArray.largeThreshold {
            elements = []
            shape = .large(LargeBox(PersistentVector(count: all.count) { all[$0] }, height: 1 + deepest))
        } else {
            elements = all
            shape = .small(height: UInt32(1 + deepest))
        }
    }

    @inline(__always)
    var largeBox: LargeBox? {
        if case .large(let box) = shape { return box }
        return nil
    }

    public var height: Int {
        switch shape {
        case .small(let h): return Int(h)
        case .large(let box): return box.height
        }
    }

    public var count: Int { largeBox?.vector.count ?? elements.count }
    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> JSONValue {
        if let box = largeBox { return box.vector[index] }
        return elements[index]
    }

    /// All elements as a Swift array (O(n) for a large array).
    var allElements: [JSONValue] {
        guard let box = largeBox else { return elements }
        var list: [JSONValue] = []
        list.reserveCapacity(box.vector.count)
        box.vector.forEachLeaf { list.append(contentsOf: $0) }
        return list
    }

    /// Calls `body` with the elements in order, read in place.
    @inline(__always)
    func forEachChunk(_ body: (UnsafeBufferPointer<JSONValue>) throws -> Void) rethrows {
        if let box = largeBox {
            try box.vector.forEachLeaf(body)
        } else {
            try elements.withUnsafeBufferPointer(body)
        }
    }

    private mutating func withLarge<R>(_ body: (inout PersistentVector<JSONValue>, inout Int) throws -> R) rethrows -> R {
        guard case .large(var box) = shape else { preconditionFailure("not a large array") }
        shape = .small(height: 0)  // drop this reference, so that the box may be unique
        if !isKnownUniquelyReferenced(&box) { box = LargeBox(box.vector, height: box.height) }
        defer { shape = .large(box) }
        return try body(&box.vector, &box.height)
    }

    private mutating func setSmallHeight(_ h: Int) { shape = .small(height: UInt32(h)) }

    /// Replaces the whole content (used where the large form has no cheap way).
    private mutating func rebuild(_ list: [JSONValue]) { self = JSONArray(list) }

    public mutating func insert(_ value: JSONValue, at index: Int) {
        if largeBox != nil {
            if index == count { append(value); return }
            var list = allElements
            list.insert(value, at: index)
            rebuild(list)
            return
        }
        elements.insert(value, at: index)
        if elements.count > JSONArray.largeThreshold { rebuild(elements); return }
        setSmallHeight(Swift.max(height, value.height + 1))
    }

    public mutating func append(_ value: JSONValue) {
        if largeBox != nil {
            withLarge { vector, height in
                vector.append(value)
                height = Swift.max(height, value.height + 1)
            }
            return
        }
        elements.append(value)
        if elements.count > JSONArray.largeThreshold { rebuild(elements); return }
        setSmallHeight(Swift.max(height, value.height + 1))
    }

    @discardableResult
    public mutating func remove(at index: Int) -> JSONValue {
        if largeBox != nil {
            var list = allElements
            let removed = list.remove(at: index)
            rebuild(list)
            return removed
        }
        let removed = elements.remove(at: index)
        if removed.height + 1 == height { setSmallHeight(1 + JSONArray.deepest(elements)) }
        return removed
    }

    public mutating func replace(at index: Int, with value: JSONValue) {
        modify(at: index) { $0 = value }
    }

    /// Changes the element at `index` in place; the element is uniquely referenced while `body` runs.
    public mutating func modify<R, E: Error>(at index: Int, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R {
        if largeBox != nil {
            var failure: E?
            var result: R?
            withLarge { (vector: inout PersistentVector<JSONValue>, height: inout Int) in
                do throws(E) {
                    var old = 0
                    var new = 0
                    result = try vector.modify(index) { (value: inout JSONValue) throws(E) -> R in
                        old = value.height
                        defer { new = value.height }
                        return try body(&value)
                    }
                    if new + 1 > height {
                        height = new + 1
                    } else if new < old && old + 1 == height {
                        var deepest = 0
                        vector.forEachLeaf { deepest = Swift.max(deepest, JSONArray.deepest($0)) }
                        height = 1 + deepest
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            return result!
        }
        let old = elements[index].height
        defer {
            let new = elements[index].height
            if new + 1 > height { setSmallHeight(new + 1) } else if new < old && old + 1 == height { setSmallHeight(1 + JSONArray.deepest(elements)) }
        }
        return try body(&elements[index])
    }

    private static func deepest(_ values: [JSONValue]) -> Int { JSONValue.deepest(values) }

    private static func deepest(_ values: UnsafeBufferPointer<JSONValue>) -> Int { JSONValue.deepest(values) }
}

extension JSONArray: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}
