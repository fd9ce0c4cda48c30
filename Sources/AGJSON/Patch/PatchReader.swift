extension JSONParser {
    /// Reads patch text straight into operations: only the operations' values become `JSONValue`s, not
    /// the array and objects around them (that tree cost as much as the rest of a 1-op store patch).
    ///
    /// Returns nil for anything out of the ordinary (a malformed document, a member other than `op`,
    /// `path`, `from` and `value`, one of them twice or mistyped, an unknown `op`, an invalid pointer),
    /// and the caller then takes the general way, which accepts or rejects it with the exact error. So
    /// a patch read here is always the one the general way reads.
    static func readPatch(_ bytes: UnsafeRawBufferPointer, options: ParseOptions) -> JSONPatch? {
        guard bytes.count <= options.limits.maxInputBytes, options.limits.maxDepth >= 2 else { return nil }
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self), options: options)
        defer { parser.free() }
        guard let patch = parser.readOperations() else { return nil }
        parser.skipWhitespace()
        return parser.position == parser.input.count ? patch : nil
    }

    /// Like `readPatch`, for the patch that `bytes` begin with (after optional whitespace): the patch and
    /// the number of bytes it took, what follows not looked at (`parse(prefixOf:)` for patches). For an
    /// AG-UI event's `delta`, read while the event is scanned.
    package static func readPatch(prefixOf bytes: UnsafeRawBufferPointer, options: ParseOptions) -> (patch: JSONPatch, length: Int)? {
        guard options.limits.maxDepth >= 2 else { return nil }
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self), options: options)
        defer { parser.free() }
        guard let patch = parser.readOperations() else { return nil }
        return (patch, parser.position)
    }

    /// Reads `[ operation, ... ]`, stopping after the `]`.
    private mutating func readOperations() -> JSONPatch? {
        skipWhitespace()
        guard next(is: "[") else { return nil }
        var operations: [PatchOperation] = []
        skipWhitespace()
        if !next(is: "]") {
            repeat {
                guard let operation = readOperation() else { return nil }
                operations.append(consume operation)
                skipWhitespace()
            } while next(is: ",")
            guard next(is: "]") else { return nil }
        }
        return JSONPatch(operations)
    }

    /// The member names a patch operation is read from.
    private enum Member { case op, path, from, value }

    private mutating func readOperation() -> PatchOperation? {
        skipWhitespace()
        guard next(is: "{") else { return nil }
        var op: String?
        var path: JSONPointer?
        var from: JSONPointer?
        var value: JSONValue?
        repeat {
            skipWhitespace()
            guard let member = readMemberName() else { return nil }
            skipWhitespace()
            guard next(is: ":") else { return nil }
            skipWhitespace()
            guard position < input.count else { return nil }
            switch member {
            case .op:
                guard op == nil, input[position] == UInt8(ascii: "\""), let text = try? parseString() else { return nil }
                op = text
            case .path, .from:
                guard (member == .path ? path : from) == nil, let pointer = readPointer() else { return nil }
                if member == .path { path = pointer } else { from = pointer }
            case .value:
                guard value == nil else { return nil }
                depth = 2 // inside the patch's array and the operation's object
                guard let parsed = try? parseValue() else { return nil }
                value = parsed
            }
            skipWhitespace()
        } while next(is: ",")
        guard next(is: "}"), let op, let path else { return nil }
        switch op {
        case "add": return value.map { .add(path: path, value: $0) }
        case "remove": return .remove(path: path)
        case "replace": return value.map { .replace(path: path, value: $0) }
        case "test": return value.map { .test(path: path, value: $0) }
        case "move": return from.map { .move(from: $0, path: path) }
        case "copy": return from.map { .copy(from: $0, path: path) }
        default: return nil
        }
    }

    /// Reads a string holding a JSON Pointer; nil when it is not a string or not a valid pointer.
    private mutating func readPointer() -> JSONPointer? {
        guard input[position] == UInt8(ascii: "\"") else { return nil }
        let end = UTF8Check.plainRun(input, from: position + 1)
        if end < input.count && input[end] == UInt8(ascii: "\"") {
            // Plain ASCII: split straight from the input, with no String for the whole text.
            defer { position = end + 1 }
            return JSONPointer(validUTF8: UnsafeBufferPointer(rebasing: input[(position + 1)..<end]))
        }
        guard let text = try? parseString() else { return nil }
        return try? JSONPointer(parsing: text)
    }

    /// Reads one of the four member names, written plainly (no escapes); nil for any other name.
    private mutating func readMemberName() -> Member? {
        guard next(is: "\"") else { return nil }
        let start = position
        while position < input.count && input[position] != UInt8(ascii: "\"") {
            guard input[position] != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        guard position < input.count else { return nil }
        let count = position - start
        position += 1
        // The names packed into one integer, first byte lowest (the generic `elementsEqual` cost about a
        // thousand instructions an operation).
        var word: UInt64 = 0
        guard count <= 5 else { return nil }
        for i in 0..<count { word |= UInt64(input[start + i]) << (8 * i) }
        switch word {
        case 0x70_6F: return .op // "op"
        case 0x68_74_61_70: return .path // "path"
        case 0x6D_6F_72_66: return .from // "from"
        case 0x65_75_6C_61_76: return .value // "value"
        default: return nil
        }
    }

    /// Takes the next byte when it is `byte`.
    @inline(__always)
    private mutating func next(is byte: Unicode.Scalar) -> Bool {
        guard position < input.count, input[position] == UInt8(ascii: byte) else { return false }
        position += 1
        return true
    }
}
