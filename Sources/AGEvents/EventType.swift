#if canImport(Glibc)
import Glibc
#endif

/// Every event type of AG-UI 1.0, and the deprecated THINKING_* types that compatibility accepts.
public enum EventType: UInt8, CaseIterable, Sendable {
    case textMessageStart, textMessageContent, textMessageEnd, textMessageChunk
    case toolCallStart, toolCallArgs, toolCallEnd, toolCallChunk, toolCallResult
    case stateSnapshot, stateDelta, messagesSnapshot
    case activitySnapshot, activityDelta
    case raw, custom
    case runStarted, runFinished, runError
    case stepStarted, stepFinished
    case reasoningStart, reasoningMessageStart, reasoningMessageContent, reasoningMessageEnd
    case reasoningMessageChunk, reasoningEnd, reasoningEncryptedValue
    case subagentStarted, subagentFinished, subagentError
    // Deprecated: replaced by the REASONING_* events.
    case thinkingStart, thinkingEnd, thinkingTextMessageStart, thinkingTextMessageContent, thinkingTextMessageEnd

    /// The name on the wire.
    public var name: String {
        switch self {
        case .textMessageStart: return "TEXT_MESSAGE_START"
        case .textMessageContent: return "TEXT_MESSAGE_CONTENT"
        case .textMessageEnd: return "TEXT_MESSAGE_END"
        case .textMessageChunk: return "TEXT_MESSAGE_CHUNK"
        case .toolCallStart: return "TOOL_CALL_START"
        case .toolCallArgs: return "TOOL_CALL_ARGS"
        case .toolCallEnd: return "TOOL_CALL_END"
        case .toolCallChunk: return "TOOL_CALL_CHUNK"
        case .toolCallResult: return "TOOL_CALL_RESULT"
        case .stateSnapshot: return "STATE_SNAPSHOT"
        case .stateDelta: return "STATE_DELTA"
        case .messagesSnapshot: return "MESSAGES_SNAPSHOT"
        case .activitySnapshot: return "ACTIVITY_SNAPSHOT"
        case .activityDelta: return "ACTIVITY_DELTA"
        case .raw: return "RAW"
        case .custom: return "CUSTOM"
        case .runStarted: return "RUN_STARTED"
        case .runFinished: return "RUN_FINISHED"
        case .runError: return "RUN_ERROR"
        case .stepStarted: return "STEP_STARTED"
        case .stepFinished: return "STEP_FINISHED"
        case .reasoningStart: return "REASONING_START"
        case .reasoningMessageStart: return "REASONING_MESSAGE_START"
        case .reasoningMessageContent: return "REASONING_MESSAGE_CONTENT"
        case .reasoningMessageEnd: return "REASONING_MESSAGE_END"
        case .reasoningMessageChunk: return "REASONING_MESSAGE_CHUNK"
        case .reasoningEnd: return "REASONING_END"
        case .reasoningEncryptedValue: return "REASONING_ENCRYPTED_VALUE"
        case .subagentStarted: return "SUBAGENT_STARTED"
        case .subagentFinished: return "SUBAGENT_FINISHED"
        case .subagentError: return "SUBAGENT_ERROR"
        case .thinkingStart: return "THINKING_START"
        case .thinkingEnd: return "THINKING_END"
        case .thinkingTextMessageStart: return "THINKING_TEXT_MESSAGE_START"
        case .thinkingTextMessageContent: return "THINKING_TEXT_MESSAGE_CONTENT"
        case .thinkingTextMessageEnd: return "THINKING_TEXT_MESSAGE_END"
        }
    }

    public var isDeprecated: Bool { rawValue >= EventType.thinkingStart.rawValue }

    private static let byName: [String: EventType] = {
        var table: [String: EventType] = [:]
        for t in EventType.allCases { table[t.name] = t }
        return table
    }()

    public init?(name: String) {
        guard let t = EventType.byName[name] else { return nil }
        self = t
    }

    /// Looks a type name up straight from its bytes (the common, unescaped case), without a String.
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> EventType? {
        // Every name is ASCII upper case and underscores; the length and three bytes pick a short
        // candidate list, then one comparison decides.
        let n = bytes.count
        guard n >= 3, n <= 29 else { return nil }
        let key = n &* 31 &+ Int(bytes[0]) &* 7 &+ Int(bytes[n - 1]) &+ Int(bytes[n / 2]) &* 3
        guard let candidates = byShape[key] else { return nil }
        for t in candidates where t.matches(bytes) { return t }
        return nil
    }

    private static let byShape: [Int: [EventType]] = {
        var table: [Int: [EventType]] = [:]
        for t in EventType.allCases {
            let u = Array(t.name.utf8)
            let n = u.count
            let key = n &* 31 &+ Int(u[0]) &* 7 &+ Int(u[n - 1]) &+ Int(u[n / 2]) &* 3
            table[key, default: []].append(t)
        }
        return table
    }()

    private static let utf8Names: [[UInt8]] = EventType.allCases.map { Array($0.name.utf8) }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let name = EventType.utf8Names[Int(rawValue)]
        guard name.count == bytes.count else { return false }
        return name.withUnsafeBufferPointer { p in memcmp(p.baseAddress!, bytes.baseAddress!, p.count) == 0 }
    }
}
