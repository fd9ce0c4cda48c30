import Glibc

/// Raised by the side-by-side text diff when it meets something it leaves to the parser (an error, a
/// member name it does not compare byte by byte, nesting past the limit): the diff then parses both
/// documents whole, which gives the same patch or reports the error exactly as before.
struct TextDiffFallback: Error {}

/// A member name's bytes (without the quotes), in either document, with its first 8 bytes as a word so
/// that most comparisons of different names need no memory compare.
struct KeySpan {
    let start: UnsafePointer<UInt8>
    let count: Int
    let head: UInt64

    @inline(__always)
    init(start: UnsafePointer<UInt8>, count: Int, head: UInt64) {
        self.start = start
        self.count = count
        self.head = head
    }

    /// The name at `start` of `count` bytes; `readable` bytes from `start` may be read.
    @inline(__always)
    init(start: UnsafePointer<UInt8>, count: Int, readable: Int) {
        self.start = start
        self.count = count
        if readable >= 8 {
            let word = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self)
            head = count >= 8 ? word : word & ((1 &<< UInt64(count * 8)) &- 1)
        } else {
            var word: UInt64 = 0
            for k in 0..<min(count, 8) { word |= UInt64(start[k]) << UInt64(8 * k) }
            head = word
        }
    }

    @inline(__always)
    func equals(_ other: KeySpan) -> Bool {
        count == other.count && head == other.head && (count <= 8 || memcmp(start + 8, other.start + 8, count - 8) == 0)
    }

    var string: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }

    var hash: UInt64 {
        var h = head ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        var k = 8
        while k < count { h = (h ^ UInt64(start[k])) &* 0x100_0000_01b3; k += 1 }
        // murmur3's finalizer: every bit of the name reaches the low bits the table uses.
        h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
        h = (h ^ (h >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return h ^ (h >> 33)
    }
}

/// A validating scan that finds where a value ends without building it. It accepts a subset of what
/// `JSONParser` accepts, never more: member names must be ASCII without escapes (so that comparing their
/// bytes is comparing the parser's `String`s, and a duplicate is a byte-equal name), and whatever it
/// refuses is left to the parser. Numbers follow the parser's grammar and range rule.
struct TextScan {
    let maxDepth: Int
    /// The names of the objects being read, innermost last: duplicates are looked for when an object ends.
    var keys = MoveStack<KeySpan>(capacity: 256)
    private var table: [Int32] = []

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    func release() { keys.free() }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    @inline(__always)
    static func skipWhitespace(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) {
        while p < s.count && isWhitespace(s[p]) { p += 1 }
    }

    /// Skips the value at `p` (no whitespace before it), nested in `depth` containers. With a `limit`,
    /// gives up (false, `p` then means nothing) once a container runs past it: the caller only wants to
    /// know whether the value ends before it, and will read the value otherwise.
    @discardableResult @inline(__always)
    mutating func skipValue(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int,
                            limit: Int = .max) throws(TextDiffFallback) -> Bool {
        guard p < s.count else { throw TextDiffFallback() }
        let c = s[p]
        if c == 0x22 { try TextScan.skipString(s, &p); return true }
        if c &- 0x30 < 10 { try TextScan.skipNumber(s, &p); return true }
        return try skipOther(s, &p, depth: depth, limit: limit)
    }

    private mutating func skipOther(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int, limit: Int) throws(TextDiffFallback) -> Bool {
        switch s[p] {
        case 0x7B: return try skipObject(s, &p, depth: depth + 1, limit: limit)
        case 0x5B: return try skipArray(s, &p, depth: depth + 1, limit: limit)
        default: try TextScan.skipScalar(s, &p)
        }
        return true
    }

    /// Skips a number or a literal at `p`.
    static func skipScalar(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(TextDiffFallback) {
        switch s[p] {
        case 0x74: try literal(s, &p, 0x74, 0x72, 0x75, 0x65, nil)            // true
        case 0x66: try literal(s, &p, 0x66, 0x61, 0x6C, 0x73, 0x65)           // false
        case 0x6E: try literal(s, &p, 0x6E, 0x75, 0x6C, 0x6C, nil)            // null
        case 0x22: try skipString(s, &p)
        default: try skipNumber(s, &p)
        }
    }

    @inline(__always)
    private static func literal(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ c0: UInt8, _ c1: UInt8, _ c2: UInt8,
                                _ c3: UInt8, _ c4: UInt8?) throws(TextDiffFallback) {
        let n = c4 == nil ? 4 : 5
        guard s.count - p >= n, s[p] == c0, s[p + 1] == c1, s[p + 2] == c2, s[p + 3] == c3,
              c4 == nil || s[p + 4] == c4! else { throw TextDiffFallback() }
        p += n
    }

    @inline(__always)
    private static func special(_ v: UInt64) -> UInt64 { UTF8Check.stringSpecials(v) }

    /// Skips a string value at `p` (its opening quote), checking escapes and UTF-8 as the parser does.
    @inline(__always)
    static func skipString(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(TextDiffFallback) {
        p += 1
        // A short plain string ends within the first word.
        if s.count - p >= 8 {
            let flags = special(UnsafeRawPointer(s.baseAddress!).loadUnaligned(fromByteOffset: p, as: UInt64.self))
            let at = p + flags.trailingZeroBitCount >> 3
            if flags != 0 && s[at] == 0x22 { p = at + 1; return }
        }
        try skipLongString(s, &p)
    }

    private static func skipLongString(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(TextDiffFallback) {
        do throws(JSONSyntaxError) {
            _ = try JSONGrammar.scanStringRest(s, &p, open: p - 1)
        } catch {
            throw TextDiffFallback()
        }
    }

    /// Scans a member name at `p` (its opening quote) and returns its bytes. Names with escapes or
    /// non-ASCII bytes are left to the parser: equal names may then be written differently.
    static func key(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(TextDiffFallback) -> KeySpan {
        guard p < s.count, s[p] == 0x22 else { throw TextDiffFallback() }
        p += 1
        let start = p
        let base = UnsafeRawPointer(s.baseAddress!)
        // Most names are shorter than 8 bytes: one word holds the name, its end and its `head`.
        if s.count - p >= 8 {
            let word = base.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            let flags = special(word)
            if flags != 0 {
                let length = flags.trailingZeroBitCount >> 3
                guard s[p + length] == 0x22 else { throw TextDiffFallback() }
                p += length + 1
                return KeySpan(start: s.baseAddress! + start, count: length,
                               head: length == 0 ? 0 : word & (UInt64.max >> UInt64(64 - 8 * length)))
            }
            p += 8
        }
        while s.count - p >= 8 {
            let flags = special(base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            if flags == 0 { p += 8 } else { p += flags.trailingZeroBitCount >> 3; break }
        }
        while p < s.count {
            let b = s[p]
            if b == 0x22 {
                p += 1
                return KeySpan(start: s.baseAddress! + start, count: p - 1 - start, readable: s.count - start)
            }
            guard b >= 0x20 && b < 0x80 && b != 0x5C else { throw TextDiffFallback() }
            p += 1
        }
        throw TextDiffFallback()
    }

    /// Skips a number with the parser's grammar and range rule (`JSONGrammar`).
    static func skipNumber(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int) throws(TextDiffFallback) {
        let start = p
        do throws(JSONSyntaxError) {
            let shape = try JSONGrammar.scanNumber(s, &p)
            try JSONGrammar.checkRange(s, start, p, shape)
        } catch {
            throw TextDiffFallback()
        }
    }

    private mutating func skipObject(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int, limit: Int) throws(TextDiffFallback) -> Bool {
        guard depth <= maxDepth else { throw TextDiffFallback() }
        p += 1
        let base = keys.count
        TextScan.skipWhitespace(s, &p)
        if p < s.count && s[p] == 0x7D { p += 1; return true }
        while true {
            // Duplicates among the first 16 names are looked for as each name comes (no second pass);
            // a wider object is checked through a hash table when it ends.
            let key = try TextScan.key(s, &p)
            if keys.count - base < 16 {
                var j = base
                while j < keys.count {
                    if keys.base[j].head == key.head && keys.base[j].equals(key) { throw TextDiffFallback() }
                    j += 1
                }
            }
            keys.push(key)
            if p < s.count && s[p] != 0x3A { TextScan.skipWhitespace(s, &p) }
            guard p < s.count, s[p] == 0x3A else { throw TextDiffFallback() }
            p += 1
            TextScan.skipWhitespace(s, &p)
            guard try skipValue(s, &p, depth: depth, limit: limit), p <= limit else {
                keys.drop(from: base)
                return false
            }
            TextScan.skipWhitespace(s, &p)
            guard p < s.count else { throw TextDiffFallback() }
            if s[p] == 0x2C {
                p += 1
                TextScan.skipWhitespace(s, &p)
                continue
            }
            guard s[p] == 0x7D else { throw TextDiffFallback() }
            p += 1
            if keys.count - base > 16 { try checkDistinct(from: base) }
            keys.drop(from: base)
            return true
        }
    }

    private mutating func skipArray(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int, limit: Int) throws(TextDiffFallback) -> Bool {
        guard depth <= maxDepth else { throw TextDiffFallback() }
        p += 1
        TextScan.skipWhitespace(s, &p)
        if p < s.count && s[p] == 0x5D { p += 1; return true }
        while true {
            guard try skipValue(s, &p, depth: depth, limit: limit), p <= limit else { return false }
            TextScan.skipWhitespace(s, &p)
            guard p < s.count else { throw TextDiffFallback() }
            if s[p] == 0x2C {
                p += 1
                TextScan.skipWhitespace(s, &p)
                continue
            }
            guard s[p] == 0x5D else { throw TextDiffFallback() }
            p += 1
            return true
        }
    }

    /// Throws when two of `keys[base...]` are equal (the parser rejects duplicate member names).
    mutating func checkDistinct(from base: Int) throws(TextDiffFallback) {
        let n = keys.count - base
        if n <= 16 {
            var i = base + 1
            while i < keys.count {
                let key = keys.base[i]
                var j = base
                while j < i {
                    let other = keys.base[j]
                    if other.head == key.head && other.equals(key) { throw TextDiffFallback() }
                    j += 1
                }
                i += 1
            }
            return
        }
        // Open addressing over indices into `keys`, at most half full, in 32 bits: past that many names
        // the parser decides.
        guard keys.count <= Int(Int32.max) else { throw TextDiffFallback() }
        var size = 64
        while size < 2 * n { size <<= 1 }
        if table.count < size { table = [Int32](repeating: -1, count: size) } else {
            for k in 0..<size { table[k] = -1 }
        }
        let mask = size - 1
        for i in base..<keys.count {
            var slot = Int(truncatingIfNeeded: keys.base[i].hash) & mask
            while table[slot] >= 0 {
                if keys.base[Int(table[slot])].equals(keys.base[i]) { throw TextDiffFallback() }
                slot = (slot + 1) & mask
            }
            table[slot] = Int32(i)
        }
    }
}
