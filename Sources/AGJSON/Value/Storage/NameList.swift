/// The names of an indexed object, in order, with a hash table from name to position: 17 to 256 members in
/// a store, any number up to `maxCount` in a document read once (`ParseOptions.persistentContainers` off).
///
/// Names hash and compare by their bytes (`NameBytes`), as every form of `JSONObject` compares them
/// (swift-collections' `OrderedSet`, which this replaces, compares `String`s by canonical equivalence).
/// The table is open addressing with linear probing, at most half full, of 32-bit positions plus one (0 is
/// empty): 16 bits, enough for a store's indexed objects, wrapped past 65,535 names in a document read once
/// and lost members. An insertion or removal in the middle moves the names after it and rebuilds the
/// table, O(n), as `OrderedSet` did.
struct NameList: Sendable {
    private(set) var elements: [String]
    private var table: [UInt32]

    /// The most names a list holds: every position plus one fits the table's entries. `JSONObject` takes
    /// its large form beyond it.
    static let maxCount = Int(UInt32.max) - 1

    /// A list of `names`, which the caller knows to be distinct.
    init(uncheckedUniqueElements names: [String]) {
        precondition(names.count <= NameList.maxCount, "a NameList holds at most NameList.maxCount names")
        elements = names
        table = []
        rebuild()
    }

    var count: Int { elements.count }

    subscript(position: Int) -> String { elements[position] }

    /// The position of `name`, or nil.
    func firstIndex(of name: String) -> Int? {
        table.withUnsafeBufferPointer { table in
            elements.withUnsafeBufferPointer { elements in
                let mask = table.count &- 1
                var at = Int(truncatingIfNeeded: NameBytes.hash(name)) & mask
                while true {
                    let entry = Int(table[at])
                    if entry == 0 { return nil }
                    if NameBytes.equal(elements[entry &- 1], name) { return entry &- 1 }
                    at = (at &+ 1) & mask
                }
            }
        }
    }

    /// Appends `name`, which the caller knows to be absent (and the list not full: `JSONObject` moves to
    /// its large form first).
    mutating func append(_ name: String) {
        precondition(elements.count < NameList.maxCount, "a NameList holds at most NameList.maxCount names")
        elements.append(name)
        if elements.count * 2 > table.count { rebuild() } else { place(elements.count - 1) }
    }

    /// Inserts `name`, which the caller knows to be absent, at `position`.
    mutating func insert(_ name: String, at position: Int) {
        precondition(elements.count < NameList.maxCount, "a NameList holds at most NameList.maxCount names")
        elements.insert(name, at: position)
        rebuild()
    }

    @discardableResult
    mutating func remove(at position: Int) -> String {
        let name = elements.remove(at: position)
        rebuild()
        return name
    }

    /// The list of `names` with its table built in the one pass that looks for a repeated name, or (nil)
    /// the position of the first name that repeats an earlier one: the parser's check and build at once
    /// (checking first and building after took two passes over a table, a fifth of reading a wide object).
    static func checking(_ names: [String]) -> (list: NameList?, duplicate: Int) {
        precondition(names.count <= NameList.maxCount, "at most NameList.maxCount names")
        var size = 32
        while size < names.count * 2 { size *= 2 }
        var table = [UInt32](repeating: 0, count: size)
        let repeated: Int? = table.withUnsafeMutableBufferPointer { table in
            names.withUnsafeBufferPointer { names in
                let mask = size &- 1
                for i in 0..<names.count {
                    var at = Int(truncatingIfNeeded: NameBytes.hash(names[i])) & mask
                    while table[at] != 0 {
                        if NameBytes.equal(names[Int(table[at]) &- 1], names[i]) { return i }
                        at = (at &+ 1) & mask
                    }
                    table[at] = UInt32(truncatingIfNeeded: i &+ 1)
                }
                return nil
            }
        }
        if let repeated { return (nil, repeated) }
        return (NameList(elements: names, table: table), -1)
    }

    private init(elements: [String], table: [UInt32]) {
        self.elements = elements
        self.table = table
    }

    /// A table at most half full, with every name placed.
    private mutating func rebuild() {
        var size = 32
        while size < elements.count * 2 { size *= 2 }
        table = [UInt32](repeating: 0, count: size)
        for i in elements.indices { place(i) }
    }

    /// Puts the position of `elements[i]` into the first free place of its probe sequence.
    private mutating func place(_ i: Int) {
        let mask = table.count &- 1
        var at = Int(truncatingIfNeeded: NameBytes.hash(elements[i])) & mask
        while table[at] != 0 { at = (at &+ 1) & mask }
        table[at] = UInt32(truncatingIfNeeded: i &+ 1)
    }
}
