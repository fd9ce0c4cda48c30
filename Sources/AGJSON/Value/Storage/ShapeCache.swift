/// The shapes (`ObjectShape`) of objects the parser built recently, so that objects of the same shape
/// share one array of names instead of each allocating its own.
///
/// JSON documents repeat shapes: every item of a list, every message, every task has the same names in
/// the same order. An object's names are copy-on-write storage like any other, so sharing them is
/// invisible: a change to one object's names copies them first. Each object then costs one allocation
/// (its values) instead of two, and its names neither a copy nor a free (the suite's 2 MB state holds
/// three such objects per item).
///
/// Eight slots, chosen by the member count and the first name's bytes; a slot keeps the last shape that
/// fell into it. Only shapes of 1 to 15 names are kept (a larger small object builds a hash table of its
/// names, which sharing the array would not save). Its owner calls `free()` once.
struct ShapeCache {
    private var slots: UnsafeMutablePointer<ObjectShape?>?
    private static let slotCount = 8
    static let counts = 1...15

    /// The remembered shape whose names equal, in order, the `count` names at `names`; nil when none does.
    @inline(__always)
    mutating func match(_ names: UnsafeMutablePointer<String>, count: Int, smallStrings: Bool) -> ObjectShape? {
        guard let slots, let candidate = slots[ShapeCache.slot(names[0], count: count, smallStrings: smallStrings)],
              candidate.names.count == count else { return nil }
        return candidate.names.withUnsafeBufferPointer { known in
            for i in 0..<count where !NameBytes.equal(known[i], names[i]) {
                return nil
            }
            return candidate
        }
    }

    /// Keeps `names` (distinct, 1 to 15 of them) for the objects that follow, and returns their shape.
    @inline(__always)
    mutating func remember(_ names: [String], smallStrings: Bool) -> ObjectShape {
        if slots == nil {
            let storage = HeapMemory.allocate(ObjectShape?.self, capacity: ShapeCache.slotCount)
            storage.initialize(repeating: nil, count: ShapeCache.slotCount)
            slots = storage
        }
        let shape = ObjectShape(names, smallStrings: smallStrings)
        slots![ShapeCache.slot(names[0], count: names.count, smallStrings: smallStrings)] = shape
        return shape
    }

    @inline(__always)
    private static func slot(_ first: String, count: Int, smallStrings: Bool) -> Int {
        var h = UInt64(truncatingIfNeeded: count)
        // An inline name's first word is its first eight bytes (SmallASCII); any other name adds its length.
        h ^= smallStrings ? unsafeBitCast(first, to: (UInt64, UInt64).self).0 : UInt64(truncatingIfNeeded: first.utf8.count) << 8
        return Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 61)
    }

    func free() {
        guard let slots else { return }
        slots.deinitialize(count: ShapeCache.slotCount)
        HeapMemory.free(slots)
    }
}
