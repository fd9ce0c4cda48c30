#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections

/// A JSON object: members keep their insertion order (what JavaScript and Python users see);
/// equality ignores that order. The representation is private so that it can change
/// (DESIGN.md §4); it tracks its height so that depth limits cost O(1) to check.
///
/// Small objects are an ordered dictionary: compact, and cheap to copy whole. Its array of names is
/// copy-on-write storage like any other, which the parser shares between objects of the same shape
/// (`ShapeCache`). Past `JSONObject.largeThreshold` members an object moves to `LargeMembers` (a hash
/// trie and a persistent vector), whose changes copy O(log n) nodes instead of every member: a write
/// into a wide object costs the same at 1 MB and at 100 MB while snapshots and history keep their
/// versions. The layout keeps a `JSONValue` at 32 bytes: the small form's dictionary is stored inline,
/// and the height of a small object shares a word with the box of a large one.
public struct JSONObject: Sendable {
    /// The members of a small object; empty when the object is large.
    var members: OrderedDictionary<String, JSONValue>
    var shape: Shape

    enum Shape: Sendable {
        case small(height: UInt32)
        case large(LargeBox)
    }

    /// A large object's members and height, shared between copies until one of them changes.
    final class LargeBox: @unchecked Sendable {
        var members: LargeMembers
        var height: Int
        init(_ members: LargeMembers, height: Int) {
            self.members = members
            self.height = height
        }
    }

    /// Objects with more members than this take the large form. The environment variable
    /// `AGSTATE_LARGE_OBJECT_THRESHOLD`, read once, changes it (the tests run the whole suite with 0 too,
    /// so that every object with members takes the large path).
    static let largeThreshold: Int = {
        if let text = getenvString("AGSTATE_LARGE_OBJECT_THRESHOLD"), let n = Int(text), n >= 0 { return n }
        return 256
    }()

    public init() { members = [:]; shape = .small(height: 1) }

    /// An object from keys known to be distinct (the parser checks them), built in one step.
    init(distinctKeys keys: [String], values: [JSONValue], persistent: Bool = true) {
        var deepest = 0
        for value in values where value.height > deepest { deepest = value.height }
        if persistent && keys.count > JSONObject.largeThreshold {
            members = [:]
            shape = .large(LargeBox(LargeMembers(keys: keys, values: values), height: 1 + deepest))
        } else {
            members = OrderedDictionary(uncheckedUniqueKeys: keys, values: values)
            shape = .small(height: UInt32(1 + deepest))
        }
    }

    /// A large object from parsed keys, or (nil) the index of the first repeated key.
    static func large(checkingKeys keys: [String], values: [JSONValue]) -> (object: JSONObject?, duplicate: Int) {
        let (members, duplicate) = LargeMembers.checking(keys: keys, values: values)
        guard let members else { return (nil, duplicate) }
        var deepest = 0
        for value in values where value.height > deepest { deepest = value.height }
        var object = JSONObject()
        object.shape = .large(LargeBox(members, height: 1 + deepest))
        return (object, -1)
    }

    public init(minimumCapacity: Int) {
        members = OrderedDictionary(minimumCapacity: min(minimumCapacity, JSONObject.largeThreshold))
        shape = .small(height: 1)
    }

    public var height: Int {
        switch shape {
        case .small(let h): return Int(h)
        case .large(let box): return box.height
        }
    }

    @inline(__always)
    var largeBox: LargeBox? {
        if case .large(let box) = shape { return box }
        return nil
    }

    public var count: Int { largeBox?.members.count ?? members.count }

    public var isEmpty: Bool { count == 0 }

    /// Member names in insertion order.
    public var keys: [String] {
        if let box = largeBox { return box.members.entries.map(\.key) }
        return members.keys.elements
    }

    public func contains(_ key: String) -> Bool {
        if let box = largeBox { return box.members.contains(key) }
        return members.index(forKey: key) != nil
    }

    /// Reading gives the member or nil; writing nil removes the member, writing a value replaces it
    /// in place or appends it at the end.
    public subscript(key: String) -> JSONValue? {
        get {
            if let box = largeBox { return box.members[key] }
            return members[key]
        }
        set {
            if let value = newValue {
                set(key, value)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Runs `body` on the large form's members and height, copying the box first when another copy of
    /// this object shares it.
    private mutating func withLarge<R>(_ body: (inout LargeMembers, inout Int) throws -> R) rethrows -> R {
        guard case .large(var box) = shape else { preconditionFailure("not a large object") }
        shape = .small(height: 0)  // drop this reference, so that the box may be unique
        if !isKnownUniquelyReferenced(&box) { box = LargeBox(box.members, height: box.height) }
        defer { shape = .large(box) }
        return try body(&box.members, &box.height)
    }

    /// Sets `key` to `value` with one lookup; true when the key was already there (its value is replaced).
    @discardableResult
    public mutating func set(_ key: String, _ value: JSONValue) -> Bool {
        if largeBox != nil {
            return withLarge { members, height in
                let old = members.updateValue(value, forKey: key)
                JSONObject.updateHeight(&height, old: old?.height ?? 0, new: value.height) { members.maxHeight }
                return old != nil
            }
        }
        let old = members.updateValue(value, forKey: key)
        var h = height
        JSONObject.updateHeight(&h, old: old?.height ?? 0, new: value.height) { smallMaxHeight }
        if members.count > JSONObject.largeThreshold {
            shape = .large(LargeBox(LargeMembers(keys: members.keys.elements, values: members.values.elements), height: h))
            members = [:]
        } else {
            shape = .small(height: UInt32(h))
        }
        return old != nil
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        if largeBox != nil {
            return withLarge { members, height in
                guard let removed = members.removeValue(forKey: key) else { return nil }
                if removed.height + 1 == height { height = 1 + members.maxHeight }
                return removed
            }
        }
        guard let removed = members.removeValue(forKey: key) else { return nil }
        if removed.height + 1 == height { shape = .small(height: UInt32(1 + smallMaxHeight)) }
        return removed
    }

    /// The name of the member after `key` in insertion order; nil when `key` is the last or absent.
    func name(after key: String) -> String? {
        if let box = largeBox { return box.members.name(after: key) }
        guard let i = members.index(forKey: key), i + 1 < members.count else { return nil }
        return members.keys[i + 1]
    }

    /// Adds the member `key` (absent) just before the member `before`, where an undone removal puts it
    /// back; at the end when `before` is absent. An existing `key` is replaced in place.
    mutating func insert(_ key: String, _ value: JSONValue, before: String) {
        if largeBox != nil {
            withLarge { members, height in
                members.insert(key, value, before: before)
                if value.height + 1 > height { height = value.height + 1 }
            }
            return
        }
        guard !contains(key), let position = members.index(forKey: before) else {
            set(key, value)
            return
        }
        members.updateValue(value, forKey: key, insertingAt: position)
        let h = max(height, value.height + 1)
        if members.count > JSONObject.largeThreshold {
            shape = .large(LargeBox(LargeMembers(keys: members.keys.elements, values: members.values.elements), height: h))
            members = [:]
        } else {
            shape = .small(height: UInt32(h))
        }
    }

    /// Changes the member `key` in place (nil means absent); the value is uniquely referenced while
    /// `body` runs.
    public mutating func modify<R, E: Error>(_ key: String, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R? {
        if largeBox != nil {
            var failure: E?
            let result: R? = withLarge { (members: inout LargeMembers, height: inout Int) -> R? in
                do throws(E) {
                    var old = 0
                    var new = 0
                    let r = try members.modify(key) { (value: inout JSONValue) throws(E) -> R in
                        old = value.height
                        defer { new = value.height }
                        return try body(&value)
                    }
                    if r != nil { JSONObject.updateHeight(&height, old: old, new: new) { members.maxHeight } }
                    return r
                } catch {
                    failure = error
                    return nil
                }
            }
            if let failure { throw failure }
            return result
        }
        guard let index = members.index(forKey: key) else { return nil }
        let old = members.values[index].height
        defer {
            var h = height
            JSONObject.updateHeight(&h, old: old, new: members.values[index].height) { smallMaxHeight }
            shape = .small(height: UInt32(h))
        }
        return try body(&members.values[index])
    }

    /// Calls `body` with each member in insertion order, without copying the members out.
    @inline(__always)
    public func forEachMember(_ body: (String, JSONValue) throws -> Void) rethrows {
        if let box = largeBox {
            try box.members.forEach(body)
            return
        }
        try members.keys.elements.withUnsafeBufferPointer { keys in
            try members.values.withUnsafeBufferPointer { values in
                for i in 0..<keys.count { try body(keys[i], values[i]) }
            }
        }
    }

    /// Members in insertion order.
    public var entries: Entries {
        if let box = largeBox {
            var names: [String] = []
            var values: [JSONValue] = []
            names.reserveCapacity(box.members.count)
            values.reserveCapacity(box.members.count)
            box.members.forEach { names.append($0); values.append($1) }
            return Entries(names: names, values: values)
        }
        return Entries(names: members.keys.elements, values: members.values.elements)
    }

    /// The members as two parallel arrays (shared with a small object's storage, not copied).
    public struct Entries: RandomAccessCollection {
        let names: [String]
        let values: [JSONValue]
        public var startIndex: Int { 0 }
        public var endIndex: Int { names.count }
        public var count: Int { names.count }
        public subscript(position: Int) -> (key: String, value: JSONValue) { (names[position], values[position]) }
    }

    private var smallMaxHeight: Int {
        var deepest = 0
        for value in members.values where value.height > deepest { deepest = value.height }
        return deepest
    }

    /// Keeps `height` right after a member's height went from `old` to `new`; `deepest` recomputes the
    /// tallest member when the tallest one shrank.
    private static func updateHeight(_ height: inout Int, old: Int, new: Int, deepest: () -> Int) {
        if new + 1 > height { height = new + 1 } else if new < old && old + 1 == height { height = 1 + deepest() }
    }
}

extension LargeMembers {
    var maxHeight: Int {
        var deepest = 0
        forEach { _, value in if value.height > deepest { deepest = value.height } }
        return deepest
    }
}

/// The value of an environment variable, read without Foundation.
func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
