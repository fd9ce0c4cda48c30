import Testing
import AGJSON
@testable import AGEvents

/// One JSON grammar: every malformed value of `test-vectors/json/malformed.json` gets the same message from
/// the parser, from the event validator (whether it scans the value or parses it whole) and from the diff.
@Suite struct MalformedJSONTests {
    struct Case: CustomStringConvertible {
        var name: String
        var text: [UInt8]
        var message: String
        var description: String { name }
    }

    static let cases: [Case] = {
        let doc = try! JSONParser.parse(Vectors.bytes("../json/malformed.json"))
        return doc.objectValue!["cases"]!.arrayValue!.map { entry in
            let c = entry.objectValue!
            let text: [UInt8]
            if let hex = c["hex"]?.stringValue {
                text = hex.split(separator: " ").map { UInt8($0, radix: 16)! }
            } else {
                text = Array(c["text"]!.stringValue!.utf8)
            }
            return Case(name: c["name"]!.stringValue!, text: text, message: c["message"]!.stringValue!)
        }
    }()

    /// The value placed last in `before ... after`, so that a string left open runs to the end.
    static func around(_ before: String, _ value: [UInt8], _ after: String) -> [UInt8] {
        Array(before.utf8) + value + Array(after.utf8)
    }

    static func parserMessage(_ text: [UInt8]) -> String? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    static func validatorMessages(_ event: [UInt8]) -> [String] {
        let v = EventValidator(profile: .strict)
        let findings = event.withUnsafeBytes { v.feed(event: $0) }
        return findings.filter { $0.rule == .jsonInvalid }.map(\.message)
    }

    @Test func theVectorsAreRead() {
        #expect(Self.cases.count >= 25)
    }

    @Test(arguments: cases)
    func theParserRefusesItWithTheMessage(_ c: Case) {
        for text in [c.text, Self.around("{\"a\":[", c.text, "]}"), Self.around(" [1, ", c.text, "]")] {
            let message = Self.parserMessage(text)
            #expect(message?.hasSuffix(": " + c.message) == true, "\(message ?? "accepted")")
        }
    }

    @Test(arguments: cases)
    func theValidatorRefusesItWithTheMessage(_ c: Case) {
        let events = [
            // scanned: a value the validator only checks, a string field, a value nested in one
            Self.around(#"{"type":"CUSTOM","name":"n","value":"#, c.text, "}"),
            Self.around(#"{"type":"RAW","event":{"x":[1,"#, c.text, "]}}"),
            Self.around(#"{"type":"TEXT_MESSAGE_CONTENT","messageId":"m","delta":"#, c.text, "}"),
            // parsed whole: a delta's value, a snapshot
            Self.around(#"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/a","value":"#, c.text, "}]}"),
            Self.around(#"{"type":"STATE_SNAPSHOT","snapshot":{"a":"#, c.text, "}}"),
        ]
        for event in events {
            let messages = Self.validatorMessages(event)
            #expect(messages.count == 1 && messages[0].contains(": " + c.message + " at byte "),
                    "\(String(decoding: event, as: UTF8.self)): \(messages)")
        }
    }

    /// The diff reads the two texts side by side and leaves every text it refuses to the parser: no
    /// patch from the text, and the parser's message.
    @Test(arguments: cases)
    func theDiffRefusesItWithTheMessage(_ c: Case) {
        let valid = Array(#"{"b":1,"a":"x"}"#.utf8)
        let broken = [Self.around(#"{"b":1,"a":"#, c.text, "}"), Self.around(#"{"b":2,"a":"#, c.text, "}")]
        for (a, b) in [(broken[0], broken[1]), (valid, broken[1]), (broken[0], valid)] {
            let fast = a.withUnsafeBytes { x in b.withUnsafeBytes { y in JSONDiff.fastTextDiff(x, y) } }
            #expect(fast == nil)
            let message = Self.parserMessage(Self.parserMessage(a) == nil ? b : a)
            #expect(message?.hasSuffix(": " + c.message) == true, "\(message ?? "accepted")")
        }
    }
}
