import Testing
import AGJSON
@testable import AGEvents

@Suite struct StreamTests {
    @Test(arguments: Vectors.streamNames, [Profile.client, .strict])
    func documentedExamplesValidateClean(_ name: String, _ profile: Profile) {
        let v = EventValidator(profile: profile)
        let data = Vectors.bytes("streams/\(name).ndjson")
        data.withUnsafeBytes { _ = v.feed(stream: $0) }
        v.finish()
        #expect(v.findings.filter { $0.severity >= .warning }.isEmpty, "\(name): \(v.findings)")
        #expect(v.eventCount > 3)
    }

    @Test func sharedStateIsTracked() {
        let v = EventValidator(profile: .strict)
        Vectors.bytes("streams/shared_state.ndjson").withUnsafeBytes { _ = v.feed(stream: $0) }
        #expect(JSONSerializer.string(v.state) ==
                #"{"recipe":{"title":"Leek soup","ingredients":[{"name":"leek"},{"name":"potato"}],"steps":["chop"]}}"#)
        #expect(JSONSerializer.string(v.activities) == #"{"act-1":{"activityType":"PLAN","content":{"step":2,"of":3}}}"#)
    }

    @Test func messagesAreRebuilt() {
        var options = ValidatorOptions()
        options.trackMessages = true
        let v = EventValidator(profile: .client, options: options)
        Vectors.bytes("streams/tool_calls.ndjson").withUnsafeBytes { _ = v.feed(stream: $0) }
        v.finish()
        let text = JSONSerializer.string(v.messages!)
        #expect(text.contains(#""id":"msg-1","role":"assistant","content":"Let me check the weather.","toolCalls":[{"id":"call-1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}"#), "\(text)")
        #expect(text.contains(#"{"id":"msg-3","role":"assistant","content":"It is 21 degrees in Paris."}"#), "\(text)")
        #expect(text.contains(#""role":"tool","toolCallId":"call-1""#))
    }

    static let sse = ": keep-alive\r\n\r\nevent: message\r\ndata: {\"type\":\"RUN_STARTED\",\r\ndata: \"threadId\":\"t\",\"runId\":\"r\"}\r\n\r\n"
        + "data:{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\"}\n\n"
        + "id: 7\ndata: {\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m\",\"delta\":\"a\\nb\"}\r\r"
        + "\n\ndata: {\"type\":\"TEXT_MESSAGE_END\",\"messageId\":\"m\"}\n\n"
        + "retry: 10\ndata: {\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\n\n"

    @Test func sseFramingEdgeCases() {
        let v = EventValidator(profile: .strict)
        let f = feedStream(v, StreamTests.sse)
        v.finish()
        #expect(f.isEmpty, "\(f)")
        #expect(v.findings.isEmpty)
        #expect(v.eventCount == 5)
    }

    @Test func framesSplitAtEveryByteOffset() {
        let bytes = Array(StreamTests.sse.utf8)
        for cut in 0...bytes.count {
            let v = EventValidator(profile: .strict)
            bytes[..<cut].withUnsafeBytes { _ = v.feed(stream: $0) }
            bytes[cut...].withUnsafeBytes { _ = v.feed(stream: $0) }
            v.finish()
            #expect(v.findings.isEmpty && v.eventCount == 5, "cut at \(cut): \(v.findings) \(v.eventCount)")
        }
        // and one byte at a time
        let v = EventValidator(profile: .strict)
        for b in bytes { [b].withUnsafeBytes { _ = v.feed(stream: $0) } }
        v.finish()
        #expect(v.findings.isEmpty && v.eventCount == 5)
    }

    @Test func ndjsonSplitAtEveryByteOffset() {
        let bytes = Vectors.bytes("streams/tool_calls.ndjson")
        let expected = bytes.filter { $0 == 0x0A }.count
        for cut in stride(from: 0, through: bytes.count, by: 7) {
            let v = EventValidator(profile: .strict)
            bytes[..<cut].withUnsafeBytes { _ = v.feed(stream: $0) }
            bytes[cut...].withUnsafeBytes { _ = v.feed(stream: $0) }
            v.finish()
            #expect(v.findings.isEmpty && v.eventCount == expected, "cut at \(cut)")
        }
    }

    @Test func ndjsonWithCRLFAndBlankLinesAndNoFinalNewline() {
        let v = EventValidator(profile: .strict)
        _ = feedStream(v, "\r\n{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\r\n\r\n   \n{\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\"}")
        #expect(v.eventCount == 1)
        v.finish()
        #expect(v.eventCount == 2)
        #expect(v.findings.isEmpty)
    }

    @Test func anSSEStreamCutInsideAnEventIsTruncated() {
        let v = EventValidator(profile: .client)
        _ = feedStream(v, "data: {\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n")
        #expect(v.eventCount == 0)
        let f = v.finish()
        #expect(v.eventCount == 1)
        #expect(f.map(\.rule) == [.streamTruncated])
    }

    @Test func aFrameBeyondTheBoundIsSkippedAndTheStreamGoesOn() {
        var options = ValidatorOptions()
        options.maxEventBytes = 64
        let v = EventValidator(profile: .strict, options: options)
        let big = "{\"type\":\"CUSTOM\",\"name\":\"x\",\"value\":\"" + String(repeating: "y", count: 200) + "\"}"
        let text = "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\n" + big + "\n{\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\"}\n"
        let bytes = Array(text.utf8)
        // in pieces, so that the big line is carried
        for chunk in stride(from: 0, to: bytes.count, by: 30) {
            bytes[chunk..<min(chunk + 30, bytes.count)].withUnsafeBytes { _ = v.feed(stream: $0) }
        }
        v.finish()
        #expect(v.findings.map(\.rule) == [.streamFrameTooLarge], "\(v.findings)")
        #expect(v.eventCount == 3)
    }

    @Test func garbageIsAFindingNeverACrash() {
        let inputs = ["", "{", "}", "[", "{\"type\":1}", "{\"type\":\"RUN_STARTED\"", "\u{0}", "{\"a\":\"\\ud800\"}",
                      "{\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"add\"}]}", "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\",\"input\":{\"a\":1,\"a\":2}}",
                      String(repeating: "[", count: 2000), "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"\\u0000\"}"]
        for input in inputs {
            let (_, f) = validate([input], profile: .strict)
            #expect(!f.isEmpty, "\(input)")
        }
        var bytes: [UInt8] = Array("{\"type\":\"CUSTOM\",\"name\":\"".utf8) + [0xFF, 0xFE] + Array("\",\"value\":1}".utf8)
        let v = EventValidator(profile: .client)
        bytes.withUnsafeMutableBytes { _ = v.feed(event: UnsafeRawBufferPointer($0)) }
        #expect(v.findings.first?.rule == .jsonInvalid)
    }

    @Test func escapedNamesAndTypesAreDecoded() {
        let (_, f) = validate([#"{"\u0074ype":"RUN_\u0053TARTED","threadId":"t","runId":"r","timestamp":1}"#,
                               #"{"type":"TEXT_MESSAGE_START","messageId":"m\u00e9"}"#,
                               #"{"type":"TEXT_MESSAGE_END","messageId":"mé"}"#,
                               #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#], profile: .strict)
        #expect(f.isEmpty, "\(f)")
    }

    @Test func endlessStreamsKeepBoundedMemory() {
        var options = ValidatorOptions()
        options.maxRememberedIDs = 100
        let v = EventValidator(profile: .strict, options: options)
        for run in 0..<50 {
            var text = "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\(run)\"}\n"
            for i in 0..<100 {
                text += "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c\(run)-\(i)\",\"toolCallName\":\"f\"}\n{\"type\":\"TOOL_CALL_END\",\"toolCallId\":\"c\(run)-\(i)\"}\n"
            }
            text += "{\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\(run)\"}\n"
            _ = feedStream(v, text)
        }
        #expect(v.findings.isEmpty)
        #expect(v.sequence.endedToolCalls.count <= 100)
        #expect(v.sequence.usedToolCallIDs.count <= 100)
    }

    /// With messages tracked, a message (or a tool call's arguments) that streams on and on keeps its first
    /// `maxMessageBytes` bytes, cut at a character.
    @Test func oneEndlessMessageKeepsBoundedText() {
        var options = ValidatorOptions()
        options.trackMessages = true
        options.maxMessageBytes = 100
        let v = EventValidator(profile: .client, options: options)
        var text = "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\",\"role\":\"assistant\"}\n"
        text += "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c\",\"toolCallName\":\"f\",\"parentMessageId\":\"m\"}\n"
        for _ in 0..<500 {
            text += "{\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m\",\"delta\":\"é€x\"}\n"
            text += "{\"type\":\"TOOL_CALL_ARGS\",\"toolCallId\":\"c\",\"delta\":\"ab\"}\n"
        }
        _ = feedStream(v, text)
        let messages = v.messages!.arrayValue!
        let content = messages[0].objectValue!["content"]!.stringValue!
        #expect(content.utf8.count <= 100 && content.utf8.count >= 94 && content.hasPrefix("é€xé€x"))
        #expect(!content.unicodeScalars.contains("\u{FFFD}"))
        let args = messages[0].objectValue!["toolCalls"]!.arrayValue![0].objectValue!["function"]!.objectValue!["arguments"]!.stringValue!
        #expect(args.utf8.count == 100)
    }

    /// With messages tracked, tool calls that keep naming one `parentMessageId` go onto one message that
    /// stays: the log keeps at most `maxMessages` tool calls in all, the oldest going first, in every
    /// profile.
    @Test(arguments: [Profile.client, .strict])
    func toolCallsOnOneParentKeepBoundedMemory(profile: Profile) {
        var options = ValidatorOptions()
        options.trackMessages = true
        options.maxMessages = 50
        options.maxRememberedIDs = 100
        let v = EventValidator(profile: profile, options: options)
        var text = "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n"
        text += "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\",\"role\":\"assistant\"}\n{\"type\":\"TEXT_MESSAGE_END\",\"messageId\":\"m\"}\n"
        _ = feedStream(v, text)
        for round in 0..<40 {
            text = ""
            for i in 0..<100 {
                let id = "c\(round)-\(i)"
                text += "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"\(id)\",\"toolCallName\":\"f\",\"parentMessageId\":\"m\"}\n"
                text += "{\"type\":\"TOOL_CALL_ARGS\",\"toolCallId\":\"\(id)\",\"delta\":\"{}\"}\n"
                text += "{\"type\":\"TOOL_CALL_END\",\"toolCallId\":\"\(id)\"}\n"
            }
            _ = feedStream(v, text)
            let sizes = v.messageLog!.sizes
            #expect(sizes.messages == 1 && sizes.toolCalls <= 50 && sizes.tableEntries <= 1 + 2 * 50, "round \(round): \(sizes)")
        }
        #expect(v.findings.filter { $0.severity >= .warning }.isEmpty, "\(v.findings.prefix(3))")
        // The newest tool calls are the ones kept, in order, each with its arguments.
        let messages = JSONSerializer.string(v.messages!)
        #expect(messages.contains(#"{"id":"c39-99","type":"function","function":{"name":"f","arguments":"{}"}}]"#), "\(messages.suffix(300))")
        #expect(!messages.contains(#""c39-49""#) && messages.contains(#""c39-50""#))
    }
}
