/// A JSON number, kept so that its value never changes silently.
///
/// Integer literals that fit 64 bits stay exact integers; those that do not are kept as their exact
/// decimal text; every other number is an IEEE double, printed in the shortest form that reads back
/// identically. Equality compares by value: `1 == 1.0`.
public enum JSONNumber: Sendable {
    case int(Int64)
    case double(Double)
    /// An integer literal outside the 64-bit range, as canonical decimal text (optional `-`, no leading zeros).
    case bigInteger(String)
}

extension JSONNumber: Equatable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.bigInteger(a), .bigInteger(b)): return a == b
        case let (.int(i), .double(d)), let (.double(d), .int(i)): return JSONNumber.equal(i, d)
        case let (.bigInteger(s), .double(d)), let (.double(d), .bigInteger(s)):
            return JSONNumber.exactIntegerText(of: d) == s
        case (.int, .bigInteger), (.bigInteger, .int):
            return false // a bigInteger is outside the Int64 range by construction
        }
    }

    static func equal(_ i: Int64, _ d: Double) -> Bool {
        guard d.isFinite, d == d.rounded(.towardZero) else { return false }
        // Doubles at or beyond 2^63 in magnitude cannot equal an Int64 except -2^63 itself.
        guard d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { return false }
        return Int64(d) == i
    }

    /// The exact decimal digits of an integral double, or nil when it is not integral.
    static func exactIntegerText(of d: Double) -> String? {
        guard d.isFinite, d == d.rounded(.towardZero) else { return nil }
        if d == 0 { return "0" }
        // d = significand * 2^exponent with an integral significand; expand in base 1e9 limbs.
        let negative = d < 0
        let magnitude = d.magnitude
        let exponent = Int(magnitude.exponent) - Double.significandBitCount
        var significand = magnitude.significandBitPattern | (1 << UInt64(Double.significandBitCount))
        var shift = exponent
        if shift < 0 { significand >>= UInt64(-shift); shift = 0 }
        var limbs: [UInt64] = [] // little-endian base 1e9
        var s = significand
        while s > 0 { limbs.append(s % 1_000_000_000); s /= 1_000_000_000 }
        for _ in 0..<shift {
            var carry: UInt64 = 0
            for i in limbs.indices {
                let v = limbs[i] * 2 + carry
                limbs[i] = v % 1_000_000_000
                carry = v / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        var text = negative ? "-" : ""
        text += String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let digits = String(limb)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }
}

extension JSONNumber {
    /// The value as a double (a bigInteger is rounded: for arithmetic only, never for storage).
    public var doubleValue: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bigInteger(let s): return Double(s) ?? .nan
        }
    }

    /// The value as an Int64 when it is exactly one.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard JSONNumber.equal(Int64(exactly: d) ?? 0, d) else { return nil }
            return Int64(exactly: d)
        case .bigInteger: return nil
        }
    }
}
