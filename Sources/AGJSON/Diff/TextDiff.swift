import Glibc

/// The diff of two JSON texts, read side by side, building values only where the texts differ.
///
/// Two states that differ in a few leaves are mostly the same bytes. Where the texts agree byte for byte
/// (found by comparing words, many GB/s), only the first one is read, to validate it and to follow the
/// structure; where they differ, both are read token by token, and values are built for the differing
/// parts only and compared by `DiffBuilder`. The patch is the one `JSONDiff.diff` gives for the parsed
/// documents, operation for operation:
/// - objects are paired member by member while the names agree, as `DiffBuilder` does; from the first
///   name that differs, the rest of both objects is looked up by name;
/// - arrays: the common start is read side by side; from the first element that differs, the common end
///   is set aside by bytes, and a single differing element on each side is compared in place, anything
///   else goes to `DiffBuilder`'s alignment with the index it starts at.
/// Anything the text reading leaves to the parser (see `TextScan`) throws `TextDiffFallback`; the caller
/// then parses both documents and diffs the trees.
struct TextDiff {
    private let a: UnsafeBufferPointer<UInt8>
    private let b: UnsafeBufferPointer<UInt8>
    private let options: DiffOptions
    private var scan: TextScan
    /// Read positions. While `pa < syncEnd` the texts agree up to `syncEnd` and `pb` is `pa + shift`
    /// (it is brought up to date when that stops).
    private var pa = 0, pb = 0
    private var syncEnd = 0, shift = 0
    /// How far (in `a`) agreement is looked for: the end of the value being compared. Past it the texts
    /// may well agree to their ends (the rest of an object after an inserted member, shifted), and looking
    /// that far for every member would make the cost quadratic.
    private var compareEnd: Int
    /// Where the walk stands: `path[d]` is the step into the container at depth `d` (a member name, bytes
    /// in `a`, or an array index); a value nested in `d` containers is at `path[1...d]`. Sized by the
    /// depth limit, so that a step is a store, not an append.
    private let path: UnsafeMutablePointer<(name: KeySpan?, index: Int)>
    private var ops: [PatchOperation] = []

    /// The patch from `a` to `b`, or `TextDiffFallback` when the parser has to decide.
    static func diff(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, options: DiffOptions,
                     limits: JSONLimits) throws(TextDiffFallback) -> [PatchOperation] {
        guard a.count > 0, b.count > 0, a.count <= limits.maxInputBytes, b.count <= limits.maxInputBytes,
              options.granularity == .minimalOperations else { throw TextDiffFallback() }
        let maxDepth = min(limits.maxDepth, JSONLimits.depthCeiling)
        let path = HeapMemory.allocate((name: KeySpan?, index: Int).self, capacity: maxDepth + 2)
        defer { HeapMemory.free(path) }
        var walker = TextDiff(a: a, b: b, options: options, scan: TextScan(maxDepth: maxDepth), path: path)
        defer { walker.scan.release() }
        try walker.document()
        return walker.ops
    }

    private init(a: UnsafeBufferPointer<UInt8>, b: UnsafeBufferPointer<UInt8>, options: DiffOptions, scan: TextScan,
                 path: UnsafeMutablePointer<(name: KeySpan?, index: Int)>) {
        self.path = path
        self.compareEnd = a.count
        self.a = a
        self.b = b
        self.options = options
        self.scan = scan
    }

    private mutating func document() throws(TextDiffFallback) {
        TextScan.skipWhitespace(a, &pa)
        TextScan.skipWhitespace(b, &pb)
        guard pa < a.count, pb < b.count else { throw TextDiffFallback() }
        try value(depth: 0)
        leaveSync()
        TextScan.skipWhitespace(a, &pa)
        TextScan.skipWhitespace(b, &pb)
        guard pa == a.count, pb == b.count else { throw TextDiffFallback() }
    }

    // MARK: keeping the two positions

    /// Whether `b` is read through `a` here; when that has just stopped, `pb` catches up. (While synced,
    /// `pa` never passes `syncEnd`, so `pa + shift` is exact.)
    @inline(__always)
    private mutating func inSync() -> Bool {
        if pa < syncEnd { return true }
        leaveSync()
        return false
    }

    /// Stops reading `b` through `a`: `pb` catches up.
    @inline(__always)
    private mutating func leaveSync() {
        if syncEnd != 0 { pb = pa + shift; syncEnd = 0 }
    }

    /// From positions where both texts are read, finds how far they agree.
    private mutating func resync() {
        let length = max(0, min(compareEnd - pa, b.count - pb))
        let x = UnsafeRawPointer(a.baseAddress! + pa), y = UnsafeRawPointer(b.baseAddress! + pb)
        var k = 0
        while length - k >= 8 {
            let d = x.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            if d != 0 { k += d.trailingZeroBitCount >> 3; break }
            k += 8
        }
        if length - k < 8 { while k < length && a[pa + k] == b[pb + k] { k += 1 } }
        if k > 0 { shift = pb - pa; syncEnd = pa + k } else { syncEnd = 0 }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        if pa < syncEnd && !TextScan.isWhitespace(a[pa]) { return }
        skipWhitespaceSlowly()
    }

    private mutating func skipWhitespaceSlowly() {
        if inSync() {
            TextScan.skipWhitespace(a, &pa)
            if pa >= syncEnd {
                pb = syncEnd + shift
                syncEnd = 0
                TextScan.skipWhitespace(b, &pb)
            }
        } else {
            TextScan.skipWhitespace(a, &pa)
            TextScan.skipWhitespace(b, &pb)
        }
    }

    /// The next byte of each text (0 at the end).
    @inline(__always)
    private mutating func peek() -> (UInt8, UInt8) {
        if inSync() { return (a[pa], a[pa]) }
        return (pa < a.count ? a[pa] : 0, pb < b.count ? b[pb] : 0)
    }

    /// Steps over one structural byte that both texts have.
    @inline(__always)
    private mutating func advance() {
        if !inSync() { pb += 1 }
        pa += 1
    }

    /// A scalar that ends at `end` in `a` reads the same in `b` when its bytes do and `b` cannot continue
    /// it (a number is followed by a byte that is not where the texts stop agreeing).
    @inline(__always)
    private func agrees(upTo end: Int) -> Bool {
        end < syncEnd || (end == syncEnd && (a[end - 1] &- 0x30 >= 10))
    }

    // MARK: values

    private mutating func value(depth: Int) throws(TextDiffFallback) {
        if !inSync() { resync() }
        if pa < syncEnd {
            switch a[pa] {
            case 0x7B: try object(depth: depth + 1)
            case 0x5B: try array(depth: depth + 1)
            default:
                var end = pa
                try TextScan.skipScalar(a, &end)
                if agrees(upTo: end) { pa = end; return }
                leaveSync()
                try differing(depth: depth)
            }
        } else {
            try differing(depth: depth)
        }
    }

    /// Values that differ from their first byte (or scalars that differ): built and compared.
    private mutating func differing(depth: Int) throws(TextDiffFallback) {
        let sa = pa, sb = pb
        try scan.skipValue(a, &pa, depth: depth)
        try scan.skipValue(b, &pb, depth: depth)
        var builder = DiffBuilder(options: options, at: tokens(depth))
        builder.diff(try parse(a, sa, pa), try parse(b, sb, pb), into: &ops)
    }

    private func parse(_ s: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(TextDiffFallback) -> JSONValue {
        let options = ParseOptions(limits: JSONLimits(maxDepth: JSONLimits.depthCeiling, maxInputBytes: Int.max),
                                   persistentContainers: false)
        do {
            return try JSONParser.parse(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(s)[start..<end]), options: options)
        } catch {
            throw TextDiffFallback()
        }
    }

    /// The location of a value nested in `depth` containers.
    private func tokens(_ depth: Int) -> [String] {
        depth == 0 ? [] : (1...depth).map { path[$0].name?.string ?? String(path[$0].index) }
    }

    /// Compares the values at `sa` in `a` and `sb` in `b` (both already validated), leaving the positions
    /// where they were.
    private mutating func compare(_ x: Range<Int>, _ y: Range<Int>, depth: Int) throws(TextDiffFallback) {
        if sameBytes(x, y) { return }  // validated already: the same text, nothing to change
        let saved = (pa, pb, syncEnd, shift, compareEnd)
        pa = x.lowerBound; pb = y.lowerBound; syncEnd = 0; compareEnd = x.upperBound
        try value(depth: depth)
        (pa, pb, syncEnd, shift, compareEnd) = saved
    }

    // MARK: objects

    /// Both texts are at '{' (the same byte when synced).
    private mutating func object(depth: Int) throws(TextDiffFallback) {
        guard depth <= scan.maxDepth else { throw TextDiffFallback() }
        advance()
        let base = scan.keys.count
        skipWhitespace()
        var (ca, cb) = peek()
        if ca == 0x7D && cb == 0x7D { advance(); return }
        while true {
            // Both are at a member, or one object has ended ('}' directly after '{' only).
            guard ca == 0x22 && cb == 0x22 else {
                guard scan.keys.count == base && (ca == 0x22 || ca == 0x7D) && (cb == 0x22 || cb == 0x7D) else {
                    throw TextDiffFallback()
                }
                try objectRest(base: base, depth: depth)
                return
            }
            if !inSync() { resync() }
            let keyStart = pa
            var end = pa
            let name = try TextScan.key(a, &end)
            if end <= syncEnd {
                pa = end
            } else {
                leaveSync()
                var endB = pb
                let other = try TextScan.key(b, &endB)
                guard name.equals(other) else {
                    pa = keyStart
                    try objectRest(base: base, depth: depth)
                    return
                }
                pa = end; pb = endB
            }
            scan.keys.push(name)
            skipWhitespace()
            (ca, cb) = peek()
            guard ca == 0x3A && cb == 0x3A else { throw TextDiffFallback() }
            advance()
            skipWhitespace()
            path[depth] = (name, 0)
            // A member value that ends where the texts still agree is only skipped (validated); one that
            // runs past that point is read.
            if pa < syncEnd {
                var end = pa
                if try scan.skipValue(a, &end, depth: depth, limit: syncEnd), agrees(upTo: end) {
                    pa = end
                } else {
                    try value(depth: depth)
                }
            } else {
                try value(depth: depth)
            }
            skipWhitespace()
            (ca, cb) = peek()
            if ca == 0x2C && cb == 0x2C {
                advance()
                skipWhitespace()
                (ca, cb) = peek()
                // A member must follow (a trailing comma is an error).
                guard ca == 0x22 && cb == 0x22 else { throw TextDiffFallback() }
                continue
            }
            if ca == 0x7D && cb == 0x7D {
                advance()
                try scan.checkDistinct(from: base)
                scan.keys.drop(from: base)
                return
            }
            // One object ends here, the other has more members.
            guard (ca == 0x2C || ca == 0x7D) && (cb == 0x2C || cb == 0x7D) else { throw TextDiffFallback() }
            if ca == 0x2C { pa += 1; TextScan.skipWhitespace(a, &pa); guard pa < a.count, a[pa] == 0x22 else { throw TextDiffFallback() } }
            if cb == 0x2C { pb += 1; TextScan.skipWhitespace(b, &pb); guard pb < b.count, b[pb] == 0x22 else { throw TextDiffFallback() } }
            try objectRest(base: base, depth: depth)
            return
        }
    }

    private struct Member {
        var name: KeySpan
        var start: Int
        var end: Int
    }

    /// The members from `p` (at a member's name or at the closing '}') to the end of the object.
    private mutating func members(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int) throws(TextDiffFallback) -> [Member] {
        var found: [Member] = []
        guard p < s.count else { throw TextDiffFallback() }
        if s[p] == 0x7D { p += 1; return found }
        while true {
            let name = try TextScan.key(s, &p)
            TextScan.skipWhitespace(s, &p)
            guard p < s.count, s[p] == 0x3A else { throw TextDiffFallback() }
            p += 1
            TextScan.skipWhitespace(s, &p)
            let start = p
            try scan.skipValue(s, &p, depth: depth)
            found.append(Member(name: name, start: start, end: p))
            TextScan.skipWhitespace(s, &p)
            guard p < s.count else { throw TextDiffFallback() }
            if s[p] == 0x7D { p += 1; return found }
            guard s[p] == 0x2C else { throw TextDiffFallback() }
            p += 1
            TextScan.skipWhitespace(s, &p)
        }
    }

    /// The rest of two objects whose members no longer pair by position (both positions at a member's
    /// name or at '}'; the names paired so far are `scan.keys[base...]`): members of `a` in `a`'s order,
    /// compared with `b`'s member of that name or removed, then `b`'s new members added in `b`'s order.
    private mutating func objectRest(base: Int, depth: Int) throws(TextDiffFallback) {
        leaveSync()
        var p = pa, q = pb
        let restA = try members(a, &p, depth: depth)
        let restB = try members(b, &q, depth: depth)
        pa = p; pb = q
        // Duplicates: a's names are the paired ones and its rest; b's are the paired ones and its rest.
        let paired = scan.keys.count
        for m in restA { scan.keys.push(m.name) }
        try scan.checkDistinct(from: base)
        scan.keys.drop(from: paired)
        for m in restB { scan.keys.push(m.name) }
        try scan.checkDistinct(from: base)
        scan.keys.drop(from: base)

        var inB: [Int: [Int]] = [:]
        for (j, m) in restB.enumerated() { inB[Int(truncatingIfNeeded: m.name.hash), default: []].append(j) }
        func find(_ name: KeySpan, in rest: [Member]) -> Int? {
            inB[Int(truncatingIfNeeded: name.hash)]?.first { rest[$0].name.equals(name) }
        }
        var matched = [Bool](repeating: false, count: restB.count)
        for m in restA {
            if let j = find(m.name, in: restB) {
                matched[j] = true
                path[depth] = (m.name, 0)
                try compare(m.start..<m.end, restB[j].start..<restB[j].end, depth: depth)
            } else {
                let builder = DiffBuilder(options: options, at: tokens(depth - 1))
                let old = options.testGuards ? try parse(a, m.start, m.end) : .null
                builder.remove(builder.path(m.name.string), old, into: &ops)
            }
        }
        for (j, m) in restB.enumerated() where !matched[j] {
            let builder = DiffBuilder(options: options, at: tokens(depth - 1))
            ops.append(.add(path: builder.path(m.name.string), value: try parse(b, m.start, m.end)))
        }
    }

    // MARK: arrays

    /// Both texts are at '[' (the same byte when synced).
    private mutating func array(depth: Int) throws(TextDiffFallback) {
        guard depth <= scan.maxDepth else { throw TextDiffFallback() }
        advance()
        skipWhitespace()
        var (ca, cb) = peek()
        if ca == 0x5D && cb == 0x5D { advance(); return }
        if ca == 0x5D || cb == 0x5D { try arrayRest(from: 0, depth: depth); return }
        var index = 0
        while true {
            // Both are at an element.
            if !inSync() { resync() }
            guard pa < syncEnd else { try arrayRest(from: index, afterComma: index > 0, depth: depth); return }
            var end = pa
            guard try scan.skipValue(a, &end, depth: depth, limit: syncEnd), agrees(upTo: end) else {
                leaveSync()
                try arrayRest(from: index, depth: depth)
                return
            }
            pa = end
            skipWhitespace()
            (ca, cb) = peek()
            if ca == 0x2C && cb == 0x2C {
                advance()
                skipWhitespace()
                index += 1
                continue
            }
            if ca == 0x5D && cb == 0x5D { advance(); return }
            // One array ends here, the other has more elements.
            guard (ca == 0x2C || ca == 0x5D) && (cb == 0x2C || cb == 0x5D) else { throw TextDiffFallback() }
            leaveSync()
            if ca == 0x2C { pa += 1; TextScan.skipWhitespace(a, &pa); guard pa < a.count, a[pa] != 0x5D else { throw TextDiffFallback() } }
            if cb == 0x2C { pb += 1; TextScan.skipWhitespace(b, &pb); guard pb < b.count, b[pb] != 0x5D else { throw TextDiffFallback() } }
            try arrayRest(from: index + 1, depth: depth)
            return
        }
    }

    /// The elements from `p` (at an element or at the closing ']') to the end of the array.
    private mutating func elements(_ s: UnsafeBufferPointer<UInt8>, _ p: inout Int, afterComma: Bool,
                                   depth: Int) throws(TextDiffFallback) -> [Range<Int>] {
        var found: [Range<Int>] = []
        guard p < s.count else { throw TextDiffFallback() }
        if s[p] == 0x5D {
            guard !afterComma else { throw TextDiffFallback() }
            p += 1
            return found
        }
        while true {
            let start = p
            try scan.skipValue(s, &p, depth: depth)
            found.append(start..<p)
            TextScan.skipWhitespace(s, &p)
            guard p < s.count else { throw TextDiffFallback() }
            if s[p] == 0x5D { p += 1; return found }
            guard s[p] == 0x2C else { throw TextDiffFallback() }
            p += 1
            TextScan.skipWhitespace(s, &p)
        }
    }

    /// The rest of two arrays from element `first` on (the ones before agree), both positions at an
    /// element or at ']' (a trailing comma when `afterComma`).
    ///
    /// `DiffBuilder` sets aside the common start (by value), then the common end, then aligns the middle.
    /// Here the common start is set aside by bytes; the first pair that differs in bytes is compared:
    /// when it differs in value too, `DiffBuilder` would stop its common start there as well, so the
    /// common end can be set aside by bytes and a single pair left in the middle is that comparison.
    /// Otherwise (elements equal in value, written differently) `DiffBuilder` gets the whole rest.
    private mutating func arrayRest(from first: Int, afterComma: Bool = false, depth: Int) throws(TextDiffFallback) {
        leaveSync()
        var p = pa, q = pb
        var restA = try elements(a, &p, afterComma: afterComma, depth: depth)[...]
        var restB = try elements(b, &q, afterComma: afterComma, depth: depth)[...]
        pa = p; pb = q
        var start = first
        while let x = restA.first, let y = restB.first, sameBytes(x, y) {
            restA.removeFirst(); restB.removeFirst(); start += 1
        }
        if restA.isEmpty && restB.isEmpty { return }
        var pairOps: [PatchOperation] = []
        if let x = restA.first, let y = restB.first {
            swap(&ops, &pairOps)
            path[depth] = (nil, start)
            try compare(x, y, depth: depth)
            swap(&ops, &pairOps)
            if !pairOps.isEmpty {
                while let x = restA.last, let y = restB.last, restA.count > 1, restB.count > 1, sameBytes(x, y) {
                    restA.removeLast(); restB.removeLast()
                }
                if restA.count == 1 && restB.count == 1 { ops += pairOps; return }
            }
        }
        var x: [JSONValue] = [], y: [JSONValue] = []
        x.reserveCapacity(restA.count); y.reserveCapacity(restB.count)
        for r in restA { x.append(try parse(a, r.lowerBound, r.upperBound)) }
        for r in restB { y.append(try parse(b, r.lowerBound, r.upperBound)) }
        var builder = DiffBuilder(options: options, at: tokens(depth - 1))
        builder.arrayDiff(JSONArray(x, persistent: false), JSONArray(y, persistent: false), indexOffset: start, into: &ops)
    }

    private func sameBytes(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
        x.count == y.count && memcmp(a.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, x.count) == 0
    }
}
