import AGJSON

/// The sequence rules. The client profile is the official TypeScript client's verifier, fed (as in
/// the client) by its chunk expansion; strict adds the conformance rules. One difference of kind: the
/// client stops at its first error, the validator reports it and goes on, skipping the offending event
/// where applying it would make no sense.
extension EventValidator {
    func sequenceEvent(_ type: EventType) {
        sequence.eventsSeen = true
        // The client's chunk expansion closes a chunk-opened message or tool call before any other
        // event but RAW, the activity events and REASONING_ENCRYPTED_VALUE.
        switch type {
        case .textMessageChunk, .toolCallChunk, .reasoningMessageChunk, .raw, .activitySnapshot, .activityDelta,
             .reasoningEncryptedValue:
            break
        default:
            closeChunk()
        }
        guard passesRunGate(type) else { return }
        if strict, type != .subagentStarted, type != .subagentFinished, type != .subagentError,
           let subagent = reader.string(.subagentRunId), !sequence.openSubagents.contains(subagent) {
            report(.subagentUnknown, "\"subagentRunId\" \"\(subagent)\" names no running subagent (no SUBAGENT_STARTED, or it has ended)",
                   pointer: "/subagentRunId")
        }
        switch type {
        case .runStarted: runStarted()
        case .runFinished: runFinished()
        case .runError: runError()
        case .textMessageStart:
            startMessage(reader.string(.messageId)!, role: reader.string(.role) ?? "assistant", pointer: "/messageId")
        case .textMessageContent:
            messageContent(deltaPointer: "/delta")
        case .textMessageEnd:
            endMessage(reader.string(.messageId)!, pointer: "/messageId")
        case .textMessageChunk: textChunk()
        case .toolCallStart:
            startToolCall(reader.string(.toolCallId)!, name: reader.string(.toolCallName)!,
                          parent: reader.string(.parentMessageId), pointer: "/toolCallId")
        case .toolCallArgs:
            toolCallArgs(nil, pointer: "/toolCallId")
        case .toolCallEnd:
            endToolCall(reader.string(.toolCallId)!, pointer: "/toolCallId")
        case .toolCallChunk: toolCallChunk()
        case .toolCallResult: toolCallResult()
        case .stepStarted:
            let name = reader.string(.stepName)!
            if sequence.openSteps.contains(name) {
                report(.stepAlreadyStarted, "step \"\(name)\" is already active", pointer: "/stepName")
            } else if checkOpenBound(sequence.openSteps.count) {
                sequence.openSteps.insert(name)
            }
        case .stepFinished:
            let name = reader.string(.stepName)!
            if sequence.openSteps.remove(name) == nil {
                report(.stepNotStarted, "STEP_FINISHED for step \"\(name)\", which was not started", pointer: "/stepName")
            }
        case .stateSnapshot: stateSnapshot()
        case .stateDelta: stateDelta()
        case .messagesSnapshot: messagesSnapshot()
        case .activitySnapshot: activitySnapshot()
        case .activityDelta: activityDelta()
        case .raw: if strict { rawAdvice() }
        case .custom: if strict { customAdvice() }
        case .reasoningEncryptedValue: break
        case .reasoningStart:
            let id = reader.string(.messageId)!
            guard strict else { return }
            if sequence.openReasoning.contains(id) {
                report(.reasoningAlreadyStarted, "reasoning \"\(id)\" is already in progress", pointer: "/messageId")
            } else if checkOpenBound(sequence.openReasoning.count) {
                sequence.openReasoning.insert(id)
            }
        case .reasoningEnd:
            let id = reader.string(.messageId)!
            if strict && sequence.openReasoning.remove(id) == nil {
                report(.reasoningNotStarted, "REASONING_END for \"\(id)\", which has no REASONING_START", pointer: "/messageId")
            }
        case .reasoningMessageStart:
            startReasoningMessage(reader.string(.messageId)!, pointer: "/messageId")
        case .reasoningMessageContent:
            reasoningContent(reader.string(.messageId)!, pointer: "/messageId", deltaField: .delta)
        case .reasoningMessageEnd:
            endReasoningMessage(reader.string(.messageId)!, pointer: "/messageId")
        case .reasoningMessageChunk: reasoningChunk()
        case .subagentStarted:
            let id = reader.string(.subagentRunId)!
            guard strict else { return }
            if let parent = reader.string(.parentSubagentRunId), !sequence.openSubagents.contains(parent) {
                report(.subagentUnknown, "\"parentSubagentRunId\" \"\(parent)\" names no running subagent", pointer: "/parentSubagentRunId")
            }
            if sequence.openSubagents.contains(id) {
                report(.subagentAlreadyStarted, "subagent run \"\(id)\" has already started", pointer: "/subagentRunId")
            } else if checkOpenBound(sequence.openSubagents.count) {
                sequence.openSubagents.insert(id)
            }
        case .subagentFinished, .subagentError:
            let id = reader.string(.subagentRunId)!
            if strict && sequence.openSubagents.remove(id) == nil {
                report(.subagentNotStarted, "\(type.name) for subagent run \"\(id)\", which has not started or has already ended",
                       pointer: "/subagentRunId")
            }
        case .thinkingStart:
            if sequence.thinkingActive {
                report(.thinkingAlreadyStarted, "a thinking step is already in progress")
            } else {
                sequence.thinkingActive = true
            }
        case .thinkingEnd:
            if !sequence.thinkingActive {
                report(.thinkingNotStarted, "THINKING_END without an active thinking step")
            } else {
                sequence.thinkingActive = false
                sequence.thinkingMessageActive = false
            }
        case .thinkingTextMessageStart:
            if !sequence.thinkingActive {
                report(.thinkingNotStarted, "THINKING_TEXT_MESSAGE_START outside a thinking step (send THINKING_START first)")
            } else if sequence.thinkingMessageActive {
                report(.thinkingMessageAlreadyStarted, "a thinking message is already in progress")
            } else {
                sequence.thinkingMessageActive = true
            }
        case .thinkingTextMessageContent:
            if !sequence.thinkingMessageActive {
                report(.thinkingMessageNotStarted, "THINKING_TEXT_MESSAGE_CONTENT without an active thinking message")
            }
        case .thinkingTextMessageEnd:
            if !sequence.thinkingMessageActive {
                report(.thinkingMessageNotStarted, "THINKING_TEXT_MESSAGE_END without an active thinking message")
            } else {
                sequence.thinkingMessageActive = false
            }
        }
    }

    /// The client's run-level checks, made before the event's own. False: the event is rejected.
    private func passesRunGate(_ type: EventType) -> Bool {
        if sequence.runErrored && type != .runStarted {
            report(.runAfterError, "\(type.name) after RUN_ERROR: only a new RUN_STARTED may follow a failed run")
            return false
        }
        if sequence.runFinished && type != .runError && type != .runStarted {
            report(.runAfterFinished, "\(type.name) after RUN_FINISHED: start a new run with RUN_STARTED first")
            return false
        }
        if !sequence.firstEventSeen {
            sequence.firstEventSeen = true
            if type != .runStarted && type != .runError {
                report(.runFirstEvent, "the first event must be RUN_STARTED (or RUN_ERROR), not \(type.name)", pointer: "/type")
            }
        } else if type == .runStarted && sequence.runActive {
            report(.runAlreadyActive, "RUN_STARTED while run \"\(sequence.runID ?? "")\" is still active: finish it with RUN_FINISHED or RUN_ERROR first")
            return false
        }
        return true
    }

    /// Open items are bounded; beyond the bound a start is reported and not tracked.
    func checkOpenBound(_ count: Int) -> Bool {
        if count < options.maxOpenItems { return true }
        report(.streamLimit, "more than \(options.maxOpenItems) items of one kind open at once; this one is not tracked")
        return false
    }

    // MARK: runs

    private func runStarted() {
        if sequence.runFinished || sequence.runErrored || !sequence.runStarted { sequence.resetRun() }
        sequence.runID = reader.string(.runId)
        sequence.threadID = reader.string(.threadId)
        tracker.deltasSinceSnapshot = 0
        if reader.has(.input), let input = parseMember(.input)?.objectValue {
            // The state the run starts from; null reads as absent (AG-UI 1.0).
            if let state = input["state"], state != .null { tracker.setBase(state) }
            if let messages = input["messages"]?.arrayValue {
                for i in 0..<messages.count {
                    if let id = messages[i].objectValue?["id"]?.stringValue { sequence.knownMessageIDs.insert(id) }
                    if let calls = messages[i].objectValue?["toolCalls"]?.arrayValue {
                        for k in 0..<calls.count {
                            if let id = calls[k].objectValue?["id"]?.stringValue { sequence.endedToolCalls.insert(id) }
                        }
                    }
                }
                messageLog?.replace(with: messages)
            }
        }
    }

    private func runFinished() {
        if !sequence.openSteps.isEmpty {
            report(.runFinishedOpenSteps, "RUN_FINISHED while steps are still active: \(sorted(sequence.openSteps))")
        }
        if !sequence.openMessages.isEmpty {
            report(.runFinishedOpenMessages, "RUN_FINISHED while text messages are still active: \(sorted(sequence.openMessages))")
        }
        if !sequence.openToolCalls.isEmpty {
            report(.runFinishedOpenToolCalls, "RUN_FINISHED while tool calls are still active: \(sorted(sequence.openToolCalls.keys))")
        }
        if strict {
            let open = sequence.openReasoning.union(sequence.openReasoningMessages)
            if !open.isEmpty {
                report(.runFinishedOpenReasoning, "RUN_FINISHED while reasoning is still open: \(sorted(open))")
            }
            if !sequence.openSubagents.isEmpty {
                report(.runFinishedOpenSubagents, "RUN_FINISHED while subagent runs are still open (no SUBAGENT_FINISHED or SUBAGENT_ERROR): \(sorted(sequence.openSubagents))")
            }
            if let runID = sequence.runID, let id = reader.string(.runId), !StreamID.same(id, runID) {
                report(.runIDMismatch, "RUN_FINISHED names run \"\(id)\", but the run that started is \"\(runID)\"", pointer: "/runId")
            }
            if let threadID = sequence.threadID, let id = reader.string(.threadId), !StreamID.same(id, threadID) {
                report(.runIDMismatch, "RUN_FINISHED names thread \"\(id)\", but the run started in thread \"\(threadID)\"", pointer: "/threadId")
            }
        }
        sequence.runFinished = true
    }

    private func runError() {
        if strict && sequence.runFinished {
            report(.runTerminalConflict, "RUN_ERROR after RUN_FINISHED: a run ends with one or the other, not both")
        }
        sequence.runErrored = true
    }

    func endOfStream() {
        closeChunk()
        guard strict else { return }
        if !sequence.eventsSeen {
            report(.streamEmpty, "the stream holds no event")
        } else if sequence.runActive {
            report(.runUnterminated, "the stream ended while run \"\(sequence.runID ?? "")\" was active (no RUN_FINISHED or RUN_ERROR)")
        }
        if sequence.eventsSeen && !sequence.timestampSeen {
            report(.streamNoTimestamps, "no event carries a \"timestamp\": consumers cannot order or time the stream's events")
        }
    }

    // MARK: advice

    /// A RAW event that wraps an AG-UI event: the typed event itself is what consumers act on.
    private func rawAdvice() {
        guard severity(of: .rawTypedEvent) != .off, reader.kind(.event) == .object,
              let name = parseMember(.event)?.objectValue?["type"]?.stringValue, let type = EventType(name: name) else { return }
        report(.rawTypedEvent, "RAW wraps a \(type.name) event: send it as that event, which consumers act on, and keep RAW for events of other protocols",
               pointer: "/event/type")
    }

    /// A CUSTOM event whose name has no namespace: names such as "acme.progress" (or "acme:progress",
    /// "acme/progress") keep one application's events apart from another's.
    private func customAdvice() {
        guard let slot = reader.slot(.name) else { return }
        let bytes = reader.bytes(slot)
        var k = 1
        while k < bytes.count - 1 {
            let b = bytes[k]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ":") || b == UInt8(ascii: "/") { return }
            k += 1
        }
        report(.customNameUnprefixed, "CUSTOM name \"\(reader.string(.name) ?? "")\" has no namespace prefix (such as \"acme.\"): names without one collide across applications",
               pointer: "/name")
    }

    // MARK: text messages

    private func startMessage(_ id: String, role: String, pointer: String) {
        if sequence.openMessages.contains(id) {
            report(.messageAlreadyStarted, "text message \"\(id)\" is already in progress: end it with TEXT_MESSAGE_END first", pointer: pointer)
            return
        }
        guard checkOpenBound(sequence.openMessages.count) else { return }
        if strict { useMessageID(id, pointer: pointer) }
        sequence.openMessages.insert(id)
        messageLog?.startText(id: id, role: role)
    }

    /// Strict: a message id is used once within a run.
    func useMessageID(_ id: String, pointer: String) {
        if sequence.usedMessageIDs.contains(id) {
            report(.messageIDReused, "message id \"\(id)\" is already used in this run", pointer: pointer)
        }
        sequence.usedMessageIDs.insert(id)
        sequence.knownMessageIDs.insert(id)
    }

    private func messageContent(deltaPointer: String) {
        let id: String
        if sequence.hotMessage.valid && reader.rawEquals(.messageId, sequence.hotMessage.bytes) {
            id = sequence.hotMessage.id
        } else {
            id = reader.string(.messageId)!
            guard sequence.openMessages.contains(id) else {
                report(.messageNotStarted, "TEXT_MESSAGE_CONTENT for \"\(id)\", which is not an active text message: send TEXT_MESSAGE_START first",
                       pointer: "/messageId")
                return
            }
            sequence.hotMessage.set(reader.rawString(.messageId), id, head: #"{"type":"TEXT_MESSAGE_CONTENT","messageId":""#)
        }
        if strict, let slot = reader.slot(.delta), slot.start == slot.end {
            report(.textEmptyDelta, "empty \"delta\"", pointer: deltaPointer)
        }
        if messageLog != nil { appendDelta(to: id) }
    }

    private func appendDelta(to id: String) {
        guard let slot = reader.slot(.delta), slot.kind == .string else { return }
        messageLog!.append(to: id) { buffer in reader.appendString(.delta, to: &buffer) }
    }

    private func endMessage(_ id: String, pointer: String) {
        sequence.hotMessage.forget(id)
        if sequence.openMessages.remove(id) == nil {
            report(.messageNotStarted, "TEXT_MESSAGE_END for \"\(id)\", which is not an active text message", pointer: pointer)
            return
        }
        messageLog?.end(id: id)
    }

    // MARK: tool calls

    private func startToolCall(_ id: String, name: String, parent: String?, pointer: String) {
        if sequence.openToolCalls[id] != nil {
            report(.toolCallAlreadyStarted, "tool call \"\(id)\" is already in progress: end it with TOOL_CALL_END first", pointer: pointer)
            return
        }
        guard checkOpenBound(sequence.openToolCalls.count) else { return }
        if strict {
            if sequence.usedToolCallIDs.contains(id) {
                report(.toolCallIDReused, "tool call id \"\(id)\" is already used in this run", pointer: pointer)
            }
            sequence.usedToolCallIDs.insert(id)
            if let parent, !sequence.knownMessageIDs.contains(parent) {
                report(.parentMessageUnknown, "\"parentMessageId\" \"\(parent)\" names no message seen in the stream", pointer: "/parentMessageId")
            }
        }
        let entry = SequenceState.OpenToolCall(name: name)
        if strict { entry.args = sequence.takeArgsBuffer() }
        sequence.openToolCalls[id] = entry
        sequence.hotToolCall.set(reader.rawString(.toolCallId), id, head: #"{"type":"TOOL_CALL_ARGS","toolCallId":""#)
        sequence.hotToolCallEntry = entry
        messageLog?.startToolCall(id: id, name: name, parent: parent)
    }

    /// TOOL_CALL_ARGS (or a chunk's arguments): `id` is nil when the event's own toolCallId names the call.
    private func toolCallArgs(_ given: String?, pointer: String) {
        let id: String
        let entry: SequenceState.OpenToolCall
        if given == nil, sequence.hotToolCall.valid, let hot = sequence.hotToolCallEntry,
           reader.rawEquals(.toolCallId, sequence.hotToolCall.bytes) {
            id = sequence.hotToolCall.id
            entry = hot
        } else {
            id = given ?? reader.string(.toolCallId)!
            guard let found = sequence.openToolCalls[id] else {
                report(.toolCallNotStarted, "TOOL_CALL_ARGS for \"\(id)\", which is not an active tool call: send TOOL_CALL_START first", pointer: pointer)
                return
            }
            entry = found
            if given == nil {
                sequence.hotToolCall.set(reader.rawString(.toolCallId), id, head: #"{"type":"TOOL_CALL_ARGS","toolCallId":""#)
                sequence.hotToolCallEntry = found
            }
        }
        if strict { entry.appendArgs(limit: options.maxToolCallArgsBytes) { buffer in reader.appendString(.delta, to: &buffer) } }
        if messageLog != nil {
            messageLog!.appendArgs(to: id) { buffer in reader.appendString(.delta, to: &buffer) }
        }
    }

    private func endToolCall(_ id: String, pointer: String) {
        sequence.hotToolCall.forget(id)
        guard let call = sequence.openToolCalls.removeValue(forKey: id) else {
            report(.toolCallNotStarted, "TOOL_CALL_END for \"\(id)\", which is not an active tool call", pointer: pointer)
            return
        }
        if strict {
            sequence.endedToolCalls.insert(id)
            if call.argsOverflow {
                report(.toolCallArgsUnchecked, "the arguments of tool call \"\(id)\" exceed \(options.maxToolCallArgsBytes) bytes and were not checked")
            } else if !call.args.isEmpty, let why = jsonProblem(call.args) {
                report(.toolCallArgsInvalidJSON, "the arguments of tool call \"\(id)\" (\(call.name)) are not valid JSON: \(why)", pointer: pointer)
            }
            sequence.recycleArgsBuffer(&call.args)
        }
    }

    private func toolCallResult() {
        let id = reader.string(.toolCallId)!
        let messageID = reader.string(.messageId)!
        if strict {
            if sequence.openToolCalls[id] != nil {
                report(.toolCallResultBeforeEnd, "TOOL_CALL_RESULT for \"\(id)\" before its TOOL_CALL_END", pointer: "/toolCallId")
            } else if !sequence.endedToolCalls.contains(id) {
                report(.toolCallResultUnknown, "TOOL_CALL_RESULT for \"\(id)\", a tool call the stream never started", pointer: "/toolCallId")
            }
            useMessageID(messageID, pointer: "/messageId")
        }
        if let log = messageLog, log.isEnabled, let content = reader.valueBytes(.content) {
            let value = (try? JSONParser.parse(UnsafeRawBufferPointer(content))) ?? .null
            messageLog!.addToolResult(id: messageID, toolCallId: id, content: value)
        }
    }

    // MARK: reasoning

    private func startReasoningMessage(_ id: String, pointer: String) {
        guard strict else { messageLog?.startText(id: id, role: "reasoning"); return }
        if sequence.openReasoningMessages.contains(id) {
            report(.reasoningMessageAlreadyStarted, "reasoning message \"\(id)\" is already in progress", pointer: pointer)
            return
        }
        guard checkOpenBound(sequence.openReasoningMessages.count) else { return }
        useMessageID(id, pointer: pointer)
        sequence.openReasoningMessages.insert(id)
        messageLog?.startText(id: id, role: "reasoning")
    }

    private func reasoningContent(_ id: String, pointer: String, deltaField: EventField) {
        if strict && !sequence.openReasoningMessages.contains(id) {
            report(.reasoningMessageNotStarted, "REASONING_MESSAGE_CONTENT for \"\(id)\", which is not an active reasoning message", pointer: pointer)
            return
        }
        if messageLog != nil { appendDelta(to: id) }
    }

    private func endReasoningMessage(_ id: String, pointer: String) {
        if strict && sequence.openReasoningMessages.remove(id) == nil {
            report(.reasoningMessageNotStarted, "REASONING_MESSAGE_END for \"\(id)\", which is not an active reasoning message", pointer: pointer)
            return
        }
        messageLog?.end(id: id)
    }

    // MARK: chunk expansion (the client's transformChunks)

    /// Closes a message, tool call or reasoning message that chunk events opened.
    func closeChunk() {
        switch sequence.chunk {
        case .none: return
        case .text(let id):
            sequence.chunk = .none
            endMessage(id, pointer: "/messageId")
        case .toolCall(let id):
            sequence.chunk = .none
            endToolCall(id, pointer: "/toolCallId")
        case .reasoning(let id):
            sequence.chunk = .none
            endReasoningMessage(id, pointer: "/messageId")
        }
    }

    private func textChunk() {
        let id = reader.string(.messageId)
        if case .text(let current) = sequence.chunk, id.map { StreamID.same($0, current) } ?? true {
            // continues the open message
        } else {
            closeChunk()
            guard let id else {
                report(.chunkMissingID, "the first TEXT_MESSAGE_CHUNK of a message must have a \"messageId\"", pointer: "/messageId")
                return
            }
            sequence.chunk = .text(id)
            startMessage(id, role: reader.string(.role) ?? "assistant", pointer: "/messageId")
        }
        guard case .text(let current) = sequence.chunk, reader.has(.delta) else { return }
        if sequence.openMessages.contains(current) {
            if strict, let slot = reader.slot(.delta), slot.start == slot.end {
                report(.textEmptyDelta, "empty \"delta\"", pointer: "/delta")
            }
            if messageLog != nil { appendDelta(to: current) }
        } else {
            report(.messageNotStarted, "TEXT_MESSAGE_CHUNK continues \"\(current)\", which is not an active text message", pointer: "/messageId")
        }
    }

    private func toolCallChunk() {
        let id = reader.string(.toolCallId)
        if case .toolCall(let current) = sequence.chunk, id.map { StreamID.same($0, current) } ?? true {
            // continues the open call
        } else {
            closeChunk()
            guard let id else {
                report(.chunkMissingID, "the first TOOL_CALL_CHUNK of a call must have a \"toolCallId\"", pointer: "/toolCallId")
                return
            }
            guard let name = reader.string(.toolCallName) else {
                report(.chunkMissingName, "the first TOOL_CALL_CHUNK of a call must have a \"toolCallName\"", pointer: "/toolCallName")
                return
            }
            sequence.chunk = .toolCall(id)
            startToolCall(id, name: name, parent: reader.string(.parentMessageId), pointer: "/toolCallId")
        }
        guard case .toolCall(let current) = sequence.chunk, reader.has(.delta) else { return }
        toolCallArgs(current, pointer: "/toolCallId")
    }

    private func reasoningChunk() {
        let id = reader.string(.messageId)
        if case .reasoning(let current) = sequence.chunk, id.map { StreamID.same($0, current) } ?? true {
        } else {
            closeChunk()
            guard let id else {
                report(.chunkMissingID, "the first REASONING_MESSAGE_CHUNK of a message must have a \"messageId\"", pointer: "/messageId")
                return
            }
            sequence.chunk = .reasoning(id)
            startReasoningMessage(id, pointer: "/messageId")
        }
        guard case .reasoning(let current) = sequence.chunk, reader.has(.delta) else { return }
        reasoningContent(current, pointer: "/messageId", deltaField: .delta)
    }

    private func sorted<S: Sequence>(_ ids: S) -> String where S.Element == String {
        ids.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
    }
}

extension SequenceState.OpenToolCall {
    func appendArgs(limit: Int, _ body: (inout [UInt8]) -> Void) {
        guard !argsOverflow else { return }
        body(&args)
        if args.count > limit {
            argsOverflow = true
            args = []
        }
    }
}

/// Why `bytes` is not one JSON value, or nil when it is.
func jsonProblem(_ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBufferPointer { p -> String? in
        var scanner = JSONScanner(p)
        do throws(JSONScanner.Failure) {
            scanner.skipWhitespace()
            _ = try scanner.skipValue(depth: 0)
            scanner.skipWhitespace()
            if scanner.position != p.count { throw scanner.fail("unexpected data after the value") }
            return nil
        } catch {
            return "\(error.message) at byte \(error.offset)"
        }
    }
}
