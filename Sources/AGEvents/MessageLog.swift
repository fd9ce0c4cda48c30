import AGJSON
import DequeModule

/// The conversation rebuilt from the message events, the way a client would show it: text and
/// reasoning messages with their content, tool calls on their assistant message, tool results,
/// activities; MESSAGES_SNAPSHOT replaces it all. At most `maxMessages` are kept (the oldest go), and at
/// most `maxMessages` tool calls on them in all (the oldest go, also from a message that stays: tool calls
/// that keep naming one `parentMessageId` would otherwise grow it without bound); a content or a tool
/// call's arguments keeps its first `maxBytes` bytes (one message streaming forever is as endless).
struct MessageLog {
    final class Entry {
        var message: JSONObject
        var content: [UInt8]?         // streamed text, while or after it streams
        var toolCalls: Deque<(id: String, name: String, args: [UInt8])> = []
        init(_ message: JSONObject) { self.message = message }
    }

    private var entries: [Entry] = []
    private var byID = IDTable<Entry>()
    private var toolCallOwner = IDTable<Entry>()
    /// Every tool call started, oldest first, with the message it went on (which may since have gone).
    private var toolCallOrder: Deque<(id: String, owner: Entry)> = []
    let maxMessages: Int
    /// Text kept per message content and per tool call's arguments.
    let maxBytes: Int
    var isEnabled: Bool { true }

    init(maxMessages: Int, maxBytes: Int = 16 << 20) {
        self.maxMessages = max(1, maxMessages)
        self.maxBytes = max(0, maxBytes)
    }

    /// Keeps `text` within `maxBytes`, cut before a character that would not fit whole.
    private func bound(_ text: inout [UInt8]) {
        guard text.count > maxBytes else { return }
        var end = maxBytes
        while end > 0 && text[end] & 0xC0 == 0x80 { end -= 1 }
        text.removeSubrange(end...)
    }

    /// What the log holds: messages, tool calls on them, and entries of its tables (for tests of its bounds).
    var sizes: (messages: Int, toolCalls: Int, tableEntries: Int) {
        (entries.count, entries.reduce(0) { $0 + $1.toolCalls.count }, byID.count + toolCallOwner.count + toolCallOrder.count)
    }

    private mutating func add(_ id: String, _ entry: Entry) {
        entries.append(entry)
        byID[id] = entry
        if entries.count > maxMessages {
            // Drop the oldest half at once, so the cost stays amortised.
            let drop = entries.count - maxMessages / 2
            for old in entries[..<drop] {
                if let id = old.message["id"]?.stringValue, byID[id] === old { byID[id] = nil }
                for call in old.toolCalls where toolCallOwner[call.id] === old { toolCallOwner[call.id] = nil }
            }
            entries.removeFirst(drop)
        }
    }

    mutating func startText(id: String, role: String) {
        var m = JSONObject()
        m["id"] = .string(id)
        m["role"] = .string(role)
        let entry = Entry(m)
        entry.content = []
        add(id, entry)
    }

    mutating func append(to id: String, _ body: (inout [UInt8]) -> Void) {
        guard let entry = byID[id] else { return }
        if entry.content == nil { entry.content = [] }
        guard entry.content!.count < maxBytes else { return }
        body(&entry.content!)
        bound(&entry.content!)
    }

    mutating func end(id: String) {}

    mutating func startToolCall(id: String, name: String, parent: String?) {
        let owner: Entry
        if let parent, let existing = byID[parent] {
            owner = existing
        } else {
            var m = JSONObject()
            m["id"] = .string(parent ?? id)
            m["role"] = .string("assistant")
            owner = Entry(m)
            add(parent ?? id, owner)
        }
        owner.toolCalls.append((id, name, []))
        toolCallOwner[id] = owner
        toolCallOrder.append((id, owner))
        if toolCallOrder.count > maxMessages {
            // The oldest tool call goes; it is the first on its message, unless that message went first.
            let (oldest, from) = toolCallOrder.removeFirst()
            if let first = from.toolCalls.first, StreamID.same(first.id, oldest) { from.toolCalls.removeFirst() }
            if toolCallOwner[oldest] === from { toolCallOwner[oldest] = nil }
        }
    }

    mutating func appendArgs(to id: String, _ body: (inout [UInt8]) -> Void) {
        guard let owner = toolCallOwner[id], let k = owner.toolCalls.lastIndex(where: { StreamID.same($0.id, id) }),
              owner.toolCalls[k].args.count < maxBytes else { return }
        body(&owner.toolCalls[k].args)
        bound(&owner.toolCalls[k].args)
    }

    mutating func addToolResult(id: String, toolCallId: String, content: JSONValue) {
        var m = JSONObject()
        m["id"] = .string(id)
        m["role"] = .string("tool")
        m["toolCallId"] = .string(toolCallId)
        m["content"] = content
        add(id, Entry(m))
    }

    mutating func setActivity(id: String, type: String, content: JSONValue) {
        if let entry = byID[id], entry.message["role"]?.stringValue == "activity" {
            entry.message["activityType"] = .string(type)
            entry.message["content"] = content
            return
        }
        var m = JSONObject()
        m["id"] = .string(id)
        m["role"] = .string("activity")
        m["activityType"] = .string(type)
        m["content"] = content
        add(id, Entry(m))
    }

    mutating func replace(with messages: JSONArray) {
        entries.removeAll()
        byID.removeAll()
        toolCallOwner.removeAll()
        toolCallOrder.removeAll()
        for i in 0..<messages.count {
            guard let m = messages[i].objectValue, let id = m["id"]?.stringValue else { continue }
            add(id, Entry(m))
        }
    }

    /// The messages as a JSON array, in the order they began.
    func json(open: SequenceState) -> JSONValue {
        var list = JSONArray()
        for entry in entries {
            var m = entry.message
            if let content = entry.content { m["content"] = .string(String(decoding: content, as: UTF8.self)) }
            if !entry.toolCalls.isEmpty {
                var calls = m["toolCalls"]?.arrayValue ?? JSONArray()
                for call in entry.toolCalls {
                    var fn = JSONObject()
                    fn["name"] = .string(call.name)
                    fn["arguments"] = .string(String(decoding: call.args, as: UTF8.self))
                    var c = JSONObject()
                    c["id"] = .string(call.id)
                    c["type"] = .string("function")
                    c["function"] = .object(fn)
                    calls.append(.object(c))
                }
                m["toolCalls"] = .array(calls)
            }
            list.append(.object(m))
        }
        return .array(list)
    }
}
