/// Strings of up to 15 ASCII bytes made straight from their bytes. The standard library keeps such a
/// string inline in the `String` value itself (no allocation), but `String(decoding:as:)` checks the
/// bytes for UTF-8 again and copies them one at a time: for the short member names and values that make
/// up most of a JSON document, that was an eighth of the parse. The parser has already checked the bytes,
/// so this writes the inline form directly.
///
/// The inline layout is the standard library's on 64-bit little-endian platforms: the first word holds
/// bytes 0 to 7, the second bytes 8 to 14 and, in its top byte, 0xE0 (immortal, small, ASCII) plus the
/// count. `isAvailable` compares strings made this way with the library's own, bit for bit, once; where
/// they differ (another platform or library), every call site takes `String(decoding:as:)`.
package enum SmallASCII {
    package static let maxCount = 15

    package static let isAvailable: Bool = {
        #if _endian(little) && arch(x86_64) || _endian(little) && arch(arm64)
        guard MemoryLayout<String>.size == 16 else { return false }
        let samples = ["", "a", "id", "abcdefg", "abcdefgh", "abcdefghi", "0123456789abcde"]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let made = bytes.withUnsafeBufferPointer { make(from: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: $0.count) }
            let decoded = String(decoding: bytes, as: UTF8.self)
            let a = unsafeBitCast(made, to: (UInt64, UInt64).self)
            let b = unsafeBitCast(decoded, to: (UInt64, UInt64).self)
            guard a == b, made == sample, made.utf8.count == bytes.count, a.1 & smallFlag != 0 else { return false }
        }
        let long = String(decoding: Array("0123456789abcdefg".utf8), as: UTF8.self)
        return unsafeBitCast(long, to: (UInt64, UInt64).self).1 & smallFlag == 0
        #else
        return false
        #endif
    }()

    /// The string of `count` (at most 15) ASCII bytes at `start`; only the `count` bytes are read.
    @inline(__always)
    package static func make(from start: UnsafePointer<UInt8>, count: Int) -> String {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var i = count
        while i > 8 { i -= 1; high = high << 8 | UInt64(start[i]) }
        while i > 0 { i -= 1; low = low << 8 | UInt64(start[i]) }
        high |= UInt64(0xE0 | count) << 56
        return unsafeBitCast((low, high), to: String.self)
    }

    /// The same, reading whole 8-byte words: the caller promises that 16 bytes from `start` are readable.
    @inline(__always)
    package static func make(wordsFrom start: UnsafePointer<UInt8>, count: Int) -> String {
        let raw = UnsafeRawPointer(start)
        let lowBytes = min(count, 8)
        let highBytes = count - lowBytes
        var low = raw.loadUnaligned(as: UInt64.self)
        var high = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        low &= lowBytes == 8 ? ~0 : (UInt64(1) << UInt64(lowBytes * 8)) &- 1
        high &= (UInt64(1) << UInt64(highBytes * 8)) &- 1
        high |= UInt64(0xE0 | count) << 56
        return unsafeBitCast((low, high), to: String.self)
    }

    /// Whether `s` is stored inline (it then holds no reference: dropping it needs no release).
    /// (Only where `isAvailable`.)
    @inline(__always)
    package static func isInline(_ s: String) -> Bool {
        unsafeBitCast(s, to: (UInt64, UInt64).self).1 & smallFlag != 0
    }

    /// The bytes and count of an inline ASCII string (its two words, the count byte cleared), or nil
    /// for any other string. (Only where `isAvailable`.)
    @inline(__always)
    package static func inlineASCII(_ s: String) -> (low: UInt64, high: UInt64, count: Int)? {
        let (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self)
        guard high >> 60 == 0xE else { return nil }  // immortal, small, ASCII
        return (low, high & 0x00FF_FFFF_FFFF_FFFF, Int(truncatingIfNeeded: (high >> 56) & 0x0F))
    }

    /// The bit of the second word that marks an inline string.
    private static let smallFlag: UInt64 = 0x20 << 56

    /// The string of valid UTF-8 `bytes`: written inline when they are at most 15 ASCII bytes (and
    /// `isAvailable`), else through `String(decoding:as:)`.
    @inline(__always)
    package static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.count <= maxCount, isAvailable, let start = bytes.baseAddress {
            var high: UInt8 = 0
            for b in bytes { high |= b }
            if high < 0x80 { return make(from: start, count: bytes.count) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
