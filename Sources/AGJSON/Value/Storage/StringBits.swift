/// The UTF-8 bytes of a string read from its two words, with no retain, release or call into the
/// standard library: for the serializer, which reads every string of a document that its root keeps
/// alive for the whole walk. Binding each string out of its value made a retained copy of it, and
/// `withContiguousStorageIfAvailable` then another; together with the same for containers they were a
/// fifth of serializing a state.
///
/// The layout is the standard library's on 64-bit little-endian platforms. The first word holds the
/// count in its low 48 bits and, in bit 60, "tail-allocated": the bytes follow the storage object's
/// 32-byte header. The second word holds the address of that object in its low 60 bits (a string literal
/// points 32 bytes before its bytes, as if it had the header). `isAvailable` checks this, and that a
/// `JSONValue.string` keeps the string's words unchanged at the start of the value, on strings made
/// every way the engine makes them, once; where anything differs, the serializer binds strings as
/// before. Inline strings are `SmallASCII`'s business.
package enum StringBits {
    package static let isAvailable: Bool = {
        #if _endian(little) && arch(x86_64) || _endian(little) && arch(arm64)
        guard MemoryLayout<String>.size == 16, MemoryLayout<JSONValue>.size >= 16, SmallASCII.isAvailable else { return false }
        let literal = "a string literal longer than fifteen bytes"
        var built = "built at run time, "
        built += String(repeating: "é", count: 3) + String(built.utf8.count)
        let decoded = String(decoding: Array("decoded from bytes: 0123456789".utf8), as: UTF8.self)
        var reserved = String()
        reserved.reserveCapacity(200)
        reserved += "with spare capacity, past fifteen bytes"
        for sample in [literal, built, decoded, reserved, "", "short", "é"] {
            var sample = sample
            let words = unsafeBitCast(sample, to: (UInt64, UInt64).self)
            let value = JSONValue.string(sample)
            let stored = withUnsafeBytes(of: value) { ($0.load(as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
            guard stored == words else { return false }
            if SmallASCII.isInline(sample) { continue }
            guard let bytes = utf8(words.0, words.1) else { return false }
            let matches = sample.withUTF8 { $0.baseAddress == bytes.baseAddress && $0.count == bytes.count }
            guard matches else { return false }
        }
        return true
        #else
        return false
        #endif
    }()

    /// The bytes of the string whose words are `countAndFlags` and `object`, if they are tail-allocated
    /// (native and literal strings); nil for inline strings and any other kind. (Only where `isAvailable`.)
    @inline(__always)
    static func utf8(_ countAndFlags: UInt64, _ object: UInt64) -> UnsafeBufferPointer<UInt8>? {
        guard countAndFlags & (1 << 60) != 0, object & (0x20 << 56) == 0 else { return nil }
        let address = UInt(truncatingIfNeeded: object & 0x0FFF_FFFF_FFFF_FFFF) &+ 32
        return UnsafeBufferPointer(start: UnsafePointer(bitPattern: address),
                                   count: Int(truncatingIfNeeded: countAndFlags & 0xFFFF_FFFF_FFFF))
    }
}
