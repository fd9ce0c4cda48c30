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

    /// The type named `name`, compared by bytes as the JavaScript client compares it (a `String`
    /// dictionary took "TEXT_MESSAGE_CHUN\u212A", with a Kelvin sign, for TEXT_MESSAGE_CHUNK).
    public init?(name: String) {
        var text = name
        guard let t = text.withUTF8({ EventType.lookup($0) }) else { return nil }
        self = t
    }

    /// Looks a type name up straight from its bytes (the common, unescaped case), without a String.
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> EventType? {
        switch bytes.count {
        case 3:
            if equals(bytes, "RAW") { return .raw }
        case 6:
            if equals(bytes, "CUSTOM") { return .custom }
        case 9:
            if equals(bytes, "RUN_ERROR") { return .runError }
        case 11:
            if equals(bytes, "STATE_DELTA") { return .stateDelta }
            if equals(bytes, "RUN_STARTED") { return .runStarted }
        case 12:
            if equals(bytes, "RUN_FINISHED") { return .runFinished }
            if equals(bytes, "STEP_STARTED") { return .stepStarted }
            if equals(bytes, "THINKING_END") { return .thinkingEnd }
        case 13:
            if equals(bytes, "TOOL_CALL_END") { return .toolCallEnd }
            if equals(bytes, "STEP_FINISHED") { return .stepFinished }
            if equals(bytes, "REASONING_END") { return .reasoningEnd }
        case 14:
            if equals(bytes, "TOOL_CALL_ARGS") { return .toolCallArgs }
            if equals(bytes, "STATE_SNAPSHOT") { return .stateSnapshot }
            if equals(bytes, "ACTIVITY_DELTA") { return .activityDelta }
            if equals(bytes, "SUBAGENT_ERROR") { return .subagentError }
            if equals(bytes, "THINKING_START") { return .thinkingStart }
        case 15:
            if equals(bytes, "TOOL_CALL_START") { return .toolCallStart }
            if equals(bytes, "TOOL_CALL_CHUNK") { return .toolCallChunk }
            if equals(bytes, "REASONING_START") { return .reasoningStart }
        case 16:
            if equals(bytes, "TEXT_MESSAGE_END") { return .textMessageEnd }
            if equals(bytes, "TOOL_CALL_RESULT") { return .toolCallResult }
            if equals(bytes, "SUBAGENT_STARTED") { return .subagentStarted }
        case 17:
            if equals(bytes, "MESSAGES_SNAPSHOT") { return .messagesSnapshot }
            if equals(bytes, "ACTIVITY_SNAPSHOT") { return .activitySnapshot }
            if equals(bytes, "SUBAGENT_FINISHED") { return .subagentFinished }
        case 18:
            if equals(bytes, "TEXT_MESSAGE_START") { return .textMessageStart }
            if equals(bytes, "TEXT_MESSAGE_CHUNK") { return .textMessageChunk }
        case 20:
            if equals(bytes, "TEXT_MESSAGE_CONTENT") { return .textMessageContent }
        case 21:
            if equals(bytes, "REASONING_MESSAGE_END") { return .reasoningMessageEnd }
        case 23:
            if equals(bytes, "REASONING_MESSAGE_START") { return .reasoningMessageStart }
            if equals(bytes, "REASONING_MESSAGE_CHUNK") { return .reasoningMessageChunk }
        case 25:
            if equals(bytes, "REASONING_MESSAGE_CONTENT") { return .reasoningMessageContent }
            if equals(bytes, "REASONING_ENCRYPTED_VALUE") { return .reasoningEncryptedValue }
            if equals(bytes, "THINKING_TEXT_MESSAGE_END") { return .thinkingTextMessageEnd }
        case 27:
            if equals(bytes, "THINKING_TEXT_MESSAGE_START") { return .thinkingTextMessageStart }
        case 29:
            if equals(bytes, "THINKING_TEXT_MESSAGE_CONTENT") { return .thinkingTextMessageContent }
        default: break
        }
        return nil
    }
}
