/// A large object's index from member name to slot as the parser builds it: an open-addressing table,
/// never changed once built, so that every copy of the object and every thread reading one share it.
///
/// Building the persistent hash trie (`TreeDictionary`) one insertion at a time cost about 1,400
/// instructions a member, 18% of parsing the suite's state with its 11,763-member object, and the trie
/// takes more memory. Most wide objects are read, or have members' values changed, far more often than
/// they gain or lose members; `LargeMembers` moves to the trie on the first change of its names.
///
/// Each entry is the high half of the name's hash (`String.hashValue`, seeded per process, as the trie
/// uses) and the slot plus one; 0 is empty. At most half the table is used.
final class FlatMemberIndex: @unchecked Sendable {
    /// The names, slot by slot: a lookup checks its candidate here, not in the object's vector of members
    /// (read inside a change to that vector, it made the optimizer keep a second reference to its nodes,
    /// and every change copied its path).
    let keys: [String]
    private let mask: Int
    private let table: UnsafeMutablePointer<UInt64>

    var count: Int { keys.count }

    private init(keys: [String], mask: Int, table: UnsafeMutablePointer<UInt64>) {
        self.keys = keys
        self.mask = mask
        self.table = table
    }

    deinit { HeapMemory.free(table) }

    /// The index of `keys` (slot i holds keys[i]), or (nil) the index of the first key that repeats an
    /// earlier one.
    static func build(_ keys: [String]) -> (index: FlatMemberIndex?, duplicate: Int) {
        var capacity = 16
        while capacity < 2 * keys.count { capacity <<= 1 }
        let table = HeapMemory.allocate(UInt64.self, capacity: capacity)
        table.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        return keys.withUnsafeBufferPointer { names -> (FlatMemberIndex?, Int) in
            for i in 0..<names.count {
                let hash = UInt64(bitPattern: Int64(names[i].hashValue))
                let tag = hash >> 32
                var p = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let entry = table[p]
                    if entry == 0 {
                        table[p] = tag << 32 | UInt64(i + 1)
                        break
                    }
                    if entry >> 32 == tag && names[Int(entry & 0xFFFF_FFFF) - 1] == names[i] {
                        HeapMemory.free(table)
                        return (nil, i)
                    }
                    p = (p + 1) & mask
                }
            }
            return (FlatMemberIndex(keys: keys, mask: mask, table: table), -1)
        }
    }

    /// The slot of `key`.
    func slot(of key: String) -> Int? {
        let hash = UInt64(bitPattern: Int64(key.hashValue))
        let tag = hash >> 32
        var p = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = table[p]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let slot = Int(entry & 0xFFFF_FFFF) - 1
                if keys[slot] == key { return slot }
            }
            p = (p + 1) & mask
        }
    }
}
