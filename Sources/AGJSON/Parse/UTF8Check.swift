/// The byte-level checks that the parser and the event scanner (AGEvents) share, so that both accept
/// exactly the same text.
package enum UTF8Check {
    package enum Sequence {
        case valid(length: Int)
        case invalidLead
        case truncated
        case invalid
    }

    /// Checks the multi-byte UTF-8 sequence starting at `position` (Unicode Table 3-7: no overlong forms,
    /// no surrogates, nothing above U+10FFFF).
    @inline(__always)
    package static func sequence(_ input: UnsafeBufferPointer<UInt8>, at position: Int) -> Sequence {
        let lead = input[position]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return .invalidLead
        }
        guard input.count - position >= length else { return .truncated }
        let second = input[position + 1]
        guard second >= low && second <= high else { return .invalid }
        var k = 2
        while k < length {
            if input[position + k] & 0xC0 != 0x80 { return .invalid }
            k += 1
        }
        return .valid(length: length)
    }

    /// The value of the four hex digits at `position`, or nil.
    @inline(__always)
    package static func hex4(_ input: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32? {
        guard input.count - position >= 4 else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = input[position + k]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            default: return nil
            }
            v = v << 4 | digit
        }
        return v
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The bytes of an 8-byte word (read little-endian) that a string scan must look at: a quote, a
    /// backslash, a control character or a byte of a multi-byte sequence, each flagged by its high bit.
    /// The lowest flagged byte is exact (higher ones may be false alarms).
    @inline(__always)
    package static func stringSpecials(_ v: UInt64) -> UInt64 {
        let quote = v ^ (ones &* 0x22), slash = v ^ (ones &* 0x5C)
        return ((v &- ones &* 0x20) | (quote &- ones) & ~quote | (slash &- ones) & ~slash | v) & highs
    }

    /// The position of the first byte from `position` on that a string scan must look at (see
    /// `stringSpecials`), or `input.count`: plain ASCII is passed over 8 bytes at a time.
    @inline(__always)
    package static func plainRun(_ input: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        var p = position
        if let base = input.baseAddress {
            let raw = UnsafeRawPointer(base)
            while input.count - p >= 8 {
                let flags = stringSpecials(raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                if flags != 0 { return p + flags.trailingZeroBitCount >> 3 }
                p += 8
            }
            // Fewer than 8 bytes left: the input's last word, shifted so that its first byte is the one at
            // `p`, and only the bytes left looked at (a string that ends a line ends here).
            let left = input.count - p
            if left > 0 && input.count >= 8 {
                let word = raw.loadUnaligned(fromByteOffset: input.count - 8, as: UInt64.self) >> UInt64(8 * (8 - left))
                let flags = stringSpecials(word) & ((UInt64(1) << UInt64(8 * left)) &- 1)
                return flags != 0 ? p + flags.trailingZeroBitCount >> 3 : input.count
            }
        }
        while p < input.count {
            let b = input[p]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return p }
            p += 1
        }
        return p
    }
}
