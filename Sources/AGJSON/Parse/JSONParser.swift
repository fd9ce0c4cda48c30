/// A strict RFC 8259 parser over raw UTF-8 bytes.
///
/// Rejects what RFC 8259 and I-JSON (RFC 7493) reject: invalid UTF-8, lone surrogate escapes, control
/// characters in strings, trailing commas, comments, NaN/Infinity, leading zeros, duplicate member
/// names (unless allowed by name), numbers outside the range of a double, and nesting deeper than the
/// limit. Every error names the byte offset where it was found.
public struct JSONParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, options: ParseOptions = .strict) throws(AGError) -> JSONValue {
        guard bytes.count <= options.limits.maxInputBytes else {
            throw AGError(.limitExceeded, "input of \(bytes.count) bytes exceeds the limit of \(options.limits.maxInputBytes) bytes")
        }
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self), options: options)
        defer { parser.free() }
        return try parser.parseDocument()
    }

    /// Parses the one value that `bytes` begin with (after optional whitespace) and returns it with the
    /// number of bytes it took; what follows is not looked at. For readers that find a value inside a
    /// larger text they scan themselves (an AG-UI event's `snapshot`), so that it is read once, not twice.
    public static func parse(prefixOf bytes: UnsafeRawBufferPointer, options: ParseOptions = .strict) throws(AGError) -> (value: JSONValue, length: Int) {
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self), options: options)
        defer { parser.free() }
        parser.skipWhitespace()
        if parser.position == parser.input.count { throw parser.fail("no value") }
        let value = try parser.parseValue()
        return (value, parser.position)
    }

    public static func parse(_ text: String, options: ParseOptions = .strict) throws(AGError) -> JSONValue {
        var text = text
        do {
            return try text.withUTF8 { utf8 in try parse(UnsafeRawBufferPointer(utf8), options: options) }
        } catch let error as AGError {
            throw error
        } catch {
            throw AGError(.internal, "\(error)")
        }
    }

    public static func parse(_ bytes: [UInt8], options: ParseOptions = .strict) throws(AGError) -> JSONValue {
        do {
            return try bytes.withUnsafeBytes { raw in try parse(raw, options: options) }
        } catch let error as AGError {
            throw error
        } catch {
            throw AGError(.internal, "\(error)")
        }
    }

    let input: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private let allowDuplicateKeys: Bool
    private let persistent: Bool
    private let smallStrings = SmallASCII.isAvailable
    var position = 0
    var depth = 0
    private var scratch = MoveStack<UInt8>()
    // Members and elements of the containers being parsed, innermost last: each container is built once,
    // at its final size, when it closes.
    private var memberKeys = MoveStack<String>()
    private var memberValues = MoveStack<JSONValue>()
    private var memberOffsets = MoveStack<Int>()
    private var elements = MoveStack<JSONValue>()
    private var containers = MoveStack<OpenContainer>()
    private var shapes = ShapeCache()
    private var predictions = NamePrediction()

    func free() {
        memberKeys.free()
        scratch.free()
        memberValues.free()
        memberOffsets.free()
        elements.free()
        containers.free()
        shapes.free()
        predictions.free()
    }

    init(bytes: UnsafeBufferPointer<UInt8>, options: ParseOptions) {
        input = bytes
        maxDepth = min(options.limits.maxDepth, JSONLimits.depthCeiling)
        allowDuplicateKeys = options.allowDuplicateKeys
        persistent = options.persistentContainers
    }

    private mutating func parseDocument() throws(AGError) -> JSONValue {
        skipWhitespace()
        if position == input.count { throw fail(input.isEmpty ? "empty input" : "no value, only whitespace") }
        let value = try parseValue()
        skipWhitespace()
        if position != input.count { throw fail("unexpected \(describeByte()) after the value") }
        return value
    }

    @inline(never)
    private func fail(_ message: String, at offset: Int? = nil) -> AGError {
        let where_ = offset ?? position
        return AGError(.invalidJSON, "invalid JSON at byte \(where_): \(message)", offset: where_)
    }

    @inline(never)
    private func fail(_ error: JSONSyntaxError) -> AGError {
        fail(error.message(input), at: error.offset)
    }

    @inline(never)
    private func describeByte() -> String {
        guard position < input.count else { return "end of input" }
        let b = input[position]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// A container being read: where its members or elements begin on the stacks.
    private struct OpenContainer {
        var isObject: Bool
        /// Where its elements, or its member names (and their offsets), begin on their stacks.
        var base: Int
        /// Where its member values begin (the name of the member being read is pushed before its value).
        var valueBase = 0
        /// An object's slot in `predictions`, and the shape predicted there when it opened. Held here, not
        /// looked up again: an object nested inside may put another shape in the same slot.
        var slot: Int32 = 0
        var shape: ObjectShape? = nil
        /// The shape's expected names while this object's names so far are those; nil once one is not.
        var expected: UnsafeMutablePointer<ObjectShape.ExpectedName>? = nil
        var predictable: Int32 = 0
    }

    /// Reads one value. Nesting is followed with an explicit stack of open containers, not by recursion,
    /// so that a deep document costs heap, not the calling thread's stack (recursive, each level took
    /// about 2 KB of it: 512 levels, the default limit, were more than a 512 KB thread has).
    mutating func parseValue() throws(AGError) -> JSONValue {
        let outermost = containers.count
        readValue: while true {
            skipWhitespace()
            guard position < input.count else { throw fail("unexpected end of input, a value was expected") }
            var value: JSONValue
            switch input[position] {
            case UInt8(ascii: "{"):
                try enterContainer()
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    value = .object(JSONObject())
                } else {
                    let parent: String? = memberKeys.count > 0 ? memberKeys.base[memberKeys.count - 1] : nil
                    let slot = NamePrediction.slot(level: containers.count, parent: parent, smallStrings: smallStrings)
                    let shape = predictions.shape(slot)
                    containers.push(OpenContainer(isObject: true, base: memberKeys.count, valueBase: memberValues.count,
                                                  slot: slot, shape: shape, expected: shape?.expected,
                                                  predictable: shape?.predictable ?? 0))
                    try readMemberName()
                    continue readValue
                }
            case UInt8(ascii: "["):
                try enterContainer()
                position += 1
                skipWhitespace()
                if position < input.count && input[position] == UInt8(ascii: "]") {
                    position += 1
                    depth -= 1
                    value = .array(JSONArray())
                } else {
                    containers.push(OpenContainer(isObject: false, base: elements.count))
                    continue readValue
                }
            case UInt8(ascii: "\""): value = .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try parseNumber())
            default:
                throw unexpected("a value was expected")
            }
            // A value is complete: it goes to the innermost open container; a container that ends with it
            // is complete in turn.
            while containers.count > outermost {
                // Read in place: a copy of the container would retain and release its expected names.
                if containers.base[containers.count - 1].isObject {
                    memberValues.push(consume value)
                    skipWhitespace()
                    guard position < input.count else { throw fail("unterminated object") }
                    let b = input[position]
                    position += 1
                    if b == UInt8(ascii: ",") {
                        try readMemberName()
                        continue readValue
                    }
                    guard b == UInt8(ascii: "}") else {
                        position -= 1
                        throw expected("',' or '}' in object")
                    }
                    depth -= 1
                    value = .object(try buildObject(containers.pop()))
                } else {
                    elements.push(consume value)
                    skipWhitespace()
                    guard position < input.count else { throw fail("unterminated array") }
                    let b = input[position]
                    position += 1
                    if b == UInt8(ascii: ",") {
                        skipWhitespace()
                        if position < input.count && input[position] == UInt8(ascii: "]") { throw fail("trailing comma in array") }
                        continue readValue
                    }
                    guard b == UInt8(ascii: "]") else {
                        position -= 1
                        throw expected("',' or ']' in array")
                    }
                    depth -= 1
                    value = .array(finishArray(from: containers.pop().base))
                }
            }
            return value
        }
    }

    /// Reads a member name (onto the name stack) and the ':' after it.
    private mutating func readMemberName() throws(AGError) {
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: "\"") else {
            if position < input.count && input[position] == UInt8(ascii: "}") { throw fail("trailing comma in object") }
            throw expected("a member name string")
        }
        let offset = position
        let top = containers.base + (containers.count - 1)
        if let expected = top.pointee.expected {
            let index = memberKeys.count - top.pointee.base
            // A predicted name is pushed by `take` itself.
            let predicted = index < Int(top.pointee.predictable)
                && NamePrediction.take(expected + index, from: input, at: &position, into: &memberKeys)
            if !predicted {
                top.pointee.expected = nil
                memberKeys.push(try parseString())
            }
        } else {
            memberKeys.push(try parseString())
        }
        memberOffsets.push(offset)
        skipWhitespace()
        guard position < input.count, input[position] == UInt8(ascii: ":") else {
            throw expected("':' after a member name")
        }
        position += 1
    }

    /// The error for an unexpected byte. Errors are built out of line: inlined into the recursive
    /// functions, their string building made every level of nesting take kilobytes of stack.
    @inline(never)
    private func unexpected(_ expectation: String) -> AGError {
        fail("unexpected \(describeByte()), \(expectation)")
    }

    @inline(never)
    private mutating func expectLiteral(_ literal: StaticString) throws(AGError) {
        let count = literal.utf8CodeUnitCount
        let start = position
        guard input.count - position >= count else { throw fail("invalid literal", at: start) }
        let base = literal.utf8Start
        for i in 0..<count where input[position + i] != base[i] {
            throw fail("invalid literal", at: start)
        }
        position += count
    }

    @inline(never)
    private mutating func enterContainer() throws(AGError) {
        depth += 1
        if depth > maxDepth {
            throw AGError(.limitExceeded, "nesting deeper than the limit of \(maxDepth) at byte \(position)", offset: position)
        }
    }

    @inline(never)
    private func expected(_ what: String) -> AGError {
        fail("expected \(what), found \(describeByte())")
    }

    @inline(never)
    private mutating func finishArray(from base: Int) -> JSONArray {
        JSONArray(elements.moveArray(from: base), persistent: persistent)
    }

    /// The object whose members were parsed onto the stacks from `base`: duplicate names are an error (or,
    /// when allowed, the last one wins).
    @inline(never)
    private mutating func buildObject(_ container: consuming OpenContainer) throws(AGError) -> JSONObject {
        let base = container.base
        let valueBase = container.valueBase
        let end = memberKeys.count
        let keys = memberKeys.base
        var duplicate: Int?
        let count = end - base
        let shareable = ShapeCache.counts.contains(count)
        if container.expected != nil, let shape = container.shape {
            let expected = shape.names
            if expected.count == count {
                // Every name was the predicted one: the names of an object built before, distinct, shared.
                dropNames(from: base)
                memberOffsets.drop(from: base)
                return JSONObject(distinctKeys: expected, values: memberValues.moveArray(from: valueBase), persistent: persistent)
            }
        }
        if shareable, let shape = shapes.match(keys + base, count: count, smallStrings: smallStrings) {
            // The names of an object built before, in the same order: distinct, and shared.
            dropNames(from: base)
            memberOffsets.drop(from: base)
            predictions.remember(shape, in: container.slot)
            return JSONObject(distinctKeys: shape.names, values: memberValues.moveArray(from: valueBase), persistent: persistent)
        }
        if end - base <= 16 {
            outer: for i in (base + 1)..<max(end, base + 1) {
                for j in base..<i where NameBytes.equal(keys[j], keys[i]) {
                    duplicate = i
                    break outer
                }
            }
        } else if JSONObject.takesLargeForm(end - base, persistent: persistent) {
            // The large form's trie finds a repeated name while it is built.
            let names = memberKeys.moveArray(from: base)
            let values = memberValues.moveArray(from: valueBase)
            let (object, repeated) = JSONObject.large(checkingKeys: names, values: values)
            if let object {
                memberOffsets.drop(from: base)
                return object
            }
            return try objectWithDuplicate(names, values, at: base + repeated, base: base)
        } else {
            // The indexed form: its name table is built once, finding a repeated name on the way.
            let names = memberKeys.moveArray(from: base)
            let values = memberValues.moveArray(from: valueBase)
            let (list, repeated) = NameList.checking(names)
            guard let list else { return try objectWithDuplicate(names, values, at: base + repeated, base: base) }
            memberOffsets.drop(from: base)
            return JSONObject(indexed: list, values: values)
        }
        guard let duplicate else {
            memberOffsets.drop(from: base)
            let names = memberKeys.moveArray(from: base)
            if shareable {
                predictions.remember(shapes.remember(names, smallStrings: smallStrings), in: container.slot)
            }
            return JSONObject(distinctKeys: names, values: memberValues.moveArray(from: valueBase), persistent: persistent)
        }
        let names = memberKeys.moveArray(from: base)
        let values = memberValues.moveArray(from: valueBase)
        return try objectWithDuplicate(names, values, at: duplicate, base: base)
    }

    /// Drops the member names from `base` on. Inline names hold no reference, so only the others are
    /// released: the standard library's destroy of a run of names, a generic call into the runtime, cost
    /// more than comparing them with the shape they matched.
    @inline(__always)
    private mutating func dropNames(from base: Int) {
        guard smallStrings else { memberKeys.drop(from: base); return }
        for i in base..<memberKeys.count where !SmallASCII.isInline(memberKeys.base[i]) {
            (memberKeys.base + i).deinitialize(count: 1)
        }
        memberKeys.forget(from: base)
    }

    /// The object whose member at stack index `duplicate` repeats an earlier name: an error, or, when
    /// duplicates are allowed, the object where the last one wins.
    @inline(never)
    private mutating func objectWithDuplicate(_ names: [String], _ values: [JSONValue], at duplicate: Int,
                                              base: Int) throws(AGError) -> JSONObject {
        let offset = memberOffsets.base[duplicate]
        memberOffsets.drop(from: base)
        guard allowDuplicateKeys else {
            throw fail("duplicate member name \"\(names[duplicate - base])\"", at: offset)
        }
        var object = JSONObject()
        for i in names.indices { object.set(names[i], values[i]) }
        return object
    }

    // MARK: strings

    @inline(never)
    mutating func parseString() throws(AGError) -> String {
        let start = position
        position += 1
        // Fast path: plain ASCII with no escapes becomes a String without copying twice.
        var i = UTF8Check.plainRun(input, from: position)
        if i < input.count && input[i] == UInt8(ascii: "\"") {
            let count = i - position
            if count <= SmallASCII.maxCount && smallStrings {
                let s = input.count - position >= 16 ? SmallASCII.make(wordsFrom: input.baseAddress! + position, count: count)
                                                      : SmallASCII.make(from: input.baseAddress! + position, count: count)
                position = i + 1
                return s
            }
            let s = String(decoding: UnsafeBufferPointer(rebasing: input[position..<i]), as: UTF8.self)
            position = i + 1
            return s
        }
        // Multi-byte UTF-8 sequences alone do not need the scratch buffer either: checked here, the text is
        // made from the input directly when no escape follows.
        while i < input.count && input[i] >= 0x80 {
            // An invalid sequence is reported by the loop below, when it reaches it.
            guard case .valid(let length) = UTF8Check.sequence(input, at: i) else { break }
            i = UTF8Check.plainRun(input, from: i + length)
        }
        if i < input.count && input[i] == UInt8(ascii: "\"") {
            let s = String(decoding: UnsafeBufferPointer(rebasing: input[position..<i]), as: UTF8.self)
            position = i + 1
            return s
        }
        // Escapes: the text is decoded into the scratch buffer, plain runs copied whole (a string holding
        // JSON text, such as a tool call's arguments, has an escape every few bytes).
        scratch.forget(from: 0)
        scratch.reserve(2 * (i - position) + 32)
        scratch.append(UnsafeBufferPointer(rebasing: input[position..<i]))
        position = i
        while true {
            guard position < input.count else { throw fail("unterminated string", at: start) }
            let b = input[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                return scratch.string
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                throw fail(JSONSyntaxError(.controlCharacter, at: position, Int(b)))
            case 0x80...:
                try copyUTF8Sequence()
            default:
                scratch.push(b)
                position += 1
            }
            let end = UTF8Check.plainRun(input, from: position)
            if end > position {
                scratch.append(UnsafeBufferPointer(rebasing: input[position..<end]))
                position = end
            }
        }
    }

    /// Decodes the escape at `position` into the scratch buffer.
    private mutating func parseEscape() throws(AGError) {
        let scalar: UInt32
        do throws(JSONSyntaxError) {
            scalar = try JSONGrammar.escape(input, &position)
        } catch {
            throw fail(error)
        }
        let (bytes, count) = JSONGrammar.utf8(scalar)
        scratch.push(bytes: bytes, count: count)
    }

    /// Validates one multi-byte UTF-8 sequence and copies it.
    private mutating func copyUTF8Sequence() throws(AGError) {
        let length: Int
        do throws(JSONSyntaxError) {
            length = try JSONGrammar.utf8Sequence(input, at: position)
        } catch {
            throw fail(error)
        }
        scratch.append(UnsafeBufferPointer(rebasing: input[position..<(position + length)]))
        position += length
    }

    // MARK: numbers

    @inline(never)
    private mutating func parseNumber() throws(AGError) -> JSONNumber {
        let start = position
        let shape: JSONGrammar.NumberShape
        do throws(JSONSyntaxError) {
            shape = try JSONGrammar.scanNumber(input, &position)
        } catch {
            throw fail(error)
        }
        if shape.integral {
            // Accumulate negatively so that Int64.min parses exactly.
            let negative = input[start] == UInt8(ascii: "-")
            var value: Int64 = 0
            var overflow = false
            var i = negative ? start + 1 : start
            while i < shape.integerEnd {
                let d = Int64(input[i] - UInt8(ascii: "0"))
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(d)
                if o1 || o2 { overflow = true; break }
                value = s
                i += 1
            }
            if !overflow {
                if negative { return .int(value) }
                if value != Int64.min { return .int(-value) }
            }
            return .bigInteger(String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self))
        }
        do throws(JSONSyntaxError) {
            return .double(try JSONGrammar.double(input, start, position, nonZeroDigit: shape.nonZeroDigit))
        } catch {
            throw fail(error)
        }
    }
}
