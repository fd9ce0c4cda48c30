/// The text of a double that is a short decimal fraction (a price, a score, 0.5), written the way Swift's
/// `description` writes it, without the shortest-digits search and the `String` that `description` makes:
/// those cost about 550 instructions a number, a twelfth of serializing a state that holds prices.
///
/// Why the result is `description`'s: for `m` a whole number below 10^15 and `k` at most 9, `m / 10^k`
/// computed in doubles is the double nearest the decimal `m`e-`k` (both are exact doubles and the division
/// is correctly rounded, in the default round-to-nearest mode, which the writer checks), so the decimal
/// reads back as `d` exactly when the division gives `d`. Trying
/// `k` = 0, 1, 2, ... finds the fewest fraction digits, hence the fewest significant digits, that read
/// back; below 10^15 two candidates `m` and `m + 1` are too far apart to both read back, so the one found
/// is the only one, as `description` would choose. In the range taken here, `description` writes the
/// digits in positional form, with ".0" after a whole number. A test compares the two on millions of
/// values.
enum DecimalDouble {
    /// Writes `d` and returns true when it is 0 or has magnitude in [0.001, 10^15) with at most 15
    /// significant digits and 9 fraction digits; writes nothing and returns false otherwise.
    @inline(__always)
    static func write(_ d: Double, to out: inout ByteWriter) -> Bool {
        let magnitude = d.magnitude
        if magnitude == 0 {
            out.append(d.sign == .minus ? "-0.0" : "0.0")
            return true
        }
        guard magnitude >= 0.001, magnitude < 1e15 else { return false }
        var scale = 1.0
        var fractionDigits = 0
        while true {
            // Rounded to the nearest whole number by adding and taking away 2^52 (exact below 2^52, and
            // without the call `rounded()` makes; a tie may go either way, and then neither candidate
            // reads back).
            let whole = (magnitude * scale + 0x1p52) - 0x1p52
            guard whole < 1e15 else { return false }
            if whole / scale == magnitude {
                emit(UInt64(whole), fractionDigits: fractionDigits, negative: d < 0, to: &out)
                return true
            }
            fractionDigits += 1
            guard fractionDigits <= 9 else { return false }
            scale *= 10
        }
    }

    /// `digits` with a point before its last `fractionDigits` digits (".0" when there are none, "0." and
    /// zeros in front when it has too few digits), built right to left in 32 bytes on the stack.
    @inline(__always)
    private static func emit(_ digits: UInt64, fractionDigits: Int, negative: Bool, to out: inout ByteWriter) {
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buffer in
            var at = 32
            var rest = digits
            var written = 0
            if fractionDigits == 0 {
                at -= 1; buffer[at] = UInt8(ascii: "0")
                at -= 1; buffer[at] = UInt8(ascii: ".")
            }
            while rest > 0 || written <= fractionDigits {
                if written == fractionDigits && fractionDigits > 0 { at -= 1; buffer[at] = UInt8(ascii: ".") }
                at -= 1
                buffer[at] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                written += 1
            }
            if negative { at -= 1; buffer[at] = UInt8(ascii: "-") }
            out.append(UnsafeBufferPointer(rebasing: buffer.bindMemory(to: UInt8.self)[at...]))
        }
    }
}
