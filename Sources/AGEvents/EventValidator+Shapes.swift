import AGJSON

/// The nested shapes of the AG-UI 1.0 schema: run outcomes, token usage, the run input (messages,
/// tools, context, resume entries), messages, tool calls and content parts with their media sources.
/// Each problem is reported at its own pointer (`/usage/0/inputTokens`); members the schema does not
/// name are tolerated. The first problem in an event is reported, and the event is then rejected, as
/// the client's schema check rejects it.
enum MemberKind {
    case string, object, array, any
    /// An array of strings.
    case strings
    /// A token count: an integer from 0 to 2^53 - 1.
    case count

    var name: String {
        switch self {
        case .string: return "a string"
        case .object: return "an object"
        case .array: return "an array"
        case .any: return "any value"
        case .strings: return "an array of strings"
        case .count: return "a non-negative integer"
        }
    }
}

/// The members of one nested object: those it requires and those it may have, with their kinds.
struct Shape {
    let what: String
    let required: [(String, MemberKind)]
    let optional: [(String, MemberKind)]
}

extension Shape {
    static let interrupt = Shape(what: "an interrupt", required: [("id", .string), ("reason", .string)],
                                 optional: [("message", .string), ("toolCallId", .string), ("responseSchema", .object),
                                            ("expiresAt", .string), ("metadata", .object), ("subagentRunId", .string)])
    static let usage = Shape(what: "a usage entry", required: [],
                             optional: [("provider", .string), ("model", .string), ("inputTokens", .count),
                                        ("outputTokens", .count), ("totalTokens", .count), ("reasoningTokens", .count),
                                        ("cachedInputTokens", .count), ("cacheWriteInputTokens", .count)])
    static let runInput = Shape(what: "\"input\"", required: [("threadId", .string), ("runId", .string), ("messages", .array)],
                                optional: [("parentRunId", .string), ("protocolVersion", .string), ("tools", .array),
                                           ("context", .array), ("resume", .array)])
    static let tool = Shape(what: "a tool", required: [("name", .string), ("description", .string)],
                            optional: [("metadata", .object)])
    static let context = Shape(what: "a context entry", required: [("description", .string), ("value", .string)], optional: [])
    static let resume = Shape(what: "a resume entry", required: [("interruptId", .string), ("status", .string)],
                              optional: [("metadata", .object)])
    static let toolCall = Shape(what: "a tool call", required: [("id", .string), ("type", .string), ("function", .object)],
                                optional: [("encryptedValue", .string), ("metadata", .object)])
    /// The optional members of a message by role: what every message (but an activity) may carry, the
    /// name of the four base roles, a tool message's error.
    static func message(_ role: String) -> Shape {
        switch role {
        case "assistant": return assistantMessage
        case "user": return userMessage
        case "tool": return toolMessage
        case "system": return systemMessage
        case "developer": return developerMessage
        case "reasoning": return reasoningMessage
        default: return activityMessage
        }
    }
    private static let named: [(String, MemberKind)] = [("metadata", .object), ("subagentRunId", .string),
                                                         ("encryptedValue", .string), ("name", .string)]
    private static let assistantMessage = Shape(what: "an assistant message", required: [], optional: named)
    private static let userMessage = Shape(what: "a user message", required: [], optional: named)
    private static let systemMessage = Shape(what: "a system message", required: [], optional: named)
    private static let developerMessage = Shape(what: "a developer message", required: [], optional: named)
    private static let toolMessage = Shape(what: "a tool message", required: [],
                                           optional: [("metadata", .object), ("subagentRunId", .string), ("encryptedValue", .string), ("error", .string)])
    private static let reasoningMessage = Shape(what: "a reasoning message", required: [],
                                                optional: [("metadata", .object), ("subagentRunId", .string), ("encryptedValue", .string)])
    private static let activityMessage = Shape(what: "an activity message", required: [], optional: [("metadata", .object), ("subagentRunId", .string)])
    static let successOutcome = Shape(what: "a success outcome", required: [], optional: [("pendingToolCallIds", .strings)])
    static let suspendedOutcome = Shape(what: "a suspended outcome", required: [], optional: [("interruptIds", .strings)])
    static let textPart = Shape(what: "a text part", required: [("type", .string), ("text", .string)], optional: [("id", .string)])
    static let mediaPart: [String: Shape] = [
        "image": Shape(what: "an image part", required: [("type", .string), ("source", .object)], optional: [("id", .string)]),
        "audio": Shape(what: "an audio part", required: [("type", .string), ("source", .object)], optional: [("id", .string)]),
        "video": Shape(what: "a video part", required: [("type", .string), ("source", .object)], optional: [("id", .string)]),
        "document": Shape(what: "a document part", required: [("type", .string), ("source", .object)], optional: [("id", .string)]),
    ]
    static let function = Shape(what: "a tool call's \"function\"", required: [("name", .string), ("arguments", .string)], optional: [])
    static let source = Shape(what: "a media source", required: [("type", .string), ("value", .string)],
                              optional: [("mimeType", .string), ("provider", .string)])
}

extension EventValidator {
    /// Checks `value` against `shape` at `base`; reports the first problem and returns false. `known`
    /// counts members the caller checked itself: when the object has no member beyond those and the
    /// required ones, no optional member can be there and none is looked up.
    func check(_ value: JSONValue, _ shape: Shape, at base: @autoclosure () -> String, known: Int = 0) -> Bool {
        guard let o = value.objectValue else {
            report(.fieldType, "\(shape.what) must be an object, not \(value.typeName)", pointer: base())
            return false
        }
        for (key, kind) in shape.required {
            guard let member = o[key] else {
                report(.fieldMissing, "\(shape.what) requires \(kind.name) \"\(key)\"", pointer: "\(base())/\(key)")
                return false
            }
            guard checkMember(member, kind, key, shape, in: base()) else { return false }
        }
        if o.count <= shape.required.count + known { return true }
        for (key, kind) in shape.optional {
            guard let member = o[key] else { continue }
            guard checkMember(member, kind, key, shape, in: base()) else { return false }
        }
        return true
    }

    /// One member's kind; its pointer (`base`/`key`) is written only for a finding.
    private func checkMember(_ v: JSONValue, _ kind: MemberKind, _ key: String, _ shape: Shape, in base: @autoclosure () -> String) -> Bool {
        let fits: Bool
        switch kind {
        case .string: fits = v.stringValue != nil
        case .object: fits = v.objectValue != nil
        case .array: fits = v.arrayValue != nil
        case .any: fits = true
        case .strings:
            guard let list = v.arrayValue else { fits = false; break }
            for i in 0..<list.count where list[i].stringValue == nil {
                report(.fieldType, "\"\(key)\" of \(shape.what) must hold strings, not \(list[i].typeName)", pointer: "\(base())/\(key)/\(i)")
                return false
            }
            fits = true
        case .count:
            guard case .number(let n) = v else { fits = false; break }
            guard let i = n.int64Value, i >= 0, i <= 9_007_199_254_740_991 else {
                report(.fieldValue, "\"\(key)\" of \(shape.what) must be an integer from 0 to 2^53 - 1", pointer: "\(base())/\(key)")
                return false
            }
            fits = true
        }
        if !fits {
            report(.fieldType, "\"\(key)\" of \(shape.what) must be \(kind.name), not \(v.typeName)", pointer: "\(base())/\(key)")
        }
        return fits
    }

    /// Checks that member `key` of `o` (already known to be a string) is one of `allowed`.
    private func checkEnum(_ o: JSONObject, _ key: String, _ allowed: [String], _ what: String, at base: @autoclosure () -> String) -> Bool {
        let value = o[key]?.stringValue ?? ""
        if allowed.contains(value) { return true }
        report(.fieldValue, "\"\(key)\" of \(what) must be \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")); not \"\(value)\"",
               pointer: "\(base())/\(key)")
        return false
    }

    /// Checks each element of an array against a shape (and an extra check, given the element and its
    /// index). Pointers are written only for a finding.
    private func checkEach(_ list: JSONArray, _ shape: Shape, at base: @autoclosure () -> String,
                           _ extra: (JSONObject, Int) -> Bool = { _, _ in true }) -> Bool {
        for i in 0..<list.count {
            guard check(list[i], shape, at: "\(base())/\(i)"), extra(list[i].objectValue!, i) else { return false }
        }
        return true
    }

    // MARK: runs

    /// RUN_FINISHED's outcome (success, interrupt, cancelled) or SUBAGENT_FINISHED's (success, suspended).
    func checkOutcome(_ v: JSONValue, suspended: Bool) -> Bool {
        guard let o = v.objectValue else { return false }
        guard let type = o["type"] else {
            report(.fieldMissing, "\"outcome\" requires a string \"type\"", pointer: "/outcome/type")
            return false
        }
        guard type.stringValue != nil else {
            report(.fieldType, "\"type\" of \"outcome\" must be a string, not \(type.typeName)", pointer: "/outcome/type")
            return false
        }
        let kinds = suspended ? ["success", "suspended"] : ["success", "interrupt", "cancelled"]
        guard checkEnum(o, "type", kinds, "\"outcome\"", at: "/outcome") else { return false }
        switch o["type"]!.stringValue! {
        case "success" where !suspended:
            return check(v, .successOutcome, at: "/outcome")
        case "interrupt":
            guard let interrupts = o["interrupts"] else {
                report(.fieldMissing, "an interrupt outcome requires a non-empty \"interrupts\" array", pointer: "/outcome/interrupts")
                return false
            }
            guard let list = interrupts.arrayValue else {
                report(.fieldType, "\"interrupts\" must be an array, not \(interrupts.typeName)", pointer: "/outcome/interrupts")
                return false
            }
            guard !list.isEmpty else {
                report(.fieldValue, "an interrupt outcome requires at least one interrupt", pointer: "/outcome/interrupts")
                return false
            }
            return checkEach(list, .interrupt, at: "/outcome/interrupts")
        case "suspended":
            return check(v, .suspendedOutcome, at: "/outcome")
        default:
            return true
        }
    }

    /// RUN_FINISHED's and RUN_ERROR's `usage`: one entry per provider and model.
    func checkUsage(_ v: JSONValue) -> Bool {
        guard let list = v.arrayValue else { return false }
        return checkEach(list, .usage, at: "/usage")
    }

    /// RUN_STARTED's `input`: the RunAgentInput the run answers.
    func checkRunInput(_ v: JSONValue) -> Bool {
        guard check(v, .runInput, at: "/input"), let o = v.objectValue else { return false }
        guard checkMessages(o["messages"]!, at: "/input/messages") else { return false }
        if let tools = o["tools"]?.arrayValue, !checkEach(tools, .tool, at: "/input/tools") { return false }
        if let context = o["context"]?.arrayValue, !checkEach(context, .context, at: "/input/context") { return false }
        if let resume = o["resume"]?.arrayValue,
           !checkEach(resume, .resume, at: "/input/resume", { entry, k in
               self.checkEnum(entry, "status", ["resolved", "cancelled"], "a resume entry", at: "/input/resume/\(k)")
           }) {
            return false
        }
        return true
    }

    // MARK: messages

    static let roles: Set<String> = ["developer", "system", "assistant", "user", "tool", "activity", "reasoning"]

    /// Checks a message list (MESSAGES_SNAPSHOT.messages, RUN_STARTED.input.messages).
    func checkMessages(_ v: JSONValue, at base: @autoclosure () -> String) -> Bool {
        guard let list = v.arrayValue else {
            report(.fieldType, "messages must be an array", pointer: base())
            return false
        }
        for i in 0..<list.count {
            guard checkMessage(list[i], at: "\(base())/\(i)") else { return false }
        }
        return true
    }

    private func checkMessage(_ value: JSONValue, at: @autoclosure () -> String) -> Bool {
        guard let m = value.objectValue else {
            report(.fieldType, "a message must be an object", pointer: at())
            return false
        }
        guard m["id"]?.stringValue != nil else {
            report(.fieldMissing, "a message requires a string \"id\"", pointer: at() + "/id")
            return false
        }
        guard let role = m["role"]?.stringValue, EventValidator.roles.contains(role) else {
            report(.fieldValue, "a message requires a \"role\" among \(EventValidator.roles.sorted().joined(separator: ", "))", pointer: at() + "/role")
            return false
        }
        // id, role, and below the members each role's own checks read.
        var known = 2
        switch role {
        case "developer", "system", "reasoning":
            known += 1
            guard m["content"]?.stringValue != nil else {
                report(.fieldMissing, "a \(role) message requires a string \"content\"", pointer: at() + "/content")
                return false
            }
        case "user", "tool":
            if role == "tool" {
                known += 1
                guard m["toolCallId"]?.stringValue != nil else {
                    report(.fieldMissing, "a tool message requires a string \"toolCallId\"", pointer: at() + "/toolCallId")
                    return false
                }
            }
            known += 1
            guard let c = m["content"], c.stringValue != nil || c.arrayValue != nil else {
                report(.fieldMissing, "a \(role) message requires \"content\" (a string or an array of parts)", pointer: at() + "/content")
                return false
            }
            if c.arrayValue != nil && !checkContentParts(c, at: at() + "/content") { return false }
        case "assistant":
            if let c = m["content"] {
                known += 1
                if c.stringValue == nil, c != .null {
                    report(.fieldType, "an assistant message's \"content\" must be a string", pointer: at() + "/content")
                    return false
                }
            }
            if let calls = m["toolCalls"] {
                known += 1
                guard let list = calls.arrayValue else {
                    report(.fieldType, "\"toolCalls\" must be an array", pointer: at() + "/toolCalls")
                    return false
                }
                let ok = checkEach(list, .toolCall, at: at() + "/toolCalls") { call, k in
                    self.checkEnum(call, "type", ["function"], "a tool call", at: at() + "/toolCalls/\(k)")
                        && self.check(call["function"]!, .function, at: at() + "/toolCalls/\(k)/function")
                }
                if !ok { return false }
            }
        case "activity":
            known += 2
            guard m["activityType"]?.stringValue != nil, m["content"]?.objectValue != nil else {
                report(.fieldMissing, "an activity message requires \"activityType\" and an object \"content\"", pointer: at())
                return false
            }
        default:
            break
        }
        return check(value, Shape.message(role), at: at(), known: known)
    }

    // MARK: content parts

    /// Content parts: text, or media (image, audio, video, document) with a source: inline data (base64
    /// `value` and its `mimeType`), a URL, or a file the provider holds.
    func checkContentParts(_ v: JSONValue, at base: @autoclosure () -> String) -> Bool {
        guard let list = v.arrayValue else { return false }
        for i in 0..<list.count {
            func at() -> String { "\(base())/\(i)" }
            guard let part = list[i].objectValue, let t = part["type"]?.stringValue else {
                report(.fieldValue, "a content part must be an object with a string \"type\"", pointer: at())
                return false
            }
            switch t {
            case "text":
                guard check(list[i], .textPart, at: at()) else {
                    return false
                }
            case "image", "audio", "video", "document":
                guard check(list[i], Shape.mediaPart[t]!, at: at()),
                      checkSource(part["source"]!.objectValue!, at: at() + "/source") else {
                    return false
                }
            default:
                report(.fieldValue, "unknown content part type \"\(t)\"", pointer: "\(at())/type")
                return false
            }
        }
        return true
    }

    private func checkSource(_ source: JSONObject, at: @autoclosure () -> String) -> Bool {
        guard check(.object(source), .source, at: at()),
              checkEnum(source, "type", ["data", "url", "file"], "a media source", at: at()) else { return false }
        if source["type"]!.stringValue == "data" && source["mimeType"] == nil {
            report(.fieldMissing, "a data source requires a string \"mimeType\" (what the bytes are)", pointer: at() + "/mimeType")
            return false
        }
        return true
    }
}
