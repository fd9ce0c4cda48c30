/// What the sequence rules remember about the stream so far.
struct SequenceState {
    final class OpenToolCall {
        let name: String
        var args: [UInt8] = []
        /// Arguments grew past the bound: the JSON check at the end is skipped.
        var argsOverflow = false
        init(name: String) { self.name = name }
    }

    /// An open id remembered by its raw bytes: the content events of one message (or the argument events
    /// of one tool call) usually follow one another, and comparing bytes spares building a String and
    /// hashing it for each of them.
    struct HotID {
        var bytes: [UInt8] = []
        var id = ""
        var valid = false
        /// The exact text an event of the usual shape begins with, up to its delta's opening quote:
        /// `{"type":"TEXT_MESSAGE_CONTENT","messageId":"<id>","delta":"` (see EventValidator+FastPath).
        var prefix: [UInt8] = []

        mutating func set(_ raw: UnsafeBufferPointer<UInt8>?, _ id: String, head: StaticString) {
            guard let raw else { valid = false; return }
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: raw)
            prefix.removeAll(keepingCapacity: true)
            prefix.append(contentsOf: UnsafeBufferPointer(start: head.utf8Start, count: head.utf8CodeUnitCount))
            prefix.append(contentsOf: raw)
            prefix.append(contentsOf: #"","delta":""#.utf8)
            self.id = id
            valid = true
        }

        mutating func forget(_ id: String) { if valid && StreamID.same(self.id, id) { valid = false } }
    }

    enum ChunkMode: Equatable {
        case none
        case text(String)
        case toolCall(String)
        case reasoning(String)
    }

    // The client's rules.
    var firstEventSeen = false
    var runStarted = false
    var runFinished = false
    var runErrored = false
    var openMessages = IDSet()
    var openToolCalls = IDTable<OpenToolCall>()
    var openSteps = IDSet()
    var chunk = ChunkMode.none
    var hotMessage = HotID()
    var hotToolCall = HotID()
    var hotToolCallEntry: OpenToolCall?
    var thinkingActive = false
    var thinkingMessageActive = false

    // Strict additions.
    var runID: String?
    var threadID: String?
    var usedMessageIDs: RecentIDs
    var usedToolCallIDs: RecentIDs
    var endedToolCalls: RecentIDs
    var knownMessageIDs: RecentIDs
    var openReasoning = IDSet()
    var openReasoningMessages = IDSet()
    var openSubagents = IDSet()
    /// The argument buffer of the last ended tool call, kept for the next one so that each call's
    /// arguments do not grow a buffer from nothing; one at most, and none past `maxSpareArgsCapacity`.
    private var spareArgs: [UInt8] = []
    static let maxSpareArgsCapacity = 1 << 20
    var deltaBeforeSnapshotReported = false
    var eventsSeen = false
    /// An event carried a `timestamp`.
    var timestampSeen = false

    init(options: ValidatorOptions = ValidatorOptions()) {
        usedMessageIDs = RecentIDs(capacity: options.maxRememberedIDs)
        usedToolCallIDs = RecentIDs(capacity: options.maxRememberedIDs)
        endedToolCalls = RecentIDs(capacity: options.maxRememberedIDs)
        knownMessageIDs = RecentIDs(capacity: options.maxRememberedIDs)
    }

    mutating func takeArgsBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &spareArgs)
        return buffer
    }

    mutating func recycleArgsBuffer(_ buffer: inout [UInt8]) {
        guard buffer.capacity > spareArgs.capacity, buffer.capacity <= SequenceState.maxSpareArgsCapacity else { return }
        buffer.removeAll(keepingCapacity: true)
        swap(&buffer, &spareArgs)
    }

    var runActive: Bool { runStarted && !runFinished && !runErrored }

    /// A new run begins: what the client forgets (open items) and what strict forgets (the run's used
    /// ids; ended tool calls and known messages stay remembered, bounded, for later runs).
    mutating func resetRun() {
        openMessages.removeAll()
        openToolCalls.removeAll()
        openSteps.removeAll()
        hotMessage.valid = false
        hotToolCall.valid = false
        hotToolCallEntry = nil
        runFinished = false
        runErrored = false
        runStarted = true
        thinkingActive = false
        thinkingMessageActive = false
        usedMessageIDs.removeAll()
        usedToolCallIDs.removeAll()
        openReasoning.removeAll()
        openReasoningMessages.removeAll()
        openSubagents.removeAll()
    }
}
