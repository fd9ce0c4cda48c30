import HashTreeCollections

/// The members of a large object, kept so that a change costs O(log n) and leaves every earlier copy
/// intact (DESIGN.md §4): an index from name to slot, and the members in insertion order in a persistent
/// vector of slots. The index is the flat table the parser builds (`FlatMemberIndex`) until a member is
/// added or removed, then a hash-array-mapped trie; changing a member's value changes only the vector.
/// Removing a member empties its slot; when half the slots are empty they are compacted (the order kept).
struct LargeMembers: Sendable {
    struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    /// The trie; empty while `flat` serves as the index.
    private(set) var index: TreeDictionary<String, Int>
    private(set) var slots: PersistentVector<Member?>
    /// The parser's flat index, until the first change to the names.
    private(set) var flat: FlatMemberIndex?

    /// Members from distinct `keys` (a repeated key would be found at its first slot only).
    init(keys: [String], values: [JSONValue]) {
        slots = PersistentVector(count: keys.count) { Member(key: keys[$0], value: values[$0]) }
        if let built = FlatMemberIndex.build(keys).index {
            flat = built
            index = [:]
        } else {
            flat = nil
            index = TreeDictionary(keys.indices.map { (keys[$0], $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The members of parsed `keys` and `values`, or (nil) the index of the first key that repeats an
    /// earlier one: the flat index finds it while it is built, so the parser needs no set of its own.
    static func checking(keys: [String], values: [JSONValue]) -> (members: LargeMembers?, duplicate: Int) {
        let (flat, duplicate) = FlatMemberIndex.build(keys)
        guard let flat else { return (nil, duplicate) }
        return (LargeMembers(flat: flat, slots: PersistentVector(count: keys.count) { Member(key: keys[$0], value: values[$0]) }), -1)
    }

    private init(flat: FlatMemberIndex, slots: PersistentVector<Member?>) {
        self.index = [:]
        self.flat = flat
        self.slots = slots
    }

    var count: Int { flat?.count ?? index.count }

    /// The slot holding `key`, if any.
    @inline(__always)
    func slot(of key: String) -> Int? { LargeMembers.slot(of: key, flat, index) }

    /// The same, from the stored properties it needs (not from a copy of the whole value, whose reference
    /// to the vector's nodes, held while a mutating caller then changed them, made every change copy its
    /// path).
    @inline(__always)
    private static func slot(of key: String, _ flat: FlatMemberIndex?, _ index: borrowing TreeDictionary<String, Int>) -> Int? {
        if let flat { return flat.slot(of: key) }
        return index[key]
    }

    /// Runs `body` on the trie, made from the flat index before the first change to the names (the
    /// flat index stays exact only while the names are those it was built from).
    private mutating func withTree<R>(_ body: (inout TreeDictionary<String, Int>) -> R) -> R {
        if let built = flat {
            var tree = TreeDictionary<String, Int>()
            for (slot, key) in built.keys.enumerated() { tree[key] = slot }
            index = tree
            flat = nil
        }
        return body(&index)
    }

    func contains(_ key: String) -> Bool { slot(of: key) != nil }

    subscript(key: String) -> JSONValue? {
        guard let slot = slot(of: key) else { return nil }
        return slots[slot]!.value
    }

    /// Sets `key` to `value`: in its slot when present, appended otherwise. Returns the old value.
    @discardableResult
    mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let slot = LargeMembers.slot(of: key, flat, index) {
            return slots.modify(slot) { member -> JSONValue in
                let old = member!.value
                member!.value = value
                return old
            }
        }
        let slot = slots.count
        withTree { $0[key] = slot }
        slots.append(Member(key: key, value: value))
        return nil
    }

    mutating func removeValue(forKey key: String) -> JSONValue? {
        guard LargeMembers.slot(of: key, flat, index) != nil, let slot = withTree({ $0.removeValue(forKey: key) }) else { return nil }
        let removed = slots.modify(slot) { member -> JSONValue in
            let old = member!.value
            member = nil
            return old
        }
        if slots.count >= 64 && count * 2 < slots.count { compact() }
        return removed
    }

    /// The name of the next member after `key` (the next slot in use); nil when `key` is the last or absent.
    func name(after key: String) -> String? {
        guard let slot = slot(of: key) else { return nil }
        var next = slot + 1
        while next < slots.count {
            if let member = slots[next] { return member.key }
            next += 1
        }
        return nil
    }

    /// Adds `key` (absent) just before the member `before`: in the empty slot in front of it when there is
    /// one (where a removed member was, unless the slots were compacted since), else by rebuilding the
    /// members in order. At the end when `before` is absent; an existing `key` is replaced in place.
    mutating func insert(_ key: String, _ value: JSONValue, before: String) {
        guard LargeMembers.slot(of: key, flat, index) == nil, let next = LargeMembers.slot(of: before, flat, index) else {
            updateValue(value, forKey: key)
            return
        }
        if next > 0 && slots[next - 1] == nil {
            slots.modify(next - 1) { $0 = Member(key: key, value: value) }
            withTree { $0[key] = next - 1 }
            return
        }
        var keys: [String] = []
        var values: [JSONValue] = []
        keys.reserveCapacity(count + 1)
        values.reserveCapacity(count + 1)
        forEach { name, member in
            if name == before {
                keys.append(key)
                values.append(value)
            }
            keys.append(name)
            values.append(member)
        }
        self = LargeMembers(keys: keys, values: values)
    }

    /// Changes the value of `key` in place; nil when the key is absent.
    mutating func modify<R, E: Error>(_ key: String, _ body: (inout JSONValue) throws(E) -> R) throws(E) -> R? {
        guard let slot = LargeMembers.slot(of: key, flat, index) else { return nil }
        return try slots.modify(slot) { (member: inout Member?) throws(E) -> R in try body(&member!.value) }
    }

    /// Calls `body` with each member in insertion order.
    func forEach(_ body: (String, JSONValue) throws -> Void) rethrows {
        try slots.forEachLeaf { leaf in
            for i in 0..<leaf.count where leaf[i] != nil {
                try body(leaf[i].unsafelyUnwrapped.key, leaf[i].unsafelyUnwrapped.value)
            }
        }
    }

    var entries: [(key: String, value: JSONValue)] {
        var list: [(key: String, value: JSONValue)] = []
        list.reserveCapacity(count)
        forEach { list.append(($0, $1)) }
        return list
    }

    private mutating func compact() {
        let live = entries
        self = LargeMembers(keys: live.map(\.key), values: live.map(\.value))
    }

    func sharesStorage(with other: LargeMembers) -> Bool { slots.sharesRoot(with: other.slots) }
}
