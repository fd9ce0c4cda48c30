/// An RFC 6901 JSON Pointer: `""` is the whole document, `"/"` the member named "", `~0` is `~` and
/// `~1` is `/` inside a reference token.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens, outermost first.
    public let tokens: [String]

    public static let root = JSONPointer(tokens: [])

    public init(tokens: [String]) { self.tokens = tokens }

    /// Pointers are equal when their tokens have the same bytes, as member names compare (`NameBytes`):
    /// `/é` composed and decomposed name two members, so they are two pointers, for a move's check that
    /// it does not go into its own child, for compaction and for the places a change touched.
    public static func == (a: JSONPointer, b: JSONPointer) -> Bool {
        a.tokens.count == b.tokens.count && a.hasPrefix(b.tokens, count: b.tokens.count)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens.count)
        for token in tokens { hasher.combine(NameBytes.hash(token)) }
    }

    /// Parses pointer text. Fails with `invalidPointer` unless the text is `""` or starts with `/` and every
    /// `~` is followed by `0` or `1`.
    public init(parsing text: String) throws(AGError) {
        if text.isEmpty { tokens = []; return }
        var contiguous = text
        let split = contiguous.withUTF8 { JSONPointer.split($0) }
        switch split {
        case .tokens(let parsed):
            tokens = parsed
        case .noLeadingSlash:
            throw AGError(.invalidPointer, "JSON Pointer \"\(text)\" must be empty or start with '/'", pointer: text)
        case .badTilde:
            throw AGError(.invalidPointer, "JSON Pointer \"\(text)\" has '~' not followed by '0' or '1'", pointer: text)
        }
    }

    /// Parses pointer text given as bytes already known to be valid UTF-8 (a JSON string's plain ASCII
    /// run); nil when it is not a valid pointer.
    init?(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.isEmpty { tokens = []; return }
        guard case .tokens(let parsed) = JSONPointer.split(bytes) else { return nil }
        tokens = parsed
    }

    private enum Split {
        case tokens([String])
        case noLeadingSlash
        case badTilde
    }

    /// The reference tokens of non-empty pointer text. A token without `~` becomes a `String` straight
    /// from its bytes (it sits between two `/`, so it is valid UTF-8 when the text is).
    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> Split {
        guard bytes[0] == UInt8(ascii: "/") else { return .noLeadingSlash }
        var result: [String] = []
        var slashes = 0
        for b in bytes where b == UInt8(ascii: "/") { slashes += 1 }
        result.reserveCapacity(slashes)
        var start = 1
        var escaped = false
        var i = 1
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                let token = UnsafeBufferPointer(rebasing: bytes[start..<i])
                result.append(escaped ? unescape(token) : SmallASCII.string(token))
                start = i + 1
                escaped = false
            } else if bytes[i] == UInt8(ascii: "~") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "0") || bytes[i + 1] == UInt8(ascii: "1") else {
                    return .badTilde
                }
                escaped = true
                i += 1
            }
            i += 1
        }
        return .tokens(result)
    }

    /// A token with `~0` and `~1` (already checked) turned into `~` and `/`.
    private static func unescape(_ token: UnsafeBufferPointer<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.count)
        var i = 0
        while i < token.count {
            if token[i] == UInt8(ascii: "~") {
                bytes.append(token[i + 1] == UInt8(ascii: "0") ? UInt8(ascii: "~") : UInt8(ascii: "/"))
                i += 2
            } else {
                bytes.append(token[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses pointer text given as UTF-8 bytes, checking that they are valid UTF-8.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(AGError) {
        guard let text = JSONPointer.validUTF8(bytes) else {
            throw AGError(.invalidPointer, "JSON Pointer is not valid UTF-8")
        }
        try self.init(parsing: text)
    }

    static func validUTF8(_ bytes: UnsafeRawBufferPointer) -> String? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): scalars.append(s)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }

    public var isRoot: Bool { tokens.isEmpty }
    public var parent: JSONPointer {
        guard tokens.count > 1 else { return .root }
        var parentTokens: [String] = []
        parentTokens.reserveCapacity(tokens.count - 1)
        for i in 0..<(tokens.count - 1) { parentTokens.append(tokens[i]) }
        return JSONPointer(tokens: parentTokens)
    }
    public var lastToken: String? { tokens.last }

    /// The pointer to member or element `token` of this location (one allocation: `tokens + [token]`
    /// made two, and copied the tokens through the runtime's generic path).
    public func appending(_ token: String) -> JSONPointer {
        var childTokens: [String] = []
        childTokens.reserveCapacity(tokens.count + 1)
        for existing in tokens { childTokens.append(existing) }
        childTokens.append(token)
        return JSONPointer(tokens: childTokens)
    }

    /// True when `self` is `other` or lies inside it.
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        hasPrefix(other.tokens, count: other.tokens.count)
    }

    /// True when `self` is the parent of `other` or lies inside it (`hasPrefix(other.parent)` without
    /// building the parent). False for the root's parent, which does not exist.
    public func hasPrefix(parentOf other: JSONPointer) -> Bool {
        !other.tokens.isEmpty && hasPrefix(other.tokens, count: other.tokens.count - 1)
    }

    private func hasPrefix(_ prefix: [String], count: Int) -> Bool {
        guard count <= tokens.count else { return false }
        var i = 0
        while i < count {
            if !NameBytes.equal(prefix[i], tokens[i]) { return false }
            i += 1
        }
        return true
    }

    /// The length in bytes of the RFC 6901 text, without building it.
    public var encodedLength: Int {
        var total = 0
        for token in tokens {
            let count = token.utf8.count
            total += 1 + count
            // A native string's bytes are read in place; the generic UTF-8 view costs more per byte.
            let escapes = token.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "~") || $1 == UInt8(ascii: "/") ? 1 : 0) }
            } ?? token.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "~") || $1 == UInt8(ascii: "/") ? 1 : 0) }
            total += escapes
        }
        return total
    }

    /// The pointer as RFC 6901 text.
    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            // Most tokens need no escape: appended whole.
            if !token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) {
                text += token
                continue
            }
            for ch in token.unicodeScalars {
                switch ch {
                case "~": text += "~0"
                case "/": text += "~1"
                default: text.unicodeScalars.append(ch)
                }
            }
        }
        return text
    }

    /// The array index that `token` names, per RFC 6901: `0` or digits without a leading zero.
    /// Returns nil for anything else (including `-`).
    public static func arrayIndex(_ token: String) -> Int? {
        let utf8 = token.utf8
        guard let first = utf8.first, utf8.count <= 18 else { return nil }
        if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
        var value = 0
        for b in utf8 {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }
}

extension JSONValue {
    /// The value at `pointer`, or a `pathNotFound` error that names the first part that is missing.
    public func value(at pointer: JSONPointer) throws(AGError) -> JSONValue {
        var current = self
        for (depth, token) in pointer.tokens.enumerated() {
            switch current {
            case .object(let object):
                guard let next = object[token] else {
                    throw JSONValue.notFound(pointer, depth, "has no member \"\(token)\"")
                }
                current = next
            case .array(let array):
                guard let index = JSONPointer.arrayIndex(token) else {
                    throw JSONValue.notFound(pointer, depth, "is an array and \"\(token)\" is not an array index")
                }
                guard index < array.count else {
                    throw JSONValue.notFound(pointer, depth, "has no index \(index) (its length is \(array.count))")
                }
                current = array[index]
            default:
                throw JSONValue.notFound(pointer, depth, "is a \(current.typeName), not a container")
            }
        }
        return current
    }

    /// The value at `pointer`, or nil when there is none.
    public func valueIfPresent(at pointer: JSONPointer) -> JSONValue? {
        try? value(at: pointer)
    }

    static func notFound(_ pointer: JSONPointer, _ depth: Int, _ what: String) -> AGError {
        let reached = JSONPointer(tokens: Array(pointer.tokens.prefix(depth)))
        let place = reached.isRoot ? "the document" : "\"\(reached)\""
        return AGError(.pathNotFound, "path \"\(pointer)\" not found: \(place) \(what)", pointer: pointer.description)
    }
}
