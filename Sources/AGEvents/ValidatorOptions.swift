import AGJSON

/// Bounds and switches of an `EventValidator`. Every memory the validator keeps is bounded by one of
/// these, so that it can watch an endless stream.
public struct ValidatorOptions: Sendable {
    /// The largest event (or SSE frame) accepted; a larger one is reported and skipped.
    public var maxEventBytes = 256 << 20
    /// Nesting depth allowed inside an event.
    public var maxDepth = 512
    /// Findings kept for `findings`, and returned by one call; beyond it they are counted, not kept.
    public var maxFindings = 10_000
    /// Messages, tool calls, steps, reasoning spans and subagents open at once.
    public var maxOpenItems = 65_536
    /// Ids remembered after they closed (ended tool calls, used message ids, ids of ended runs), for
    /// the uniqueness and known-id checks; the oldest are forgotten first.
    public var maxRememberedIDs = 65_536
    /// Arguments kept per open tool call for the JSON check at TOOL_CALL_END; beyond it the check is
    /// skipped and said so.
    public var maxToolCallArgsBytes = 16 << 20
    /// Activities (ACTIVITY_SNAPSHOT contents) tracked at once; the oldest are forgotten first.
    public var maxActivities = 4_096
    /// Rebuild the conversation's messages from the message events (for `messages`).
    public var trackMessages = false
    /// Messages kept when `trackMessages` is on; the oldest are dropped first.
    public var maxMessages = 10_000
    /// The state the stream starts from (what the client sent as `RunAgentInput.state`): STATE_DELTAs
    /// apply to it until a STATE_SNAPSHOT (or a RUN_STARTED carrying `input.state`) replaces it. Nil: the
    /// starting state is unknown; a delta before any snapshot then applies to `{}` where it can and is
    /// reported at most as information (`state.delta-before-snapshot`).
    public var initialState: JSONValue?
    /// Text kept per rebuilt message (its content) and per tool call on it (its arguments) when
    /// `trackMessages` is on: a message that streams on and on keeps its first bytes, cut at a character.
    public var maxMessageBytes = 16 << 20

    public init() {}
}
