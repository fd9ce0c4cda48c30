#if canImport(Glibc)
import Glibc
#endif

/// A JSON object: members keep their insertion order (what JavaScript and Python users see);
/// equality ignores that order. The representation is private so that it can change
/// (DESIGN.md §4); it tracks its height so that depth limits cost O(1) to check.
///
/// Three forms, by size; an object only moves to a larger one:
/// - Small (up to `smallLimit` members): an array of names and an array of values, searched in order.
///   The array of names is copy-on-write storage like any other, which the parser shares between
///   objects of the same shape (`ShapeCache`), so a small object makes one allocation: its values.
/// - Indexed (up to `largeThreshold`): the names in a `NameList` (a hash table finds them), in a box
///   shared between copies until one of them changes, and the values in an array.
/// - Large: `LargeMembers` (a hash trie and a persistent vector), whose changes copy O(log n) nodes
///   instead of every member: a write into a wide object costs the same at 1 MB and at 100 MB while
///   snapshots and history keep their versions.
/// The layout keeps the type at 20 bytes, so that a `JSONValue` is 24 (the object case was the one case
/// past 16 bytes, and made every value of a document 32).
public struct JSONObject: Sendable {
    var names: Names
    /// The values of a small or indexed object, in the order of its names; empty when the object is large.
    var values: [JSONValue]
    /// One more than the height of the tallest member (1 when there is none).
    var storedHeight: UInt32

    enum Names: Sendable {
        case small([String])
        case indexed(IndexedNames)
        case large(LargeBox)
    }

    /// The names of an indexed object, shared between copies until one of them changes.
    final class IndexedNames: @unchecked Sendable {
        var set: NameList
        init(_ set: NameList) { self.set = set }
    }

    /// A large object's members, shared between copies until one of them changes.
    final class LargeBox: @unchecked Sendable {
        var members: LargeMembers
        init(_ members: LargeMembers) { self.members = members }
    }

    /// Objects with at most this many members are searched name by name (as `OrderedDictionary` did up
    /// to 15, before building a hash table).
    static let smallLimit = 16

    /// Objects with more members than this take the large form. The environment variable
    /// `AGSTATE_LARGE_OBJECT_THRESHOLD`, read once, changes it (the tests run the whole suite with 0 too,
    /// so that every object with members takes the large path).
    /// Never past what the indexed form's `NameList` can hold.
    static let largeThreshold: Int = {
        if let text = getenvString("AGSTATE_LARGE_OBJECT_THRESHOLD"), let n = Int(text), n >= 0 { return min(n, NameList.maxCount) }
        return 256
    }()

    /// Whether an object of `count` members takes the large form: past `largeThreshold` when it is to be
    /// persistent, and always past what the indexed form holds.
    @inline(__always)
    static func takesLargeForm(_ count: Int, persistent: Bool) -> Bool {
        count > (persistent ? largeThreshold : NameList.maxCount)
    }

    public init() { names = .small([]); values = []; storedHeight = 1 }

    /// An object from keys known to be distinct (the parser checks them), built in one step.
    init(distinctKeys keys: [String], values: [JSONValue], persistent: Bool = true) {
        storedHeight = UInt32(1 + JSONValue.deepest(values))
        if JSONObject.takesLargeForm(keys.count, persistent: persistent) {
            names = .large(LargeBox(LargeMembers(keys: keys, values: values)))
            self.values = []
        } else if keys.count > JSONObject.smallLimit {
            names = .indexed(IndexedNames(NameList(uncheckedUniqueElements: keys)))
            self.values = values
        } else {
            names = .small(keys)
            self.values = values
        }
    }

    /// An indexed object from a list the parser built (see `NameList.checking`).
    init(indexed list: NameList, values: [JSONValue]) {
        storedHeight = UInt32(1 + JSONValue.deepest(values))
        names = .indexed(IndexedNames(list))
        self.values = values
    }

    /// A large object from parsed keys, or (nil) the index of the first repeated key.
    static func large(checkingKeys keys: [String], values: [JSONValue]) -> (object: JSONObject?, duplicate: Int) {
        let (members, duplicate) = LargeMembers.checking(keys: keys, values: values)
        guard let members else { return (nil, duplicate) }
        let deepest = JSONValue.deepest(values)
        var object = JSONObject()
        object.names = .large(LargeBox(members))
        object.storedHeight = UInt32(1 + deepest)
        return (object, -1)
    }

    public init(minimumCapacity: Int) {
        self.init()
        let capacity = min(minimumCapacity, JSONObject.smallLimit)
        var keys: [String] = []
        keys.reserveCapacity(capacity)
        names = .small(keys)
        values.reserveCapacity(capacity)
    }

    public var height: Int { Int(storedHeight) }

    @inline(__always)
    var largeBox: LargeBox? {
        if case .large(let box) = names { return box }
        return nil
    }

    /// The names of a small object (for the tests of shared shapes); nil for the other forms.
    var smallNames: [String]? {
        if case .small(let keys) = names { return keys }
        return nil
    }

    public var count: Int { largeBox?.members.count ?? values.count }

    public var isEmpty: Bool { count == 0 }

    /// Member names in insertion order.
    public var keys: [String] {
        switch names {
        case .small(let keys): return keys
        case .indexed(let box): return box.set.elements
        case .large(let box): return box.members.entries.map(\.key)
        }
    }

    /// Where `key` is among the names of a small or indexed object.
    @inline(__always)
    private func position(of key: String) -> Int? {
        switch names {
        case .small(let keys): return JSONObject.position(of: key, in: keys)
        case .indexed(let box): return box.set.firstIndex(of: key)
        case .large: return nil
        }
    }

    @inline(__always)
    private static func position(of key: String, in keys: [String]) -> Int? {
        keys.withUnsafeBufferPointer { names -> Int? in
            for i in 0..<names.count where NameBytes.equal(names[i], key) { return i }
            return nil
        }
    }

    public func contains(_ key: String) -> Bool {
        if let box = largeBox { return box.members.contains(key) }
        return position(of: key) != nil
    }

    /// Reading gives the member or nil; writing nil removes the member, writing a value replaces it
    /// in place or appends it at the end.
    public subscript(key: String) -> JSONValue? {
        get {
            if let box = largeBox { return box.members[key] }
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            if let value = newValue {
                set(key, value)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Runs `body` on the large form's members, copying the box first when another copy of this object
    /// shares it.
    private mutating func withLarge<R>(_ body: (inout LargeMembers) throws -> R) rethrows -> R {
        guard case .large(var box) = names else { preconditionFailure("not a large object") }
        names = .small([])  // drop this reference, so that the box may be unique
        if !isKnownUniquelyReferenced(&box) { box = LargeBox(box.members) }
        defer { names = .large(box) }
        return try body(&box.members)
    }

    /// Runs `body` on the names of a small or indexed object (as an array, or as the indexed set), each
    /// held once while it runs so that changing it copies nothing that is not shared.
    private mutating func withNames<R>(small: (inout [String]) throws -> R,
                                       indexed: (inout NameList) throws -> R) rethrows -> R {
        switch names {
        case .small(var keys):
            names = .small([])
            defer { names = .small(keys) }
            return try small(&keys)
        case .indexed(var box):
            names = .small([])
            if !isKnownUniquelyReferenced(&box) { box = IndexedNames(box.set) }
            defer { names = .indexed(box) }
            return try indexed(&box.set)
        case .large:
            preconditionFailure("a large object")
        }
    }

    /// After a member was added to a small or indexed object: the form its count now calls for.
    private mutating func grewTo(_ count: Int) {
        if count > JSONObject.largeThreshold {
            moveToLargeForm()
        } else if count > JSONObject.smallLimit, case .small(let keys) = names {
            names = .indexed(IndexedNames(NameList(uncheckedUniqueElements: keys)))
        }
    }

    /// Before a member may be added: an indexed object whose `NameList` is full (a document read once,
    /// past four billion members) moves to the large form, which has no such bound.
    @inline(__always)
    private mutating func makeRoomForOneMore(_ key: String) {
        if values.count >= NameList.maxCount && largeBox == nil && !contains(key) { moveToLargeForm() }
    }

    /// Before a member is removed or inserted in the middle: an indexed object wider than `largeThreshold`
    /// (a document read once) moves to the large form, where that costs O(log n) instead of moving every
    /// later name and rebuilding the table (one at a time, removing every member was quadratic).
    @inline(__always)
    private mutating func leaveWideIndexedForm() {
        if values.count > JSONObject.largeThreshold, case .indexed = names { moveToLargeForm() }
    }

    private mutating func moveToLargeForm() {
        names = .large(LargeBox(LargeMembers(keys: keys, values: values)))
        values = []
    }

    /// Sets `key` to `value` with one lookup; true when the key was already there (its value is replaced).
    @discardableResult
    public mutating func set(_ key: String, _ value: JSONValue) -> Bool {
        makeRoomForOneMore(key)
        var h = height
        defer { storedHeight = UInt32(h) }
        if largeBox != nil {
            return withLarge { members in
                let old = members.updateValue(value, forKey: key)
                JSONObject.updateHeight(&h, old: old?.height ?? 0, new: value.height) { members.maxHeight }
                return old != nil
            }
        }
        if let i = position(of: key) {
            let old = values[i].height
            values[i] = value
            JSONObject.updateHeight(&h, old: old, new: value.height) { smallMaxHeight }
            return true
        }
        withNames(small: { $0.append(key) }, indexed: { $0.append(key) })
        values.append(value)
        JSONObject.updateHeight(&h, old: 0, new: value.height) { smallMaxHeight }
        grewTo(values.count)
        return false
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        leaveWideIndexedForm()
        if largeBox != nil {
            let h = height
            var newHeight = h
            let removed = withLarge { members -> JSONValue? in
                guard let removed = members.removeValue(forKey: key) else { return nil }
                if removed.height + 1 == h { newHeight = 1 + members.maxHeight }
                return removed
            }
            storedHeight = UInt32(newHeight)
            return removed
        }
        guard let i = position(of: key) else { return nil }
        withNames(small: { _ = $0.remove(at: i) }, indexed: { _ = $0.remove(at: i) })
        let removed = values.remove(at: i)
        if removed.height + 1 == height { storedHeight = UInt32(1 + smallMaxHeight) }
        return removed
    }

    /// The name of the member after `key` in insertion order; nil when `key` is the last or absent.
    func name(after key: String) -> String? {
        if let box = largeBox { return box.members.name(after: key) }
        guard let i = position(of: key), i + 1 < values.count else { return nil }
        switch names {
        case .small(let keys): return keys[i + 1]
        case .indexed(let box): return box.set[i + 1]
        case .large: return nil
        }
    }

    /// Adds the member `key` (absent) just before the member `before`, where an undone removal puts it
    /// back; at the end when `before` is absent. An existing `key` is replaced in place.
    mutating func insert(_ key: String, _ value: JSONValue, before: String) {
        makeRoomForOneMore(key)
        leaveWideIndexedForm()
        if largeBox != nil {
            withLarge { members in members.insert(key, value, before: before) }
            if value.height + 1 > height { storedHeight = UInt32(value.height + 1) }
            return
        }
        guard !contains(key), let i = position(of: before) else {
            set(key, value)
            return
        }
        withNames(small: { $0.insert(key, at: i) }, indexed: { $0.insert(key, at: i) })
        values.insert(value, at: i)
        if value.height + 1 > height { storedHeight = UInt32(value.height + 1) }
        grewTo(values.count)
    }

    /// Changes the member `key` in place (nil means absent); the value is uniquely referenced while
    /// `body` runs.
    public mutating func modify<R, E: Error>(_ key: String, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R? {
        if largeBox != nil {
            var failure: E?
            var h = height
            let result: R? = withLarge { (members: inout LargeMembers) -> R? in
                do throws(E) {
                    var old = 0
                    var new = 0
                    let r = try members.modify(key) { (value: inout JSONValue) throws(E) -> R in
                        old = value.height
                        defer { new = value.height }
                        return try body(&value)
                    }
                    if r != nil { JSONObject.updateHeight(&h, old: old, new: new) { members.maxHeight } }
                    return r
                } catch {
                    failure = error
                    return nil
                }
            }
            storedHeight = UInt32(h)
            if let failure { throw failure }
            return result
        }
        guard let index = position(of: key) else { return nil }
        let old = values[index].height
        defer {
            var h = height
            JSONObject.updateHeight(&h, old: old, new: values[index].height) { smallMaxHeight }
            storedHeight = UInt32(h)
        }
        return try body(&values[index])
    }

    /// Calls `body` with each member in insertion order, without copying the members out.
    @inline(__always)
    public func forEachMember(_ body: (String, JSONValue) throws -> Void) rethrows {
        switch names {
        case .small(let keys):
            try JSONObject.forEach(keys, values, body)
        case .indexed(let box):
            try JSONObject.forEach(box.set.elements, values, body)
        case .large(let box):
            try box.members.forEach(body)
        }
    }

    /// Calls `body` with the names and the values of a small or indexed object, side by side in memory,
    /// or returns false (without calling it) for a large one: for readers that walk every member and
    /// should not copy each name and value out of its array.
    @inline(__always)
    func withMemberBuffers(_ body: (UnsafeBufferPointer<String>, UnsafeBufferPointer<JSONValue>) throws -> Void) rethrows -> Bool {
        switch names {
        case .small(let keys):
            try keys.withUnsafeBufferPointer { keys in try values.withUnsafeBufferPointer { try body(keys, $0) } }
        case .indexed(let box):
            try box.set.elements.withUnsafeBufferPointer { keys in try values.withUnsafeBufferPointer { try body(keys, $0) } }
        case .large:
            return false
        }
        return true
    }

    @inline(__always)
    private static func forEach(_ keys: [String], _ values: [JSONValue], _ body: (String, JSONValue) throws -> Void) rethrows {
        try keys.withUnsafeBufferPointer { keys in
            try values.withUnsafeBufferPointer { values in
                for i in 0..<keys.count { try body(keys[i], values[i]) }
            }
        }
    }

    /// Members in insertion order.
    public var entries: Entries {
        switch names {
        case .small(let keys):
            return Entries(names: keys, values: values)
        case .indexed(let box):
            return Entries(names: box.set.elements, values: values)
        case .large(let box):
            var names: [String] = []
            var values: [JSONValue] = []
            names.reserveCapacity(box.members.count)
            values.reserveCapacity(box.members.count)
            box.members.forEach { names.append($0); values.append($1) }
            return Entries(names: names, values: values)
        }
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

    private var smallMaxHeight: Int { JSONValue.deepest(values) }

    /// Keeps `height` right after a member's height went from `old` to `new`; `deepest` recomputes the
    /// tallest member when the tallest one shrank.
    private static func updateHeight(_ height: inout Int, old: Int, new: Int, deepest: () -> Int) {
        if new + 1 > height { height = new + 1 } else if new < old && old + 1 == height { height = 1 + deepest() }
    }
}

/// The value of an environment variable, read without Foundation.
func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
