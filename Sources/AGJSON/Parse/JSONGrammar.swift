/// The grammar of JSON strings, escapes, surrogate pairs and numbers (RFC 8259), read from raw bytes: one
/// set of primitives for every reader of JSON text (the parser, the event scanner in AGEvents, the text
/// diff), so that all of them accept exactly the same text and say the same thing about what they refuse
/// (`JSONSyntaxError`). Like yyjson's `read_str` and `read_num`: each reads from a position it advances, and
/// is inlined into the loop that calls it.
package enum JSONGrammar {
    // MARK: strings

    /// Checks the string whose opening quote is at `p` and steps past its closing quote. Returns whether
    /// it holds escapes.
    @inline(__always)
    package static func scanString(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(JSONSyntaxError) -> Bool {
        let open = p
        p += 1
        return try scanStringRest(input, &p, open: open)
    }

    /// Checks a string from `p` (inside it, after its opening quote at `open`) through its closing quote,
    /// and steps past that. Returns whether the part read holds escapes.
    @inline(__always)
    package static func scanStringRest(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int, open: Int) throws(JSONSyntaxError) -> Bool {
        var escaped = false
        while true {
            p = UTF8Check.plainRun(input, from: p)
            guard p < input.count else { break }
            let b = input[p]
            if b == 0x22 {
                p += 1
                return escaped
            }
            if b == 0x5C {
                escaped = true
                _ = try escape(input, &p)
            } else if b < 0x20 {
                throw JSONSyntaxError(.controlCharacter, at: p, Int(b))
            } else if b >= 0x80 {
                p += try utf8Sequence(input, at: p)
            } else {
                p += 1
            }
        }
        throw JSONSyntaxError(.unterminatedString, at: open)
    }

    /// Reads the escape whose backslash is at `p`, steps past it and returns the code point it stands for
    /// (a surrogate pair is one escape here: `\uD83D\uDE00` is U+1F600).
    @inline(__always)
    package static func escape(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(JSONSyntaxError) -> UInt32 {
        let start = p
        guard input.count - p >= 2 else { throw JSONSyntaxError(.unterminatedEscape, at: start) }
        let e = input[p + 1]
        p += 2
        switch e {
        case 0x22, 0x5C, 0x2F: return UInt32(e)           // " \ /
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"): return try unicodeEscape(input, &p, start: start)
        default: throw JSONSyntaxError(.invalidEscape, at: start, Int(e))
        }
    }

    /// The rest of a `\u` escape (from its four hex digits on), with the low half of a surrogate pair.
    private static func unicodeEscape(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int, start: Int) throws(JSONSyntaxError) -> UInt32 {
        let scalar = try hex4(input, &p, start: start)
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            // A high surrogate must be followed by an escaped low surrogate.
            guard input.count - p >= 6, input[p] == 0x5C, input[p + 1] == UInt8(ascii: "u") else {
                throw JSONSyntaxError(.loneHighSurrogate, at: start, Int(scalar))
            }
            p += 2
            let low = try hex4(input, &p, start: start)
            guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONSyntaxError(.highSurrogateWithoutLow, at: start) }
            return 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        if scalar >= 0xDC00 && scalar <= 0xDFFF { throw JSONSyntaxError(.loneLowSurrogate, at: start, Int(scalar)) }
        return scalar
    }

    @inline(__always)
    private static func hex4(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int, start: Int) throws(JSONSyntaxError) -> UInt32 {
        guard input.count - p >= 4 else { throw JSONSyntaxError(.truncatedUnicodeEscape, at: start) }
        guard let v = UTF8Check.hex4(input, at: p) else { throw JSONSyntaxError(.invalidHexDigit, at: start) }
        p += 4
        return v
    }

    /// The length of the valid multi-byte UTF-8 sequence at `p` (its first byte is 0x80 or more).
    @inline(__always)
    package static func utf8Sequence(_ input: UnsafeBufferPointer<UInt8>, at p: Int) throws(JSONSyntaxError) -> Int {
        switch UTF8Check.sequence(input, at: p) {
        case .valid(let length): return length
        case .invalidLead: throw JSONSyntaxError(.invalidUTF8Lead, at: p, Int(input[p]))
        case .truncated: throw JSONSyntaxError(.truncatedUTF8, at: p)
        case .invalid: throw JSONSyntaxError(.invalidUTF8, at: p)
        }
    }

    /// The UTF-8 form of a code point: its bytes, first byte lowest, and how many there are.
    @inline(__always)
    package static func utf8(_ scalar: UInt32) -> (bytes: UInt32, count: Int) {
        switch scalar {
        case 0..<0x80: return (scalar, 1)
        case 0x80..<0x800: return ((0xC0 | scalar >> 6) | (0x80 | scalar & 0x3F) << 8, 2)
        case 0x800..<0x10000:
            return ((0xE0 | scalar >> 12) | (0x80 | scalar >> 6 & 0x3F) << 8 | (0x80 | scalar & 0x3F) << 16, 3)
        default:
            return ((0xF0 | scalar >> 18) | (0x80 | scalar >> 12 & 0x3F) << 8 | (0x80 | scalar >> 6 & 0x3F) << 16
                    | (0x80 | scalar & 0x3F) << 24, 4)
        }
    }

    // MARK: numbers

    /// What reading a number found out, for the readers that go on to convert or range-check it.
    package struct NumberShape {
        /// No fraction and no exponent.
        package var integral = true
        /// Where the integer part ends.
        package var integerEnd = 0
        /// Whether a digit of the integer part or the fraction is not 0 (a number that then becomes 0.0 as
        /// a double is an error).
        package var nonZeroDigit = false
        package var exponent = false
    }

    /// Reads the number at `p` (a '-' or a digit) by the grammar of RFC 8259 (no leading zeros, digits after
    /// '.' and in the exponent) and steps past it.
    @inline(__always)
    package static func scanNumber(_ input: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(JSONSyntaxError) -> NumberShape {
        let start = p
        var shape = NumberShape()
        if input[p] == UInt8(ascii: "-") { p += 1 }
        guard p < input.count, isDigit(input[p]) else { throw JSONSyntaxError(.invalidNumber, at: start) }
        if input[p] == UInt8(ascii: "0") {
            p += 1
            if p < input.count && isDigit(input[p]) { throw JSONSyntaxError(.leadingZero, at: start) }
        } else {
            shape.nonZeroDigit = true
            p += 1
            while p < input.count && isDigit(input[p]) { p += 1 }
        }
        shape.integerEnd = p
        if p < input.count && input[p] == UInt8(ascii: ".") {
            shape.integral = false
            p += 1
            guard p < input.count, isDigit(input[p]) else { throw JSONSyntaxError(.digitAfterPoint, at: start) }
            while p < input.count && isDigit(input[p]) {
                if input[p] != UInt8(ascii: "0") { shape.nonZeroDigit = true }
                p += 1
            }
        }
        if p < input.count && input[p] | 0x20 == UInt8(ascii: "e") {
            shape.integral = false
            shape.exponent = true
            p += 1
            if p < input.count && (input[p] == UInt8(ascii: "+") || input[p] == UInt8(ascii: "-")) { p += 1 }
            guard p < input.count, isDigit(input[p]) else { throw JSONSyntaxError(.digitInExponent, at: start) }
            while p < input.count && isDigit(input[p]) { p += 1 }
        }
        return shape
    }

    /// Checks that a double can hold the number read from `start` to `end` (its `shape` from `scanNumber`):
    /// for readers that do not convert it. Only a fraction with an exponent, or of 300 characters or more,
    /// can be out of range; an integer never is (the parser keeps a long one exactly).
    @inline(__always)
    package static func checkRange(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ shape: NumberShape) throws(JSONSyntaxError) {
        if !shape.integral && (shape.exponent || end - start >= 300) {
            _ = try double(input, start, end, nonZeroDigit: shape.nonZeroDigit)
        }
    }

    @inline(__always)
    package static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// The double that the number from `start` to `end` (not an integer) stands for, correctly rounded;
    /// an error when it would be infinite, or 0 while some digit is not.
    package static func double(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, nonZeroDigit: Bool) throws(JSONSyntaxError) -> Double {
        if let fast = fastDouble(input, start, end) { return fast }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
        guard let d = Double(text) else { throw JSONSyntaxError(.invalidNumber, at: start) }
        if d.isInfinite { throw JSONSyntaxError(.numberTooLarge, at: start, end) }
        if d == 0 && nonZeroDigit { throw JSONSyntaxError(.numberTooSmall, at: start, end) }
        return d
    }

    private static let powersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }

    /// Clinger's exact case: at most 15 significant digits and a power of ten of at most 22 make both
    /// operands exact doubles, so one multiplication or division rounds correctly. Nil outside that case.
    private static func fastDouble(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if input[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var seenPoint = false
        while i < end {
            let b = input[i]
            if b == UInt8(ascii: ".") { seenPoint = true; i += 1; continue }
            guard isDigit(b) else { break }
            if mantissa != 0 || b != UInt8(ascii: "0") { digits += 1 }
            if digits > 15 { return nil }
            mantissa = mantissa * 10 + UInt64(b - UInt8(ascii: "0"))
            if seenPoint { scale -= 1 }
            i += 1
        }
        if i < end { // exponent
            i += 1
            var expNegative = false
            if input[i] == UInt8(ascii: "+") { i += 1 } else if input[i] == UInt8(ascii: "-") { expNegative = true; i += 1 }
            var exponent = 0
            while i < end {
                exponent = exponent * 10 + Int(input[i] - UInt8(ascii: "0"))
                if exponent > 400 { return nil }
                i += 1
            }
            scale += expNegative ? -exponent : exponent
        }
        guard scale >= -22 && scale <= 22 else { return nil }
        var value = Double(mantissa)
        value = scale < 0 ? value / powersOfTen[-scale] : value * powersOfTen[scale]
        return negative ? -value : value
    }
}
