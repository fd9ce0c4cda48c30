import Testing
import AGJSON
@testable import AGEvents

/// The fast path for content and argument events must give exactly the verdicts of the general path.
/// A leading space keeps an event off the fast path without changing its meaning, so each stream is run
/// both ways and compared.
@Suite struct FastPathTests {
    static let lines: [String] = [
        #"{"type":"RUN_STARTED","threadId":"t","runId":"r"}"#,
        #"{"type":"TEXT_MESSAGE_START","messageId":"m1"}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"a"}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"b\n\u00e9\"q\ud83d\ude00"}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":""}"#,
        "BAD-UTF8",
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"unterminated}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"x","extra":1}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"x"} trailing"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"é"}   "#,
        #"{"type":"TOOL_CALL_START","toolCallId":"c1","toolCallName":"f","parentMessageId":"m1"}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c1","delta":"{\"q\":"}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c1","delta":"\"v\\u00e9\""}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c1","delta":"}"}"#,
        #"{"type":"TOOL_CALL_END","toolCallId":"c1"}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c1","delta":"late"}"#,
        #"{"type":"TEXT_MESSAGE_END","messageId":"m1"}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"after end"}"#,
        #"{"type":"TOOL_CALL_START","toolCallId":"c2","toolCallName":"f"}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c2","delta":"{\"a\":"}"#,
        #"{"type":"TOOL_CALL_ARGS","toolCallId":"c2","delta":"1"}"#,
        #"{"type":"TOOL_CALL_END","toolCallId":"c2"}"#,
        #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#,
        #"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"after run"}"#,
    ]

    func run(_ lines: [String], _ profile: Profile, slow: Bool) -> (String, String) {
        var options = ValidatorOptions()
        options.trackMessages = true
        let v = EventValidator(profile: profile, options: options)
        for line in lines {
            var bytes = Array(line.utf8)
            if line == "BAD-UTF8" {  // a delta holding a byte that is not UTF-8
                bytes = Array(#"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m1","delta":"bad "#.utf8) + [0xFF] + Array(#""}"#.utf8)
            }
            if slow { bytes.insert(0x20, at: 0) }
            bytes.withUnsafeBytes { _ = v.feed(event: $0) }
        }
        v.finish()
        let findings = v.findings.map { "\($0.rule.rawValue)@\($0.eventIndex)\($0.pointer ?? "")" }.joined(separator: " ")
        return (findings, JSONSerializer.string(v.messages!))
    }

    @Test(arguments: [Profile.client, .strict])
    func verdictsAreTheSameOnBothPaths(_ profile: Profile) {
        let fast = run(FastPathTests.lines, profile, slow: false)
        let slow = run(FastPathTests.lines, profile, slow: true)
        #expect(fast.0 == slow.0)
        #expect(fast.1 == slow.1)
        #expect(fast.0.contains("json.invalid@5"))
        #expect(fast.1.contains(#""content":"ab\né\"q😀xé""#), "\(fast.1)")
        #expect(fast.1.contains(#""arguments":"{\"q\":\"v\\u00e9\"}""#), "\(fast.1)")
    }

    @Test func theExampleStreamsAgreeToo() {
        for name in Vectors.streamNames {
            let lines = String(decoding: Vectors.bytes("streams/\(name).ndjson"), as: UTF8.self).split(separator: "\n").map(String.init)
            for profile in [Profile.client, .strict] {
                #expect(run(lines, profile, slow: false) == run(lines, profile, slow: true), "\(name)")
            }
        }
    }

    /// The scanner's decoding of escaped text (argument fragments, ids) gives the parser's bytes.
    @Test func scannerDecodesAsTheParserDoes() throws {
        let pieces = ["a", "plain words ", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\b", "\\u0000", "\\u00e9",
                      "\\ud83d\\ude00", "{\\\"k\\\":[1,2]}"]
        var seed: UInt64 = 5
        for _ in 0..<1_000 {
            var json = ""
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            var bits = seed
            for _ in 0..<Int(bits % 10) {
                bits /= 10
                json += pieces[Int(bits % UInt64(pieces.count))]
                bits /= UInt64(pieces.count)
            }
            let expected = try JSONParser.parse("\"\(json)\"").stringValue!
            var decoded: [UInt8] = []
            Array(json.utf8).withUnsafeBufferPointer { JSONScanner.unescape($0, into: &decoded) }
            #expect(String(decoding: decoded, as: UTF8.self) == expected, "\(json)")
        }
    }
}
