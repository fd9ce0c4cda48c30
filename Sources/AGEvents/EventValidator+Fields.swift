import AGJSON

/// The AG-UI 1.0 event schema: which members each event type requires, and their JSON types.
/// Members the schema does not name are tolerated (receivers must ignore what they do not know).
enum FieldType {
    case string, object, objectOrNull, array, bool, any, stringOrArray
}

struct FieldSpec {
    let field: EventField
    let required: Bool
    let type: FieldType
    init(_ field: EventField, _ required: Bool, _ type: FieldType) {
        self.field = field
        self.required = required
        self.type = type
    }
}

extension EventType {
    var fieldSpecs: [FieldSpec] { EventType.specTable[Int(rawValue)] }

    private static let specTable: [[FieldSpec]] = EventType.allCases.map { $0.makeSpecs() }

    private func makeSpecs() -> [FieldSpec] {
        typealias F = FieldSpec
        switch self {
        case .textMessageStart:
            return [F(.messageId, true, .string), F(.role, false, .string), F(.name, false, .string)]
        case .textMessageContent:
            return [F(.messageId, true, .string), F(.delta, true, .string)]
        case .textMessageEnd:
            return [F(.messageId, true, .string)]
        case .textMessageChunk:
            return [F(.messageId, false, .string), F(.role, false, .string), F(.delta, false, .string), F(.name, false, .string)]
        case .toolCallStart:
            return [F(.toolCallId, true, .string), F(.toolCallName, true, .string), F(.parentMessageId, false, .string)]
        case .toolCallArgs:
            return [F(.toolCallId, true, .string), F(.delta, true, .string)]
        case .toolCallEnd:
            return [F(.toolCallId, true, .string)]
        case .toolCallChunk:
            return [F(.toolCallId, false, .string), F(.toolCallName, false, .string), F(.parentMessageId, false, .string), F(.delta, false, .string)]
        case .toolCallResult:
            return [F(.messageId, true, .string), F(.toolCallId, true, .string), F(.content, true, .stringOrArray), F(.role, false, .string)]
        case .stateSnapshot:
            return [F(.snapshot, true, .any)]
        case .stateDelta:
            return [F(.delta, true, .array)]
        case .messagesSnapshot:
            return [F(.messages, true, .array)]
        case .activitySnapshot:
            return [F(.messageId, true, .string), F(.activityType, true, .string), F(.content, true, .object), F(.replace, false, .bool)]
        case .activityDelta:
            return [F(.messageId, true, .string), F(.activityType, true, .string), F(.patch, true, .array)]
        case .raw:
            return [F(.event, true, .any), F(.source, false, .string)]
        case .custom:
            return [F(.name, true, .string), F(.value, true, .any)]
        case .runStarted:
            return [F(.threadId, true, .string), F(.runId, true, .string), F(.parentRunId, false, .string),
                    F(.input, false, .object), F(.protocolVersion, false, .string)]
        case .runFinished:
            // A null outcome reads as absent (AG-UI 1.0: producers that dump models without leaving out
            // None send it).
            return [F(.threadId, true, .string), F(.runId, true, .string), F(.result, false, .any),
                    F(.outcome, false, .objectOrNull), F(.usage, false, .array)]
        case .runError:
            return [F(.message, true, .string), F(.code, false, .string), F(.usage, false, .array)]
        case .stepStarted, .stepFinished:
            return [F(.stepName, true, .string)]
        case .reasoningStart, .reasoningEnd, .reasoningMessageEnd:
            return [F(.messageId, true, .string)]
        case .reasoningMessageStart:
            return [F(.messageId, true, .string), F(.role, true, .string)]
        case .reasoningMessageContent:
            return [F(.messageId, true, .string), F(.delta, true, .string)]
        case .reasoningMessageChunk:
            return [F(.messageId, false, .string), F(.delta, false, .string)]
        case .reasoningEncryptedValue:
            return [F(.subtype, true, .string), F(.entityId, true, .string), F(.encryptedValue, true, .string)]
        case .subagentStarted:
            return [F(.subagentRunId, true, .string), F(.name, true, .string), F(.description, false, .string),
                    F(.parentSubagentRunId, false, .string), F(.parentToolCallId, false, .string), F(.parentMessageId, false, .string)]
        case .subagentFinished:
            return [F(.subagentRunId, true, .string), F(.result, false, .any), F(.outcome, false, .object)]
        case .subagentError:
            return [F(.subagentRunId, true, .string), F(.message, true, .string), F(.code, false, .string)]
        case .thinkingStart:
            return [F(.title, false, .string)]
        case .thinkingTextMessageContent:
            return [F(.delta, true, .string)]
        case .thinkingEnd, .thinkingTextMessageStart, .thinkingTextMessageEnd:
            return []
        }
    }
}

extension EventValidator {
    /// Checks the members of an event of `type`. Returns false when the event is too malformed for
    /// the sequence rules to read it.
    func checkFields(_ type: EventType) -> Bool {
        var ok = true
        for spec in type.fieldSpecs {
            guard let slot = reader.slot(spec.field) else {
                if spec.required {
                    report(.fieldMissing, "\(type.name) requires \"\(spec.field.key)\"\(camelCaseHint(spec.field))",
                           pointer: "/" + spec.field.key)
                    ok = false
                }
                continue
            }
            let fits: Bool
            switch spec.type {
            case .string: fits = slot.kind == .string
            case .object: fits = slot.kind == .object
            case .objectOrNull: fits = slot.kind == .object || slot.kind == .null
            case .array: fits = slot.kind == .array
            case .bool: fits = slot.kind == .bool
            case .any: fits = true
            case .stringOrArray: fits = slot.kind == .string || slot.kind == .array
            }
            if !fits {
                report(.fieldType, "\"\(spec.field.key)\" of \(type.name) must be \(spec.type.name), not \(slot.kind.name)",
                       pointer: "/" + spec.field.key)
                ok = false
            }
        }
        ok = checkBaseFields(type) && ok
        if ok { ok = checkValues(type) }
        return ok
    }

    private func camelCaseHint(_ field: EventField) -> String {
        guard !reader.unknownKeys.isEmpty else { return "" }
        var snake = ""
        for c in field.key {
            if c.isUppercase { snake += "_" + c.lowercased() } else { snake.append(c) }
        }
        return reader.unknownKeys.contains(snake) ? " (it has \"\(snake)\": AG-UI member names are camelCase)" : ""
    }

    /// `timestamp`, `metadata` and `subagentRunId`, which any event may carry.
    private func checkBaseFields(_ type: EventType) -> Bool {
        var ok = true
        if let slot = reader.slot(.timestamp) {
            sequence.timestampSeen = true
            if slot.kind != .number {
                report(.fieldType, "\"timestamp\" must be a number, not \(slot.kind.name)", pointer: "/timestamp")
                ok = false
            } else if !isSafeInteger(reader.bytes(slot)) {
                report(.fieldValue, "\"timestamp\" must be an integer within ±(2^53 - 1)", pointer: "/timestamp")
                ok = false
            }
        }
        if let slot = reader.slot(.metadata), slot.kind != .object {
            report(.fieldType, "\"metadata\" must be an object, not \(slot.kind.name)", pointer: "/metadata")
            ok = false
        }
        if type != .subagentStarted && type != .subagentFinished && type != .subagentError,
           let slot = reader.slot(.subagentRunId), slot.kind != .string {
            report(.fieldType, "\"subagentRunId\" must be a string, not \(slot.kind.name)", pointer: "/subagentRunId")
            ok = false
        }
        return ok
    }

    /// Checks that need the value, not just its type: enumerations and nested shapes.
    private func checkValues(_ type: EventType) -> Bool {
        switch type {
        case .textMessageStart, .textMessageChunk:
            if reader.has(.role) && !(reader.stringEquals(.role, "assistant") || reader.stringEquals(.role, "user")
                                      || reader.stringEquals(.role, "system") || reader.stringEquals(.role, "developer")) {
                report(.fieldValue, "\"role\" of \(type.name) must be one of developer, system, assistant, user; not \"\(reader.string(.role) ?? "")\"",
                       pointer: "/role")
                return false
            }
        case .toolCallResult:
            if reader.has(.role) && !reader.stringEquals(.role, "tool") {
                report(.fieldValue, "\"role\" of TOOL_CALL_RESULT can only be \"tool\"", pointer: "/role")
                return false
            }
            if reader.kind(.content) == .array {
                return checkParsed(.content) { v, validator in validator.checkContentParts(v, at: "/content") }
            }
        case .reasoningMessageStart:
            if !reader.stringEquals(.role, "reasoning") {
                report(.fieldValue, "\"role\" of REASONING_MESSAGE_START must be \"reasoning\"", pointer: "/role")
                return false
            }
        case .reasoningEncryptedValue:
            if !(reader.stringEquals(.subtype, "message") || reader.stringEquals(.subtype, "tool-call")) {
                report(.fieldValue, "\"subtype\" must be \"message\" or \"tool-call\"", pointer: "/subtype")
                return false
            }
        case .runFinished:
            if reader.has(.usage) && !checkParsed(.usage, { v, validator in validator.checkUsage(v) }) { return false }
            if reader.kind(.outcome) == .object {
                return checkParsed(.outcome) { v, validator in validator.checkOutcome(v, suspended: false) }
            }
        case .runError:
            if reader.has(.usage) {
                return checkParsed(.usage) { v, validator in validator.checkUsage(v) }
            }
        case .subagentFinished:
            if reader.has(.outcome) {
                return checkParsed(.outcome) { v, validator in validator.checkOutcome(v, suspended: true) }
            }
        case .runStarted:
            if reader.has(.input) {
                return checkParsed(.input) { v, validator in validator.checkRunInput(v) }
            }
        default:
            break
        }
        return true
    }

    /// Parses a member's value and hands it to `check`; a value the strict parser rejects (a nested
    /// duplicate name, say) is reported here.
    func checkParsed(_ field: EventField, _ check: (JSONValue, EventValidator) -> Bool) -> Bool {
        guard let value = parseMember(field) else { return false }
        return check(value, self)
    }

    func parseMember(_ field: EventField) -> JSONValue? {
        if let value = reader.parsedValue(field) { return value }
        guard let bytes = reader.valueBytes(field) else { return nil }
        do {
            return try JSONParser.parse(UnsafeRawBufferPointer(bytes), options: ParseOptions(limits: JSONLimits(maxDepth: options.maxDepth)))
        } catch {
            report(.jsonInvalid, "\"\(field.key)\": \(error.message)", pointer: "/" + field.key)
            return nil
        }
    }
}

extension FieldType {
    var name: String {
        switch self {
        case .string: return "a string"
        case .object: return "an object"
        case .objectOrNull: return "an object or null"
        case .array: return "an array"
        case .bool: return "a boolean"
        case .any: return "any value"
        case .stringOrArray: return "a string or an array"
        }
    }
}

/// Whether a JSON number's text is an integer within ±(2^53 - 1) (what JSON numbers survive a round
/// trip in). The usual case, plain digits, is decided without converting.
func isSafeInteger(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    if i < text.count, text[i] == UInt8(ascii: "-") { i += 1 }
    let digits = text.count - i
    var plain = true
    for k in i..<text.count where text[k] < 0x30 || text[k] > 0x39 { plain = false; break }
    if plain && digits <= 15 { return true }
    guard let d = Double(String(decoding: text, as: UTF8.self)) else { return false }
    return d == d.rounded() && abs(d) <= 9_007_199_254_740_991
}
