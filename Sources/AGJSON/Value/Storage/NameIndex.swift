/// A large object's index from member name to slot: a persistent hash-array-mapped trie of its own.
///
/// Why not swift-collections' `TreeDictionary` (which this replaces): it is built one insertion at a
/// time, about 1,300 instructions a name with its generic metadata lookups, so that building the index of
/// a parsed 10,000-member object was a sixth of the parse (a quarter of that in SipHash). This one is built in one pass from all the
/// names (`build`): each level distributes the names into 32 buckets by five bits of their hash, the
/// way a radix sort does, and makes each node once, at its final size.
///
/// Shape: a node holds, by five bits of the hash at its level, either an entry (hash, name, slot) or a
/// child node, each kind in an array ordered by position (a bitmap and a population count find one).
/// Below the 64 bits of the hash (depth 13) a node is a plain list of names whose hashes are all equal.
/// Names hash and compare by their bytes (`NameBytes`), as every form of `JSONObject` compares them.
///
/// Persistence: a change copies the nodes on its path that another copy of the index still holds (at
/// most 13), and changes unshared nodes in place; every earlier copy keeps its contents.
package struct NameIndex: Sendable {
    private var root: Node
    package private(set) var count: Int

    struct Entry {
        var hash: UInt64
        var name: String
        var slot: Int
    }

    final class Node: @unchecked Sendable {
        var entryMap: UInt32 = 0
        var childMap: UInt32 = 0
        var entries: [Entry]
        var children: [Node]

        init(entries: [Entry] = [], children: [Node] = [], entryMap: UInt32 = 0, childMap: UInt32 = 0) {
            self.entries = entries
            self.children = children
            self.entryMap = entryMap
            self.childMap = childMap
        }

        func copy() -> Node { Node(entries: entries, children: children, entryMap: entryMap, childMap: childMap) }
    }

    /// The deepest shift that still selects hash bits; below it nodes are lists of equal hashes.
    private static let lastShift: UInt64 = 60

    package init() {
        root = Node()
        count = 0
    }

    private init(root: Node, count: Int) {
        self.root = root
        self.count = count
    }

    @inline(__always)
    package static func hash(_ name: String) -> UInt64 { NameBytes.hash(name) }

    @inline(__always)
    private static func same(_ a: String, _ b: String) -> Bool { NameBytes.equal(a, b) }

    @inline(__always)
    private static func position(_ map: UInt32, _ bit: UInt32) -> Int { (map & (bit &- 1)).nonzeroBitCount }

    @inline(__always)
    private static func bit(_ hash: UInt64, _ shift: UInt64) -> UInt32 { 1 &<< UInt32(truncatingIfNeeded: (hash &>> shift) & 31) }

    // MARK: Reading

    /// The slot of `name`, or nil. Not inlined: inlined into a change of a large object, the optimizer
    /// kept extra references to the nodes on the change's path, and every change then copied a member
    /// (a 100-operation patch went from 12,900 to 14,400 instructions an operation).
    @inline(never)
    package subscript(name: String) -> Int? { slot(name, hash: NameIndex.hash(name)) }

    /// The slot of `name`, whose hash is `hash`, or nil. (Every method has a form taking the hash, so
    /// that tests can give names colliding hashes and reach every level of the trie.)
    @inline(__always)
    package func slot(_ name: String, hash: UInt64) -> Int? {
        unowned(unsafe) var node = root
        var shift: UInt64 = 0
        while shift <= NameIndex.lastShift {
            let bit = NameIndex.bit(hash, shift)
            if node.entryMap & bit != 0 {
                return node.entries.withUnsafeBufferPointer { entries in
                    let entry = entries.baseAddress! + NameIndex.position(node.entryMap, bit)
                    return entry.pointee.hash == hash && NameIndex.same(entry.pointee.name, name) ? entry.pointee.slot : nil
                }
            }
            guard node.childMap & bit != 0 else { return nil }
            node = node.children[NameIndex.position(node.childMap, bit)]
            shift += 5
        }
        for entry in node.entries where entry.hash == hash && NameIndex.same(entry.name, name) { return entry.slot }
        return nil
    }

    // MARK: Changing

    /// Sets the slot of `name`, adding it when absent.
    package mutating func set(_ name: String, slot: Int) { set(name, hash: NameIndex.hash(name), slot: slot) }

    package mutating func set(_ name: String, hash: UInt64, slot: Int) {
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        if NameIndex.insert(Entry(hash: hash, name: name, slot: slot), into: root, shift: 0) { count += 1 }
    }

    /// Removes `name` and returns its slot; nil (and no change) when absent.
    package mutating func remove(_ name: String) -> Int? { remove(name, hash: NameIndex.hash(name)) }

    package mutating func remove(_ name: String, hash: UInt64) -> Int? {
        guard slot(name, hash: hash) != nil else { return nil }
        if !isKnownUniquelyReferenced(&root) { root = root.copy() }
        let slot = NameIndex.remove(name, hash: hash, from: root, shift: 0)
        if slot != nil { count -= 1 }
        return slot
    }

    /// Adds or replaces `entry` under `node`, which no other copy holds; true when it was added.
    private static func insert(_ entry: Entry, into node: Node, shift: UInt64) -> Bool {
        if shift > lastShift {
            if let i = node.entries.firstIndex(where: { $0.hash == entry.hash && same($0.name, entry.name) }) {
                node.entries[i].slot = entry.slot
                return false
            }
            node.entries.append(entry)
            return true
        }
        let bit = bit(entry.hash, shift)
        if node.entryMap & bit != 0 {
            let i = position(node.entryMap, bit)
            if node.entries[i].hash == entry.hash && same(node.entries[i].name, entry.name) {
                node.entries[i].slot = entry.slot
                return false
            }
            // Two names at one position: both move into a new child.
            let existing = node.entries.remove(at: i)
            node.entryMap &= ~bit
            node.children.insert(pair(existing, entry, shift: shift + 5), at: position(node.childMap, bit))
            node.childMap |= bit
            return true
        }
        if node.childMap & bit != 0 {
            let j = position(node.childMap, bit)
            if !isKnownUniquelyReferenced(&node.children[j]) { node.children[j] = node.children[j].copy() }
            return insert(entry, into: node.children[j], shift: shift + 5)
        }
        node.entries.insert(entry, at: position(node.entryMap, bit))
        node.entryMap |= bit
        return true
    }

    /// The node holding two entries from `shift` down.
    private static func pair(_ a: Entry, _ b: Entry, shift: UInt64) -> Node {
        if shift > lastShift { return Node(entries: [a, b]) }
        let bitA = bit(a.hash, shift), bitB = bit(b.hash, shift)
        if bitA == bitB { return Node(children: [pair(a, b, shift: shift + 5)], childMap: bitA) }
        return Node(entries: bitA < bitB ? [a, b] : [b, a], entryMap: bitA | bitB)
    }

    /// Removes `name` from under `node`, which no other copy holds. A child left empty goes; a child left
    /// with one entry and no children gives the entry back to its parent, so nodes stay few.
    private static func remove(_ name: String, hash: UInt64, from node: Node, shift: UInt64) -> Int? {
        if shift > lastShift {
            guard let i = node.entries.firstIndex(where: { $0.hash == hash && same($0.name, name) }) else { return nil }
            return node.entries.remove(at: i).slot
        }
        let bit = bit(hash, shift)
        if node.entryMap & bit != 0 {
            let i = position(node.entryMap, bit)
            guard node.entries[i].hash == hash && same(node.entries[i].name, name) else { return nil }
            node.entryMap &= ~bit
            return node.entries.remove(at: i).slot
        }
        guard node.childMap & bit != 0 else { return nil }
        let j = position(node.childMap, bit)
        if !isKnownUniquelyReferenced(&node.children[j]) { node.children[j] = node.children[j].copy() }
        let child = node.children[j]
        guard let slot = remove(name, hash: hash, from: child, shift: shift + 5) else { return nil }
        if child.children.isEmpty && child.entries.count <= 1 {
            node.children.remove(at: j)
            node.childMap &= ~bit
            if let last = child.entries.first {
                node.entries.insert(last, at: position(node.entryMap, bit))
                node.entryMap |= bit
            }
        }
        return slot
    }

    // MARK: Building

    /// The index of `names` (slot i for name i), or (nil) the position of the first name equal to an
    /// earlier one.
    package static func build(_ names: [String]) -> (index: NameIndex?, duplicate: Int) {
        var hashes = [UInt64](repeating: 0, count: names.count)
        for i in 0..<names.count { hashes[i] = hash(names[i]) }
        return build(names, hashes: hashes)
    }

    package static func build(_ names: [String], hashes: [UInt64]) -> (index: NameIndex?, duplicate: Int) {
        let n = names.count
        precondition(hashes.count == n, "one hash for each name")
        guard n > 0 else { return (NameIndex(), -1) }
        // The one-pass build numbers names in 32 bits; past that, one insertion at a time.
        guard n <= Int(Int32.max) else { return buildByInsertion(names, hashes: hashes) }
        var order = [Int32](repeating: 0, count: n)
        for i in 0..<n { order[i] = Int32(truncatingIfNeeded: i) }
        var scratch = [Int32](repeating: 0, count: n)
        var duplicate = Int.max
        let root = names.withUnsafeBufferPointer { names in
            hashes.withUnsafeBufferPointer { hashes in
                order.withUnsafeMutableBufferPointer { order in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        buildNode(order.baseAddress!, scratch.baseAddress!, count: n, shift: 0,
                                  names: names, hashes: hashes, duplicate: &duplicate)
                    }
                }
            }
        }
        guard duplicate == Int.max else { return (nil, duplicate) }
        return (NameIndex(root: root, count: n), -1)
    }

    /// The index built one name at a time, for more names than the one-pass build numbers.
    private static func buildByInsertion(_ names: [String], hashes: [UInt64]) -> (index: NameIndex?, duplicate: Int) {
        var index = NameIndex()
        for i in 0..<names.count {
            if index.slot(names[i], hash: hashes[i]) != nil { return (nil, i) }
            index.set(names[i], hash: hashes[i], slot: i)
        }
        return (index, -1)
    }

    /// The node for the `count` names (by number) at `items`, all alike above `shift`; `spare` is room
    /// for as many. Names are distributed into 32 buckets by the hash bits at `shift` (a counting sort
    /// into `spare`); a bucket of one is an entry, a larger one a child, built from `spare` with
    /// `items` as its room. Equal names meet in the lists below the last level, where the earliest
    /// repeat is noted in `duplicate`.
    private static func buildNode(_ items: UnsafeMutablePointer<Int32>, _ spare: UnsafeMutablePointer<Int32>, count: Int,
                                  shift: UInt64, names: UnsafeBufferPointer<String>, hashes: UnsafeBufferPointer<UInt64>,
                                  duplicate: inout Int) -> Node {
        if shift > lastShift {
            var entries: [Entry] = []
            entries.reserveCapacity(count)
            for k in 0..<count {
                let i = Int(items[k])
                for earlier in entries where same(earlier.name, names[i]) {
                    duplicate = min(duplicate, max(i, earlier.slot))
                }
                entries.append(Entry(hash: hashes[i], name: names[i], slot: i))
            }
            return Node(entries: entries)
        }
        var counts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                     UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &counts) { raw in
            let starts = raw.bindMemory(to: Int32.self)  // 32 counters, then start positions
            for k in 0..<count { starts[Int((hashes[Int(items[k])] &>> shift) & 31)] += 1 }
            var entryMap: UInt32 = 0, childMap: UInt32 = 0
            var start: Int32 = 0
            for b in 0..<32 {
                let c = starts[b]
                if c == 1 { entryMap |= 1 << UInt32(b) } else if c > 1 { childMap |= 1 << UInt32(b) }
                starts[b] = start
                start += c
            }
            for k in 0..<count {
                let b = Int((hashes[Int(items[k])] &>> shift) & 31)
                spare[Int(starts[b])] = items[k]
                starts[b] += 1
            }
            var entries: [Entry] = []
            entries.reserveCapacity(entryMap.nonzeroBitCount)
            var children: [Node] = []
            children.reserveCapacity(childMap.nonzeroBitCount)
            var from = 0
            for b in 0..<32 {
                let end = Int(starts[b])
                if end - from == 1 {
                    let i = Int(spare[from])
                    entries.append(Entry(hash: hashes[i], name: names[i], slot: i))
                } else if end - from > 1 {
                    children.append(buildNode(spare + from, items + from, count: end - from, shift: shift + 5,
                                              names: names, hashes: hashes, duplicate: &duplicate))
                }
                from = end
            }
            return Node(entries: entries, children: children, entryMap: entryMap, childMap: childMap)
        }
    }
}
