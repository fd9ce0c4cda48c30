import OrderedCollections

/// A JSON object: members keep their insertion order (what JavaScript and Python users see);
/// equality ignores that order. The representation is private so that it can change
/// (DESIGN.md §4); it tracks its height so that depth limits cost O(1) to check.
public struct JSONObject: Sendable {
    @usableFromInline var members: OrderedDictionary<String, JSONValue>
    public private(set) var height: Int

    public init() { members = [:]; height = 1 }

    /// An object from keys known to be distinct (the parser checks them), built in one step.
    init(distinctKeys keys: [String], values: [JSONValue]) {
        members = OrderedDictionary(uncheckedUniqueKeys: keys, values: values)
        var deepest = 0
        for value in values where value.height > deepest { deepest = value.height }
        height = 1 + deepest
    }

    public init(minimumCapacity: Int) {
        members = OrderedDictionary(minimumCapacity: minimumCapacity)
        height = 1
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: OrderedSet<String> { members.keys }

    public func contains(_ key: String) -> Bool { members.index(forKey: key) != nil }

    /// Reading gives the member or nil; writing nil removes the member, writing a value replaces it
    /// in place or appends it at the end.
    public subscript(key: String) -> JSONValue? {
        get { members[key] }
        set {
            if let value = newValue {
                let old = members.updateValue(value, forKey: key)?.height
                updateHeight(old: old ?? 0, new: value.height)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets `key` to `value` with one lookup; true when the key was already there (its value is replaced).
    @discardableResult
    public mutating func set(_ key: String, _ value: JSONValue) -> Bool {
        let old = members.updateValue(value, forKey: key)
        updateHeight(old: old?.height ?? 0, new: value.height)
        return old != nil
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let removed = members.removeValue(forKey: key) else { return nil }
        if removed.height + 1 == height { recomputeHeight() }
        return removed
    }

    /// Changes the member `key` in place (nil means absent); the value is uniquely referenced while
    /// `body` runs.
    public mutating func modify<R, E: Error>(_ key: String, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R? {
        guard let index = members.index(forKey: key) else { return nil }
        let old = members.values[index].height
        defer { updateHeight(old: old, new: members.values[index].height) }
        return try body(&members.values[index])
    }

    /// Members in insertion order.
    public var entries: some Collection<(key: String, value: JSONValue)> { members.elements }

    private mutating func updateHeight(old: Int, new: Int) {
        if new + 1 > height { height = new + 1 } else if new < old && old + 1 == height { recomputeHeight() }
    }

    private mutating func recomputeHeight() {
        height = 1 + (members.values.lazy.map(\.height).max() ?? 0)
    }
}
