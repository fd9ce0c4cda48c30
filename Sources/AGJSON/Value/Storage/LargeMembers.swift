/// The members of a large object, kept so that a change costs O(log n) and leaves every earlier copy
/// intact (DESIGN.md §4): a hash-array-mapped trie from name to slot (`NameIndex`), and the members in insertion order
/// in a persistent vector of slots. Removing a member empties its slot; when half the slots are empty
/// they are compacted (the order kept). How many members have each height is counted, so that the object's
/// height stays right in O(1) when its tallest member goes (finding the new tallest by a walk over every member
/// made removing all the members of a wide object, one at a time, quadratic).
struct LargeMembers: Sendable {
    struct Member: Sendable {
        var key: String
        var value: JSONValue
    }

    private(set) var index: NameIndex
    private(set) var slots: PersistentVector<Member?>
    private var heights: HeightCounts

    init(keys: [String], values: [JSONValue]) {
        guard let index = NameIndex.build(keys).index else { preconditionFailure("LargeMembers(keys:values:) takes distinct keys") }
        self.init(index: index, slots: PersistentVector(count: keys.count) { Member(key: keys[$0], value: values[$0]) }, values: values)
    }

    /// The members of parsed `keys` and `values`, or (nil) the index of the first key that repeats an
    /// earlier one: the trie finds it while it is built, so the parser needs no set of its own.
    static func checking(keys: [String], values: [JSONValue]) -> (members: LargeMembers?, duplicate: Int) {
        let (built, duplicate) = NameIndex.build(keys)
        guard let index = built else { return (nil, duplicate) }
        return (LargeMembers(index: index, slots: PersistentVector(count: keys.count) { Member(key: keys[$0], value: values[$0]) }, values: values), -1)
    }

    private init(index: NameIndex, slots: PersistentVector<Member?>, values: [JSONValue]) {
        self.index = index
        self.slots = slots
        heights = HeightCounts()
        for value in values { heights.add(value.height) }
    }

    var count: Int { index.count }

    /// The height of the tallest member (0 when there is none).
    var maxHeight: Int { heights.max }

    func contains(_ key: String) -> Bool { index[key] != nil }

    subscript(key: String) -> JSONValue? {
        guard let slot = index[key] else { return nil }
        return slots[slot]!.value
    }

    /// Sets `key` to `value`: in its slot when present, appended otherwise. Returns the old value.
    @discardableResult
    mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let slot = index[key] {
            let old = slots.modify(slot) { member -> JSONValue in
                let old = member!.value
                member!.value = value
                return old
            }
            heights.replace(old.height, with: value.height)
            return old
        }
        heights.add(value.height)
        index.set(key, slot: slots.count)
        slots.append(Member(key: key, value: value))
        return nil
    }

    mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let slot = index.remove(key) else { return nil }
        let removed = slots.modify(slot) { member -> JSONValue in
            let old = member!.value
            member = nil
            return old
        }
        heights.remove(removed.height)
        if slots.count >= 64 && index.count * 2 < slots.count { compact() }
        return removed
    }

    /// The name of the next member after `key` (the next slot in use); nil when `key` is the last or absent.
    func name(after key: String) -> String? {
        guard let slot = index[key] else { return nil }
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
        guard index[key] == nil, let next = index[before] else {
            updateValue(value, forKey: key)
            return
        }
        if next > 0 && slots[next - 1] == nil {
            slots.modify(next - 1) { $0 = Member(key: key, value: value) }
            index.set(key, slot: next - 1)
            heights.add(value.height)
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
        guard let slot = index[key] else { return nil }
        var old = 0
        var new = 0
        defer { heights.replace(old, with: new) }
        return try slots.modify(slot) { (member: inout Member?) throws(E) -> R in
            old = member!.value.height
            defer { new = member!.value.height }
            return try body(&member!.value)
        }
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

/// How many members have each height: `counts[h]` members of height `h`, with no trailing zero, so the
/// tallest is the last. Its length is the object's height, bounded by the depth limit.
private struct HeightCounts: Sendable {
    private var counts: [Int] = []

    var max: Int { Swift.max(counts.count - 1, 0) }

    mutating func add(_ height: Int) {
        if height >= counts.count { counts.append(contentsOf: repeatElement(0, count: height - counts.count + 1)) }
        counts[height] += 1
    }

    /// A member's height went from `old` to `new` (the common case, the same height, writes nothing: the
    /// counts may be shared with an earlier copy of the object).
    @inline(__always)
    mutating func replace(_ old: Int, with new: Int) {
        guard old != new else { return }
        add(new)
        remove(old)
    }

    mutating func remove(_ height: Int) {
        counts[height] -= 1
        while let last = counts.last, last == 0 { counts.removeLast() }
    }
}
