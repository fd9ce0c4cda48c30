/// An object's member names in order, shared by the objects the parser builds with them (`ShapeCache`),
/// with what predicting them takes (`NamePrediction`): for each leading name that is inline ASCII and
/// written plainly in JSON, its bytes as two masked words and its `String` bits.
final class ObjectShape {
    let names: [String]
    let expected: UnsafeMutablePointer<ExpectedName>
    /// How many leading names are in `expected`.
    let predictable: Int32

    struct ExpectedName {
        var low: UInt64
        var high: UInt64
        var lowMask: UInt64
        var highMask: UInt64
        /// The second word of the inline `String` (`low` is its first).
        var stringHigh: UInt64
        var count: Int
    }

    init(_ names: [String], smallStrings: Bool) {
        self.names = names
        expected = HeapMemory.allocate(ExpectedName.self, capacity: names.count)
        var n = 0
        if smallStrings {
            for name in names {
                guard let (low, high, count) = SmallASCII.inlineASCII(name),
                      ObjectShape.isPlain(low, count: min(count, 8)), ObjectShape.isPlain(high, count: count - min(count, 8)) else { break }
                let lowBytes = min(count, 8)
                let lowMask: UInt64 = lowBytes == 8 ? ~0 : (UInt64(1) << UInt64(lowBytes * 8)) &- 1
                let highMask: UInt64 = (UInt64(1) << UInt64((count - lowBytes) * 8)) &- 1
                (expected + n).initialize(to: ExpectedName(low: low, high: high, lowMask: lowMask, highMask: highMask,
                                                           stringHigh: unsafeBitCast(name, to: (UInt64, UInt64).self).1, count: count))
                n += 1
            }
        }
        predictable = Int32(n)
    }

    deinit { HeapMemory.free(expected) }

    /// Whether the first `count` bytes of `word` need no escape in JSON (no `"`, `\` or control byte):
    /// their bytes in the text are then the name's own.
    private static func isPlain(_ word: UInt64, count: Int) -> Bool {
        for i in 0..<count {
            let b = UInt8(truncatingIfNeeded: word >> UInt64(8 * i))
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
        }
        return true
    }
}

/// The shape the parser expects an object to have: that of the last object it finished in the same
/// place, at the same nesting level inside a member of the same name.
///
/// Lists of records repeat their names in order (every item of `items`, every message of `messages`). A
/// name that is where the prediction says is taken by comparing two words of the text with the expected
/// name's, with no string built and none compared afterwards; an object whose every name was predicted
/// takes the shape's names outright, with no duplicate check (they were distinct when the shape was
/// made). A name that differs ends the prediction for the rest of that object, which the parser then
/// reads as usual. Comparing bytes decides exactly what parsing would: only names written plainly are
/// predicted, so their bytes in the text are their own.
///
/// 64 slots, direct-mapped by level and parent name; each keeps the last shape that fell into it. Its
/// owner calls `free()` once.
struct NamePrediction {
    private var slots: UnsafeMutablePointer<ObjectShape?>?
    private static let slotCount = 64

    /// The slot for an object at nesting `level` whose nearest enclosing member is named `parent`.
    @inline(__always)
    static func slot(level: Int, parent: String?, smallStrings: Bool) -> Int32 {
        var h = UInt64(truncatingIfNeeded: level) &* 0x100_0000_01B3
        if let parent {
            if smallStrings && SmallASCII.isInline(parent) {
                let (low, high) = unsafeBitCast(parent, to: (UInt64, UInt64).self)
                h ^= low ^ (high &* 31)
            } else {
                h ^= UInt64(truncatingIfNeeded: parent.utf8.count) << 20
            }
        }
        return Int32(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// The shape expected in `slot`, if any.
    @inline(__always)
    func shape(_ slot: Int32) -> ObjectShape? {
        guard let slots else { return nil }
        return slots[Int(slot)]
    }

    /// Whether the string at `position` (its opening quote) is exactly the expected name `name`; when it
    /// is, `position` moves past the closing quote and the name's two `String` words are pushed on
    /// `names`. False when it is not, or when 16 bytes from the name's first are not all in the input
    /// (the parser then reads the name as usual).
    @inline(__always)
    static func take(_ name: UnsafeMutablePointer<ObjectShape.ExpectedName>, from input: UnsafeBufferPointer<UInt8>,
                     at position: inout Int, into names: inout MoveStack<String>) -> Bool {
        let start = position + 1
        guard start + 16 <= input.count, let base = input.baseAddress else { return false }
        let raw = UnsafeRawPointer(base + start)
        let e = name.pointee
        guard raw.loadUnaligned(as: UInt64.self) & e.lowMask == e.low,
              raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & e.highMask == e.high,
              base[start + e.count] == UInt8(ascii: "\"") else { return false }
        position = start + e.count + 1
        names.push(inlineStringWords: e.low, e.stringHigh)
        return true
    }

    /// Makes `shape` the one expected in `slot`.
    @inline(__always)
    mutating func remember(_ shape: ObjectShape, in slot: Int32) {
        if slots == nil {
            let storage = HeapMemory.allocate(ObjectShape?.self, capacity: NamePrediction.slotCount)
            storage.initialize(repeating: nil, count: NamePrediction.slotCount)
            slots = storage
        }
        if slots![Int(slot)] !== shape { slots![Int(slot)] = shape }
    }

    func free() {
        guard let slots else { return }
        slots.deinitialize(count: NamePrediction.slotCount)
        HeapMemory.free(slots)
    }
}
