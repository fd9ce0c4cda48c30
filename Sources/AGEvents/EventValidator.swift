import AGJSON

/// Validates a stream of AG-UI events in one pass: each event's fields against the AG-UI 1.0 event
/// schema, and the order of events against the sequence rules of a profile. It also tracks what the
/// events build: the state (STATE_SNAPSHOT and STATE_DELTA, applied atomically with the engine's
/// patch), the activities, and optionally the messages.
///
/// Feed it single events (`feed(event:)`) or stream bytes (`feed(stream:)`, NDJSON or SSE, split
/// anywhere), then `finish()` for the end-of-stream findings. It never throws on bad input: a line
/// that is not JSON or not an event is a finding. Not thread-safe; the C ABI serialises calls.
public final class EventValidator {
    public let profile: Profile
    public let options: ValidatorOptions
    var severities: [Rule: Severity] = [:]
    let strict: Bool

    /// Findings kept so far (at most `options.maxFindings`).
    public internal(set) var findings: [Finding] = []
    /// Findings produced by the current call.
    var produced: [Finding] = []
    public internal(set) var counts: [Severity: Int] = [.info: 0, .warning: 0, .error: 0]
    /// Events seen, including lines that were not events.
    public internal(set) var eventCount = 0
    var currentIndex = 0
    public internal(set) var finished = false

    let reader = EventReader()
    var framer: StreamFramer
    var sequence = SequenceState()
    var tracker: StateTracker
    var messageLog: MessageLog?

    public init(profile: Profile = .client, options: ValidatorOptions = ValidatorOptions()) {
        self.profile = profile
        self.options = options
        self.strict = profile != .client
        framer = StreamFramer(format: .auto, maxFrameBytes: options.maxEventBytes)
        sequence = SequenceState(options: options)
        tracker = StateTracker(maxActivities: options.maxActivities, initialState: options.initialState)
        messageLog = options.trackMessages ? MessageLog(maxMessages: options.maxMessages, maxBytes: options.maxMessageBytes) : nil
        for rule in Rule.allCases { severities[rule] = rule.severity(in: profile) }
    }

    /// Changes the severity of one rule (`.off` silences it).
    public func setSeverity(_ severity: Severity, for rule: Rule) {
        severities[rule] = severity
    }

    public func severity(of rule: Rule) -> Severity { severities[rule] ?? .off }

    /// The tracked state (the latest STATE_SNAPSHOT with every later STATE_DELTA that applied).
    public var state: JSONValue { tracker.state }

    /// Whether the tracked state rests on a known base (the starting state given, a STATE_SNAPSHOT or
    /// RUN_STARTED.input.state), or on `{}` standing in for a state the stream never showed.
    public var stateBaseKnown: Bool { tracker.baseKnown }

    /// STATE_DELTAs applied without a known base since the last one, and those of them that could not
    /// be applied even leniently (their change is missing from `state`).
    public var deltasWithoutBase: Int { tracker.deltasWithoutBase }
    public var deltasNotApplied: Int { tracker.deltasNotApplied }

    /// The tracked activities, by message id.
    public var activities: JSONValue { tracker.activitiesJSON }

    /// The messages rebuilt from the message events, when `trackMessages` is on.
    public var messages: JSONValue? { messageLog.map { $0.json(open: sequence) } }

    // MARK: feeding

    /// Validates one event given as JSON text, or as one Server-Sent Events frame (`data: {...}`, as an
    /// SDK's encoder writes it; a frame of comments only holds no event). Returns the findings it produced.
    @discardableResult
    public func feed(event bytes: UnsafeRawBufferPointer) -> [Finding] {
        produced.removeAll(keepingCapacity: true)
        let input = bytes.bindMemory(to: UInt8.self)
        if let first = input.first, first != UInt8(ascii: "{"), isSSEFrame(input) {
            var frame = StreamFramer(format: .sse, maxFrameBytes: options.maxEventBytes)
            frame.feed(input) { piece in handle(piece) }
            _ = frame.finish { piece in handle(piece) }
        } else {
            process(input)
        }
        return produced
    }

    /// Whether the text begins with an SSE field line (`data:`, `event:`, `id:`, `retry:`) or a comment.
    private func isSSEFrame(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for field in ["data", "event", "id", "retry", ""] {
            let name = Array(field.utf8)
            if bytes.count > name.count, bytes[name.count] == UInt8(ascii: ":"),
               (0..<name.count).allSatisfy({ bytes[$0] == name[$0] }) {
                return true
            }
        }
        return false
    }

    /// Validates the events in a piece of an NDJSON or SSE stream (detected from the first bytes
    /// unless `format` says). A partial last frame waits for the next call. Returns the findings of
    /// the events completed by this call.
    @discardableResult
    public func feed(stream bytes: UnsafeRawBufferPointer, format: StreamFormat = .auto) -> [Finding] {
        produced.removeAll(keepingCapacity: true)
        setFormat(format)
        ProcessMetrics.validationLatency.time {
            framer.feed(bytes.bindMemory(to: UInt8.self)) { piece in handle(piece) }
        }
        return produced
    }

    public enum StreamFormat: Sendable { case auto, ndjson, sse }

    private func setFormat(_ format: StreamFormat) {
        guard framer.format == .auto else { return }
        switch format {
        case .auto: break
        case .ndjson: framer = StreamFramer(format: .ndjson, maxFrameBytes: options.maxEventBytes)
        case .sse: framer = StreamFramer(format: .sse, maxFrameBytes: options.maxEventBytes)
        }
    }

    private func handle(_ piece: StreamFramer.Piece) {
        switch piece {
        case .event(let bytes):
            process(bytes)
        case .tooLarge(let size):
            currentIndex = eventCount
            eventCount += 1
            report(.streamFrameTooLarge, "an event of more than \(options.maxEventBytes) bytes (\(size) kept) was skipped")
        }
    }

    /// Ends the stream: completes a partial last frame and reports what the end of the stream leaves
    /// open. Further feeds start nothing new; calling it again returns no findings.
    @discardableResult
    public func finish() -> [Finding] {
        produced.removeAll(keepingCapacity: true)
        guard !finished else { return produced }
        let truncated = framer.finish { piece in handle(piece) }
        currentIndex = -1
        if truncated {
            report(.streamTruncated, "the stream ended inside an SSE event (no blank line after its last data line)")
        }
        endOfStream()
        finished = true
        return produced
    }

    // MARK: findings

    /// Records a finding about the current event, at the rule's severity.
    func report(_ rule: Rule, _ message: @autoclosure () -> String, pointer: String? = nil) {
        let severity = severities[rule] ?? .off
        guard severity != .off else { return }
        counts[severity, default: 0] += 1
        ProcessMetrics.findings.add(rule.rawValue)
        let finding = Finding(rule: rule, severity: severity, message: message(), eventIndex: currentIndex, pointer: pointer)
        if findings.count < options.maxFindings { findings.append(finding) }
        if produced.count < options.maxFindings { produced.append(finding) }
    }

    /// Findings beyond `maxFindings` that were counted but not kept.
    public var droppedFindings: Int {
        counts.values.reduce(0, +) - findings.count
    }
}
