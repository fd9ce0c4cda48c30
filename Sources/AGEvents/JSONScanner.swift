#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// A validating JSON scanner that records where values are instead of building them.
///
/// Events are small and most of their members are ids and text fragments, so building a `JSONValue`
/// for each one would cost more than checking it. The scanner checks the same grammar as `JSONParser`
/// (RFC 8259: UTF-8 validated, no control characters in strings, valid escapes and surrogate pairs,
/// no leading zeros, bounded nesting) but only reports the byte ranges of what it saw. Members whose
/// values the validator needs whole (a state snapshot, a patch) are parsed by `JSONParser` from their
/// range. Duplicate member names are rejected at the top level of an event (where they would make the
/// event ambiguous); inside nested values that are only skipped (`rawEvent`, `metadata`, ...) they are
/// not looked for.
struct JSONScanner {
    let input: UnsafeBufferPointer<UInt8>
    var position: Int
    let maxDepth: Int

    init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int = 512) {
        self.input = input
        self.position = 0
        self.maxDepth = maxDepth
    }

    struct Failure: Error {
        var message: String
        var offset: Int
    }

    enum Kind: UInt8 {
        case string, number, bool, null, object, array
        var name: String {
            switch self {
            case .string: return "a string"
            case .number: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            case .object: return "an object"
            case .array: return "an array"
            }
        }
    }

    /// Where a scanned string's contents lie (without the quotes), and whether they hold escapes.
    struct StringRange {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    func fail(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(message: message, offset: offset ?? position)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < input.count {
            let b = input[position]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { return }
        }
    }

    @inline(__always)
    func peek() -> UInt8? { position < input.count ? input[position] : nil }

    /// Scans a string whose opening quote is at `position`.
    @inline(__always)
    mutating func scanString() throws(Failure) -> StringRange {
        let start = position + 1
        do throws(JSONSyntaxError) {
            let escaped = try JSONGrammar.scanString(input, &position)
            return StringRange(start: start, end: position - 1, escaped: escaped)
        } catch {
            throw fail(error)
        }
    }

    /// Scans a number (checking that a double can hold it, as the parser does).
    mutating func scanNumber() throws(Failure) {
        let start = position
        do throws(JSONSyntaxError) {
            let shape = try JSONGrammar.scanNumber(input, &position)
            try JSONGrammar.checkRange(input, start, position, shape)
        } catch {
            throw fail(error)
        }
    }

    @inline(never)
    func fail(_ error: JSONSyntaxError) -> Failure {
        Failure(message: error.message(input), offset: error.offset)
    }

    private mutating func literal(_ text: StaticString) throws(Failure) {
        let n = text.utf8CodeUnitCount
        guard input.count - position >= n else { throw fail("invalid literal") }
        let p = text.utf8Start
        for k in 0..<n where input[position + k] != p[k] { throw fail("invalid literal") }
        position += n
    }

    /// Scans any value starting at `position` (whitespace already skipped), checking its grammar.
    /// `depth` is the nesting depth of the container holding it.
    mutating func skipValue(depth: Int) throws(Failure) -> Kind {
        guard position < input.count else { throw fail("expected a value") }
        switch input[position] {
        case 0x22: _ = try scanString(); return .string
        case UInt8(ascii: "{"), UInt8(ascii: "["): return try skipContainer(depth: depth)
        case UInt8(ascii: "t"): try literal("true"); return .bool
        case UInt8(ascii: "f"): try literal("false"); return .bool
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), 0x30...0x39: try scanNumber(); return .number
        default: throw fail("unexpected byte 0x\(String(input[position], radix: 16))")
        }
    }

    /// Skips a nested object or array without recursion: a bit per open container (1 = object) is
    /// enough to know what may follow.
    private mutating func skipContainer(depth: Int) throws(Failure) -> Kind {
        let kind: Kind = input[position] == UInt8(ascii: "{") ? .object : .array
        var stack: [Bool] = []  // true: object
        stack.reserveCapacity(8)
        var needOpen = true
        while true {
            if needOpen {
                let isObject = input[position] == UInt8(ascii: "{")
                position += 1
                guard depth + stack.count + 1 <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
                stack.append(isObject)
                skipWhitespace()
                guard let b = peek() else { throw fail("unterminated \(isObject ? "object" : "array")") }
                if b == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    stack.removeLast()
                    if stack.isEmpty { return kind }
                    if try !afterValue(&stack) { return kind }
                    needOpen = false
                    continue
                }
                if isObject { try memberName() }
            }
            // A value is due at `position`.
            skipWhitespace()
            guard let b = peek() else { throw fail("expected a value") }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                needOpen = true
                continue
            }
            needOpen = false
            _ = try skipValue(depth: depth + stack.count)
            if try !afterValue(&stack) { return kind }
        }
    }

    /// After a value inside the containers of `stack`: consumes `,` (and the next member name) or the
    /// closing brackets. Returns false when the outermost container closed.
    private mutating func afterValue(_ stack: inout [Bool]) throws(Failure) -> Bool {
        while true {
            skipWhitespace()
            guard let b = peek() else { throw fail("unterminated \(stack.last! ? "object" : "array")") }
            let isObject = stack.last!
            if b == UInt8(ascii: ",") {
                position += 1
                if isObject { skipWhitespace(); try memberName() }
                return true
            }
            if b == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                position += 1
                stack.removeLast()
                if stack.isEmpty { return false }
                continue
            }
            throw fail("expected ',' or '\(isObject ? "}" : "]")'")
        }
    }

    /// A member name and its colon.
    private mutating func memberName() throws(Failure) {
        skipWhitespace()
        guard peek() == 0x22 else { throw fail("expected a member name") }
        _ = try scanString()
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
        position += 1
    }

    /// The decoded text of a scanned string.
    func string(_ r: StringRange) -> String {
        let slice = UnsafeBufferPointer(rebasing: input[r.start..<r.end])
        if !r.escaped { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(r.end - r.start)
        JSONScanner.unescape(slice, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the decoded bytes of a string's contents (already validated) to `out`.
    static func unescape(_ s: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let base = s.baseAddress else { return }
        var i = 0
        while i < s.count {
            // The bytes up to the next backslash are copied as they are, in one piece.
            let next = memchr(base + i, 0x5C, s.count - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? s.count
            if next > i {
                out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: next - i))
                i = next
                continue
            }
            // Validated when scanned: the replacement character is never written.
            var scalar: UInt32 = 0xFFFD
            do throws(JSONSyntaxError) { scalar = try JSONGrammar.escape(s, &i) } catch { i = max(i, next + 1) }
            let (bytes, count) = JSONGrammar.utf8(scalar)
            for k in 0..<count { out.append(UInt8(truncatingIfNeeded: bytes >> UInt32(8 * k))) }
        }
    }
}

/// Whether `bytes` hold exactly the ASCII text `literal`.
@inline(__always)
func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    let n = literal.utf8CodeUnitCount
    guard bytes.count == n else { return false }
    let p = literal.utf8Start
    var i = 0
    while i < n {
        if bytes[i] != p[i] { return false }
        i += 1
    }
    return true
}
