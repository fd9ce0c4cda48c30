/// The member names the validator reads. Anything else in an event is tolerated and skipped.
enum EventField: UInt8, CaseIterable {
    case type, timestamp, rawEvent, metadata, subagentRunId
    case messageId, role, delta, name
    case toolCallId, toolCallName, parentMessageId, content
    case snapshot, messages, activityType, replace, patch
    case event, source, value
    case threadId, runId, parentRunId, input, result, outcome, usage, protocolVersion
    case message, code, stepName
    case subtype, entityId, encryptedValue
    case description, parentSubagentRunId, parentToolCallId, title

    var key: String { "\(self)" }

    /// Looks a member name up from its bytes: a switch on the length, then one comparison per candidate
    /// (no allocation, no reference counting: this runs for every member of every event).
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> EventField? {
        switch bytes.count {
        case 4:
            if equals(bytes, "type") { return .type }
            if equals(bytes, "role") { return .role }
            if equals(bytes, "name") { return .name }
            if equals(bytes, "code") { return .code }
        case 5:
            if equals(bytes, "delta") { return .delta }
            if equals(bytes, "patch") { return .patch }
            if equals(bytes, "event") { return .event }
            if equals(bytes, "value") { return .value }
            if equals(bytes, "runId") { return .runId }
            if equals(bytes, "input") { return .input }
            if equals(bytes, "usage") { return .usage }
            if equals(bytes, "title") { return .title }
        case 6:
            if equals(bytes, "source") { return .source }
            if equals(bytes, "result") { return .result }
        case 7:
            if equals(bytes, "content") { return .content }
            if equals(bytes, "replace") { return .replace }
            if equals(bytes, "outcome") { return .outcome }
            if equals(bytes, "message") { return .message }
            if equals(bytes, "subtype") { return .subtype }
        case 8:
            if equals(bytes, "rawEvent") { return .rawEvent }
            if equals(bytes, "metadata") { return .metadata }
            if equals(bytes, "snapshot") { return .snapshot }
            if equals(bytes, "messages") { return .messages }
            if equals(bytes, "threadId") { return .threadId }
            if equals(bytes, "stepName") { return .stepName }
            if equals(bytes, "entityId") { return .entityId }
        case 9:
            if equals(bytes, "timestamp") { return .timestamp }
            if equals(bytes, "messageId") { return .messageId }
        case 10:
            if equals(bytes, "toolCallId") { return .toolCallId }
        case 11:
            if equals(bytes, "parentRunId") { return .parentRunId }
            if equals(bytes, "description") { return .description }
        case 12:
            if equals(bytes, "toolCallName") { return .toolCallName }
            if equals(bytes, "activityType") { return .activityType }
        case 13:
            if equals(bytes, "subagentRunId") { return .subagentRunId }
        case 14:
            if equals(bytes, "encryptedValue") { return .encryptedValue }
        case 15:
            if equals(bytes, "parentMessageId") { return .parentMessageId }
            if equals(bytes, "protocolVersion") { return .protocolVersion }
        case 16:
            if equals(bytes, "parentToolCallId") { return .parentToolCallId }
        case 19:
            if equals(bytes, "parentSubagentRunId") { return .parentSubagentRunId }
        default: break
        }
        return nil
    }
}
