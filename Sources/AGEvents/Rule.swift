/// Every check the validator makes, by a stable id. Ids never change meaning; new checks get new ids.
public enum Rule: String, CaseIterable, Sendable {
    // Framing and JSON: both profiles.
    case jsonInvalid = "json.invalid"
    case eventNotObject = "event.not-object"
    case eventDuplicateMember = "event.duplicate-member"
    case eventTypeMissing = "event.type-missing"
    case eventTypeUnknown = "event.type-unknown"
    case eventDeprecated = "event.deprecated"
    case fieldMissing = "field.missing"
    case fieldType = "field.type"
    case fieldValue = "field.value"
    case patchInvalid = "patch.invalid"
    case streamFrameTooLarge = "stream.frame-too-large"
    case streamTruncated = "stream.truncated"
    case streamLimit = "stream.limit"

    // The client's sequence rules.
    case runFirstEvent = "run.first-event"
    case runAfterError = "run.after-error"
    case runAfterFinished = "run.after-finished"
    case runAlreadyActive = "run.already-active"
    case runFinishedOpenSteps = "run.finished-open-steps"
    case runFinishedOpenMessages = "run.finished-open-messages"
    case runFinishedOpenToolCalls = "run.finished-open-tool-calls"
    case messageAlreadyStarted = "message.already-started"
    case messageNotStarted = "message.not-started"
    case toolCallAlreadyStarted = "tool-call.already-started"
    case toolCallNotStarted = "tool-call.not-started"
    case stepAlreadyStarted = "step.already-started"
    case stepNotStarted = "step.not-started"
    case chunkMissingID = "chunk.missing-id"
    case chunkMissingName = "chunk.missing-name"
    case thinkingAlreadyStarted = "thinking.already-started"
    case thinkingNotStarted = "thinking.not-started"
    case thinkingMessageAlreadyStarted = "thinking-message.already-started"
    case thinkingMessageNotStarted = "thinking-message.not-started"

    // Strict only.
    case runTerminalConflict = "run.terminal-conflict"
    case runUnterminated = "run.unterminated"
    case runIDMismatch = "run.id-mismatch"
    case runFinishedOpenReasoning = "run.finished-open-reasoning"
    case runFinishedOpenSubagents = "run.finished-open-subagents"
    case messageIDReused = "message.id-reused"
    case toolCallIDReused = "tool-call.id-reused"
    case toolCallArgsInvalidJSON = "tool-call.args-invalid-json"
    case toolCallArgsUnchecked = "tool-call.args-unchecked"
    case toolCallResultUnknown = "tool-call.result-unknown"
    case toolCallResultBeforeEnd = "tool-call.result-before-end"
    case parentMessageUnknown = "message.parent-unknown"
    case reasoningAlreadyStarted = "reasoning.already-started"
    case reasoningNotStarted = "reasoning.not-started"
    case reasoningMessageAlreadyStarted = "reasoning-message.already-started"
    case reasoningMessageNotStarted = "reasoning-message.not-started"
    case subagentAlreadyStarted = "subagent.already-started"
    case subagentNotStarted = "subagent.not-started"
    case subagentUnknown = "subagent.unknown"
    case stateDeltaBeforeSnapshot = "state.delta-before-snapshot"
    case stateDeltaFailed = "state.delta-failed"
    case activityDeltaFailed = "activity.delta-failed"
    case textEmptyDelta = "text.empty-delta"
    case streamEmpty = "stream.empty"

    // Strict advice (information): legal, but usually not what the producer meant.
    case stateSnapshotDiscardsDeltas = "state.snapshot-discards-deltas"
    case rawTypedEvent = "raw.typed-event"
    case streamNoTimestamps = "stream.no-timestamps"
    case customNameUnprefixed = "custom.name-unprefixed"

    /// The severity a rule has in a profile before any override; `.off` where the profile lacks it.
    public func severity(in profile: Profile) -> Severity {
        switch self {
        case .jsonInvalid, .eventNotObject, .eventDuplicateMember, .eventTypeMissing, .eventTypeUnknown,
             .fieldMissing, .fieldType, .fieldValue, .patchInvalid, .streamFrameTooLarge, .streamLimit,
             .runFirstEvent, .runAfterError, .runAfterFinished, .runAlreadyActive,
             .runFinishedOpenSteps, .runFinishedOpenMessages, .runFinishedOpenToolCalls,
             .messageAlreadyStarted, .messageNotStarted, .toolCallAlreadyStarted, .toolCallNotStarted,
             .stepAlreadyStarted, .stepNotStarted, .chunkMissingID, .chunkMissingName,
             .thinkingAlreadyStarted, .thinkingNotStarted, .thinkingMessageAlreadyStarted, .thinkingMessageNotStarted:
            return .error
        case .streamTruncated:
            return .warning
        case .eventDeprecated:
            switch profile {
            case .client: return .off
            case .strict: return .error
            case .compat: return .info
            }
        default:
            guard profile != .client else { return .off }
            switch self {
            case .toolCallResultBeforeEnd, .parentMessageUnknown, .textEmptyDelta, .subagentUnknown, .streamEmpty:
                return .warning
            case .stateDeltaBeforeSnapshot, .toolCallArgsUnchecked,
                 .stateSnapshotDiscardsDeltas, .rawTypedEvent, .streamNoTimestamps, .customNameUnprefixed:
                return .info
            default:
                return .error
            }
        }
    }
}
