import AGJSON

/// Reads the top level of one event: which known members it has, what kind of value each holds and
/// where. One reader is reused for every event of a stream, so reading allocates nothing for members
/// it knows. A class, not a struct: the validator asks it many small questions per event, and as a stored
/// struct it was copied whole (its arrays retained and released) for some of them.
final class EventReader {
    struct Slot {
        var kind: JSONScanner.Kind = .null
        var start = 0        // value's first byte (for a string: its first content byte)
        var end = 0          // one past the value's last byte (for a string: before the closing quote)
        var escaped = false  // a string holding escapes
    }

    private(set) var slots = [Slot](repeating: Slot(), count: EventField.allCases.count)
    private(set) var present: UInt64 = 0
    /// Member names the validator does not know, kept only to find duplicates and name hints.
    private(set) var unknownKeys: [String] = []
    private(set) var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// Values parsed while reading: the member an event of its type is about (a STATE_SNAPSHOT's
    /// `snapshot`, a STATE_DELTA's `delta`, ...) when `type` came first, as it does from every SDK. Parsing
    /// it there, instead of checking it here and parsing it later, reads it once.
    private(set) var parsed: [JSONValue?] = Array(repeating: nil, count: EventField.allCases.count)
    private var parsedMask: UInt64 = 0
    /// The patch of a STATE_DELTA's `delta` or an ACTIVITY_DELTA's `patch`, when it was read directly as
    /// operations (`JSONParser.readPatch(prefixOf:)`) instead of as a value.
    private var parsedPatch: JSONPatch?
    private var parsedPatchField: EventField?

    enum Outcome {
        case event
        case notJSON(String, offset: Int)
        case notObject(JSONScanner.Kind)
        case duplicate(String)
    }

    func read(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Outcome {
        input = bytes
        present = 0
        if parsedPatchField != nil { parsedPatch = nil; parsedPatchField = nil }
        if parsedMask != 0 {
            for f in 0..<parsed.count where parsedMask & (UInt64(1) << f) != 0 { parsed[f] = nil }
            parsedMask = 0
        }
        var eventType: EventType? = nil
        if !unknownKeys.isEmpty { unknownKeys.removeAll(keepingCapacity: true) }
        var scanner = JSONScanner(bytes, maxDepth: maxDepth)
        do throws(JSONScanner.Failure) {
            scanner.skipWhitespace()
            guard let first = scanner.peek() else { return .notJSON("empty event", offset: 0) }
            if first != UInt8(ascii: "{") {
                let kind = try scanner.skipValue(depth: 0)
                scanner.skipWhitespace()
                if scanner.position != bytes.count { throw scanner.fail("unexpected data after the value") }
                return .notObject(kind)
            }
            scanner.position += 1
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}") {
                scanner.position += 1
            } else {
                while true {
                    scanner.skipWhitespace()
                    guard scanner.peek() == 0x22 else { throw scanner.fail("expected a member name") }
                    let key = try scanner.scanString()
                    scanner.skipWhitespace()
                    guard scanner.peek() == UInt8(ascii: ":") else { throw scanner.fail("expected ':' after a member name") }
                    scanner.position += 1
                    scanner.skipWhitespace()
                    let valueStart = scanner.position
                    let isString = scanner.peek() == 0x22
                    let field: EventField?
                    var keyText: String? = nil
                    if key.escaped {
                        let text = scanner.string(key)
                        keyText = text
                        field = text.utf8.withContiguousStorageIfAvailable { EventField.lookup($0) } ?? nil
                    } else {
                        field = EventField.lookup(UnsafeBufferPointer(rebasing: bytes[key.start..<key.end]))
                    }
                    var stringRange = JSONScanner.StringRange(start: 0, end: 0, escaped: false)
                    let kind: JSONScanner.Kind
                    if isString {
                        stringRange = try scanner.scanString()
                        kind = .string
                        if field == .type, present == 0, !stringRange.escaped {
                            eventType = EventType.lookup(UnsafeBufferPointer(rebasing: bytes[stringRange.start..<stringRange.end]))
                        }
                    } else if let field, let eventType, eventType.parsesWhole(field), present & (UInt64(1) << field.rawValue) == 0 {
                        let rest = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[valueStart...])
                        let options = ParseOptions(limits: JSONLimits(maxDepth: maxDepth - 1))
                        if field == .delta || field == .patch, let (patch, length) = JSONParser.readPatch(prefixOf: rest, options: options) {
                            // A patch in the usual form becomes operations directly (anything else is parsed
                            // as a value below and read as a patch later, with the same verdicts).
                            parsedPatch = patch
                            parsedPatchField = field
                            scanner.position = valueStart + length
                            kind = .array
                        } else {
                        do {
                            let (value, length) = try JSONParser.parse(prefixOf: rest, options: options)
                            parsed[Int(field.rawValue)] = value
                            parsedMask |= UInt64(1) << field.rawValue
                            scanner.position = valueStart + length
                            kind = value.scanKind
                        } catch {
                            return .notJSON("\"\(field.key)\": \(error.message)", offset: valueStart + (error.offset ?? 0))
                        }
                        }
                    } else {
                        kind = try scanner.skipValue(depth: 1)
                    }
                    if let field {
                        let bit = UInt64(1) << field.rawValue
                        if present & bit != 0 { return .duplicate(field.key) }
                        present |= bit
                        slots[Int(field.rawValue)] = isString
                            ? Slot(kind: .string, start: stringRange.start, end: stringRange.end, escaped: stringRange.escaped)
                            : Slot(kind: kind, start: valueStart, end: scanner.position, escaped: false)
                    } else {
                        let text = keyText ?? scanner.string(key)
                        if unknownKeys.contains(text) { return .duplicate(text) }
                        unknownKeys.append(text)
                    }
                    scanner.skipWhitespace()
                    guard let b = scanner.peek() else { throw scanner.fail("unterminated object") }
                    scanner.position += 1
                    if b == UInt8(ascii: ",") { continue }
                    if b == UInt8(ascii: "}") { break }
                    throw JSONScanner.Failure(message: "expected ',' or '}'", offset: scanner.position - 1)
                }
            }
            scanner.skipWhitespace()
            if scanner.position != bytes.count { throw scanner.fail("unexpected data after the event") }
            return .event
        } catch {
            return .notJSON(error.message, offset: error.offset)
        }
    }

    @inline(__always)
    func has(_ f: EventField) -> Bool { present & (UInt64(1) << f.rawValue) != 0 }

    @inline(__always)
    func slot(_ f: EventField) -> Slot? { has(f) ? slots[Int(f.rawValue)] : nil }

    func kind(_ f: EventField) -> JSONScanner.Kind? { slot(f)?.kind }

    /// The raw bytes of a member's value (a string's contents without quotes, still escaped).
    func bytes(_ s: Slot) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: input[s.start..<s.end])
    }

    /// The decoded text of a string member, or nil when absent or not a string.
    func string(_ f: EventField) -> String? {
        guard let s = slot(f), s.kind == .string else { return nil }
        return JSONScanner(input).string(JSONScanner.StringRange(start: s.start, end: s.end, escaped: s.escaped))
    }

    /// A member's value parsed while reading, if it was.
    func parsedPatch(_ f: EventField) -> JSONPatch? { parsedPatchField == f ? parsedPatch : nil }

    func parsedValue(_ f: EventField) -> JSONValue? { parsedMask & (UInt64(1) << f.rawValue) != 0 ? parsed[Int(f.rawValue)] : nil }

    /// The raw bytes of an unescaped string member (nil when absent, not a string, or escaped).
    func rawString(_ f: EventField) -> UnsafeBufferPointer<UInt8>? {
        guard let s = slot(f), s.kind == .string, !s.escaped else { return nil }
        return bytes(s)
    }

    /// Whether an unescaped string member holds exactly `raw`.
    @inline(__always)
    func rawEquals(_ f: EventField, _ raw: [UInt8]) -> Bool {
        guard let s = slot(f), s.kind == .string, !s.escaped, s.end - s.start == raw.count else { return false }
        return raw.withUnsafeBufferPointer { r in
            var i = 0
            while i < r.count {
                if r[i] != input[s.start + i] { return false }
                i += 1
            }
            return true
        }
    }

    /// Whether a string member equals `text` (compared on decoded bytes).
    func stringEquals(_ f: EventField, _ text: StaticString) -> Bool {
        guard let s = slot(f), s.kind == .string else { return false }
        if s.escaped { return string(f) == text.description }
        let n = text.utf8CodeUnitCount
        guard s.end - s.start == n else { return false }
        let p = text.utf8Start
        for k in 0..<n where input[s.start + k] != p[k] { return false }
        return true
    }

    /// Appends a string member's decoded bytes to `out`.
    func appendString(_ f: EventField, to out: inout [UInt8]) {
        guard let s = slot(f), s.kind == .string else { return }
        let raw = bytes(s)
        if s.escaped { JSONScanner.unescape(raw, into: &out) } else { out.append(contentsOf: raw) }
    }

    /// The whole value of a member as JSON text bytes (for parsing with `JSONParser`).
    func valueBytes(_ f: EventField) -> UnsafeBufferPointer<UInt8>? {
        guard let s = slot(f) else { return nil }
        if s.kind == .string { return UnsafeBufferPointer(rebasing: input[(s.start - 1)..<(s.end + 1)]) }
        return bytes(s)
    }
}

extension EventType {
    /// The member an event of this type is about, which the validator parses whole anyway.
    func parsesWhole(_ field: EventField) -> Bool {
        switch (self, field) {
        case (.stateSnapshot, .snapshot), (.stateDelta, .delta), (.activityDelta, .patch), (.activitySnapshot, .content),
             (.messagesSnapshot, .messages), (.runStarted, .input):
            return true
        default:
            return false
        }
    }
}

extension JSONValue {
    var scanKind: JSONScanner.Kind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }
}
