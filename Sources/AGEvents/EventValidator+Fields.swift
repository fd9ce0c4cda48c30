import AGJSON

/// The AG-UI 1.0 event schema: which members each event type requires, and their JSON types.
/// Members the schema does not name are tolerated (receivers must ignore what they do not know).
enum FieldType {
    case string, object, array, bool, any, stringOrArray
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
            return [F(.threadId, true, .string), F(.runId, true, .string), F(.result, false, .any),
                    F(.outcome, false, .object), F(.usage, false, .array)]
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
            if reader.has(.outcome) {
                return checkParsed(.outcome) { v, validator in validator.checkOutcome(v, suspended: false) }
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

    private func checkOutcome(_ v: JSONValue, suspended: Bool) -> Bool {
        guard let o = v.objectValue, let t = o["type"]?.stringValue else {
            report(.fieldMissing, "\"outcome\" requires a string \"type\"", pointer: "/outcome/type")
            return false
        }
        let second = suspended ? "suspended" : "interrupt"
        guard t == "success" || t == second else {
            report(.fieldValue, "\"outcome.type\" must be \"success\" or \"\(second)\", not \"\(t)\"", pointer: "/outcome/type")
            return false
        }
        if t == "interrupt" {
            guard let list = o["interrupts"]?.arrayValue, !list.isEmpty else {
                report(.fieldMissing, "an interrupt outcome requires a non-empty \"interrupts\" array", pointer: "/outcome/interrupts")
                return false
            }
            for i in 0..<list.count {
                guard let item = list[i].objectValue, item["id"]?.stringValue != nil, item["reason"]?.stringValue != nil else {
                    report(.fieldValue, "each interrupt needs string \"id\" and \"reason\"", pointer: "/outcome/interrupts/\(i)")
                    return false
                }
            }
        }
        if t == "suspended", let ids = o["interruptIds"], !(ids.arrayValue.map { a in (0..<a.count).allSatisfy { a[$0].stringValue != nil } } ?? false) {
            report(.fieldType, "\"interruptIds\" must be an array of strings", pointer: "/outcome/interruptIds")
            return false
        }
        return true
    }

    private func checkRunInput(_ v: JSONValue) -> Bool {
        guard let o = v.objectValue else { return false }
        for key in ["threadId", "runId"] where o[key]?.stringValue == nil {
            report(.fieldMissing, "\"input\" requires a string \"\(key)\"", pointer: "/input/\(key)")
            return false
        }
        guard let messages = o["messages"] else {
            report(.fieldMissing, "\"input\" requires \"messages\"", pointer: "/input/messages")
            return false
        }
        return checkMessages(messages, at: "/input/messages")
    }

    static let roles: Set<String> = ["developer", "system", "assistant", "user", "tool", "activity", "reasoning"]

    /// Checks a message list (MESSAGES_SNAPSHOT.messages, RUN_STARTED.input.messages).
    func checkMessages(_ v: JSONValue, at base: String) -> Bool {
        guard let list = v.arrayValue else {
            report(.fieldType, "messages must be an array", pointer: base)
            return false
        }
        for i in 0..<list.count {
            let at = "\(base)/\(i)"
            guard let m = list[i].objectValue else {
                report(.fieldType, "a message must be an object", pointer: at)
                return false
            }
            guard m["id"]?.stringValue != nil else {
                report(.fieldMissing, "a message requires a string \"id\"", pointer: at + "/id")
                return false
            }
            guard let role = m["role"]?.stringValue, EventValidator.roles.contains(role) else {
                report(.fieldValue, "a message requires a \"role\" among \(EventValidator.roles.sorted().joined(separator: ", "))", pointer: at + "/role")
                return false
            }
            switch role {
            case "developer", "system", "reasoning":
                guard m["content"]?.stringValue != nil else {
                    report(.fieldMissing, "a \(role) message requires a string \"content\"", pointer: at + "/content")
                    return false
                }
            case "user":
                guard let c = m["content"], c.stringValue != nil || (c.arrayValue != nil && checkContentParts(c, at: at + "/content")) else {
                    report(.fieldMissing, "a user message requires \"content\" (a string or an array of parts)", pointer: at + "/content")
                    return false
                }
            case "tool":
                guard m["toolCallId"]?.stringValue != nil else {
                    report(.fieldMissing, "a tool message requires a string \"toolCallId\"", pointer: at + "/toolCallId")
                    return false
                }
                guard let c = m["content"], c.stringValue != nil || c.arrayValue != nil else {
                    report(.fieldMissing, "a tool message requires \"content\"", pointer: at + "/content")
                    return false
                }
            case "assistant":
                if let c = m["content"], c.stringValue == nil, c != .null {
                    report(.fieldType, "an assistant message's \"content\" must be a string", pointer: at + "/content")
                    return false
                }
                if let calls = m["toolCalls"] {
                    guard let list = calls.arrayValue else {
                        report(.fieldType, "\"toolCalls\" must be an array", pointer: at + "/toolCalls")
                        return false
                    }
                    for k in 0..<list.count {
                        let c = list[k].objectValue
                        let f = c?["function"]?.objectValue
                        guard c?["id"]?.stringValue != nil, f?["name"]?.stringValue != nil, f?["arguments"]?.stringValue != nil else {
                            report(.fieldValue, "a tool call needs \"id\" and \"function\" with string \"name\" and \"arguments\"",
                                   pointer: "\(at)/toolCalls/\(k)")
                            return false
                        }
                    }
                }
            case "activity":
                guard m["activityType"]?.stringValue != nil, m["content"]?.objectValue != nil else {
                    report(.fieldMissing, "an activity message requires \"activityType\" and an object \"content\"", pointer: at)
                    return false
                }
            default:
                break
            }
        }
        return true
    }

    /// Content parts: objects with a known `type` (text, image, audio, video, document).
    func checkContentParts(_ v: JSONValue, at base: String) -> Bool {
        guard let list = v.arrayValue else { return false }
        for i in 0..<list.count {
            guard let part = list[i].objectValue, let t = part["type"]?.stringValue else {
                report(.fieldValue, "a content part must be an object with a string \"type\"", pointer: "\(base)/\(i)")
                return false
            }
            switch t {
            case "text":
                guard part["text"]?.stringValue != nil else {
                    report(.fieldMissing, "a text part requires a string \"text\"", pointer: "\(base)/\(i)/text")
                    return false
                }
            case "image", "audio", "video", "document":
                guard part["source"]?.objectValue != nil else {
                    report(.fieldMissing, "a\(t == "image" || t == "audio" ? "n" : "") \(t) part requires a \"source\" object", pointer: "\(base)/\(i)/source")
                    return false
                }
            default:
                report(.fieldValue, "unknown content part type \"\(t)\"", pointer: "\(base)/\(i)/type")
                return false
            }
        }
        return true
    }
}

extension FieldType {
    var name: String {
        switch self {
        case .string: return "a string"
        case .object: return "an object"
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
