#if canImport(Glibc)
import Glibc
#endif

/// Member names (and the validator's ids) compared and hashed by their UTF-8 bytes.
///
/// RFC 8259 §8.3 calls comparing names code unit by code unit the interoperable way, and it is what
/// JavaScript, Python and Go do: `{"é": 1, "é": 2}` with one name composed and one decomposed has two
/// members for all of them. `String`'s own `==` compares canonical equivalence, and would make them one
/// (and even merge "K" with the Kelvin sign). Every form of `JSONObject`, the parser's check for repeated
/// names and its sharing of names between objects use this comparison, so that a document means the same
/// thing in every form and to every binding.
///
/// The hash is a multiply-and-fold over 8-byte words, keyed by a seed that is random in each process (the
/// standard library's, so `SWIFT_DETERMINISTIC_HASHING` fixes it too): SipHash cost about 230
/// instructions a name, this about 40 for a short one.
package enum NameBytes {
    /// Whether `a` and `b` have the same UTF-8 bytes.
    @inline(__always)
    package static func equal(_ a: String, _ b: String) -> Bool {
        if SmallASCII.isAvailable {
            let (aLow, aHigh) = unsafeBitCast(a, to: (UInt64, UInt64).self)
            let (bLow, bHigh) = unsafeBitCast(b, to: (UInt64, UInt64).self)
            if aLow == bLow && aHigh == bHigh { return true }
            // Two inline strings with different words differ: their words are their bytes and count.
            if aHigh & bHigh & (0x20 << 56) != 0 { return false }
        }
        return withBytes(a) { x in
            withBytes(b) { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }

    /// The process's seed for `hash`.
    package static let seed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x6167_7374_6174_65 as UInt64)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    /// The hash of `name`'s UTF-8 bytes under `seed`.
    @inline(__always)
    package static func hash(_ name: String, seed: UInt64 = NameBytes.seed) -> UInt64 {
        if SmallASCII.isAvailable {
            // An inline string's bytes are in its words (the count in the top byte, zeros past the end):
            // hashed from there, with no call. The same bytes stored any other way hash the same.
            let (low, high) = unsafeBitCast(name, to: (UInt64, UInt64).self)
            if high & (0x20 << 56) != 0 {
                // The words `hash(bytes:)` reads, taken from the two words: the first 8 bytes (zeros past
                // the end, as its tail), then for 9 to 15 bytes the last 8.
                let n = Int(truncatingIfNeeded: (high >> 56) & 0x0F)
                var h = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
                if n == 0 { return fold(h) }
                h = fold(h ^ low)
                if n > 8 {
                    let rest = high & 0x00FF_FFFF_FFFF_FFFF
                    h = fold(h ^ (low &>> UInt64(8 * (n - 8)) | rest &<< UInt64(8 * (16 - n))))
                }
                return fold(h ^ 0xA076_1D64_78BD_642F)
            }
        }
        return withBytes(name) { hash(bytes: $0, seed: seed) }
    }

    /// The hash of `bytes` under `seed`.
    @inline(__always)
    package static func hash(bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        let n = bytes.count
        var h = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = bytes.baseAddress, n > 0 else { return fold(h) }
        let raw = UnsafeRawPointer(base)
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                h = fold(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            // The last partial word is read as the final 8 bytes, overlapping the word before.
            if i < n { h = fold(h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        } else {
            var tail: UInt64 = 0
            for i in 0..<n { tail |= UInt64(base[i]) << UInt64(8 * i) }
            h = fold(h ^ tail)
        }
        return fold(h ^ 0xA076_1D64_78BD_642F)
    }

    /// One round of mixing: the two halves of a 128-bit product, folded together.
    @inline(__always)
    private static func fold(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// Calls `body` with the UTF-8 bytes of `s`, in place when it has them contiguous (every native string).
    @inline(__always)
    package static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if StringBits.isAvailable {
            let (countAndFlags, object) = unsafeBitCast(s, to: (UInt64, UInt64).self)
            if let bytes = StringBits.utf8(countAndFlags, object) { return body(bytes) }
        }
        if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = s
        return copy.withUTF8(body)
    }
}
