import Testing
@testable import AGEvents

/// The validator's id sets hash and compare ids by their UTF-8 bytes (`StreamID`).
@Suite struct StreamIDTests {
    /// Ids of every length around the hash's word boundaries, many differing in one byte, must behave in
    /// the sets exactly as byte strings do in a plain `Set`.
    @Test func setsAgreeWithSetsOfBytes() {
        var generator = SystemRandomNumberGenerator()
        var ids = IDSet()
        var reference = Set<[UInt8]>()
        var table = IDTable<Int>()
        for round in 0..<4_000 {
            let length = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0x61...0x64, using: &generator) }
            if round % 3 == 0, !bytes.isEmpty { bytes[bytes.count - 1] = 0x7A }  // differs in the tail only
            let id = String(decoding: bytes, as: UTF8.self)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                #expect(ids.insert(id) == reference.insert(bytes).inserted)
                table[id] = length
            case 1:
                #expect((ids.remove(id) != nil) == (reference.remove(bytes) != nil))
                table.removeValue(forKey: id)
            default:
                #expect(ids.contains(id) == reference.contains(bytes))
            }
            #expect(ids.count == reference.count)
        }
        #expect(Set(ids.map { Array($0.utf8) }) == reference)
        for key in table.keys { #expect(table[key] == key.utf8.count) }
    }

    /// Two spellings of "é" are one `String` to Swift but two ids to the JavaScript client, which keys its
    /// maps by code units; the validator follows the client.
    @Test func canonicallyEquivalentSpellingsAreDifferentIDs() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)
        var ids = IDSet()
        ids.insert(composed)
        #expect(!ids.contains(decomposed))
        #expect(ids.contains("caf\u{E9}"))

        let v = EventValidator(profile: .client)
        for line in [
            #"{"type":"RUN_STARTED","threadId":"t","runId":"r"}"#,
            #"{"type":"TEXT_MESSAGE_START","messageId":"caf\u00e9"}"#,
            #"{"type":"TEXT_MESSAGE_END","messageId":"cafe\u0301"}"#,
        ] {
            Array(line.utf8).withUnsafeBytes { _ = v.feed(event: $0) }
        }
        #expect(v.findings.map(\.rule.rawValue) == ["message.not-started"])

        // The same for a run's ids, and for the message a chunk continues.
        let strict = EventValidator(profile: .strict)
        for line in [
            #"{"type":"RUN_STARTED","threadId":"t","runId":"caf\u00e9"}"#,
            #"{"type":"TEXT_MESSAGE_CHUNK","messageId":"m\u00e9","delta":"a"}"#,
            #"{"type":"TEXT_MESSAGE_CHUNK","messageId":"me\u0301","delta":"b"}"#,
            #"{"type":"RUN_FINISHED","threadId":"t","runId":"cafe\u0301"}"#,
        ] {
            Array(line.utf8).withUnsafeBytes { _ = strict.feed(event: $0) }
        }
        #expect(strict.findings.map(\.rule.rawValue).contains("run.id-mismatch"))
        #expect(strict.findings.map(\.rule.rawValue).contains("message.id-reused") == false)
        #expect(strict.findings.filter { $0.rule.rawValue == "run.id-mismatch" }.count == 1)
    }

    /// Event types are names compared by bytes too: every type is found by its own name, escaped or not,
    /// and a Kelvin sign in place of the K of TEXT_MESSAGE_CHUNK is an unknown type, as it is to the
    /// JavaScript client. Activities are kept by message id byte for byte.
    @Test func typesAndActivitiesCompareByBytes() {
        for t in EventType.allCases { #expect(EventType(name: t.name) == t, "\(t.name)") }
        #expect(EventType(name: "TEXT_MESSAGE_CHUN\u{212A}") == nil)
        let v = EventValidator(profile: .strict)
        for line in [
            #"{"type":"RUN_STARTED","threadId":"t","runId":"r"}"#,
            #"{"type":"TEXT_MESSAGE_CHUN\u212a","messageId":"m","delta":"a"}"#,
            #"{"type":"TEXT\u005fMESSAGE_START","messageId":"n"}"#,
            #"{"type":"ACTIVITY_SNAPSHOT","messageId":"caf\u00e9","activityType":"PLAN","content":{"a":1}}"#,
            #"{"type":"ACTIVITY_DELTA","messageId":"cafe\u0301","activityType":"PLAN","patch":[]}"#,
        ] {
            Array(line.utf8).withUnsafeBytes { _ = v.feed(event: $0) }
        }
        let rules = v.findings.map { ($0.rule.rawValue, $0.eventIndex) }
        #expect(rules.contains { $0 == ("event.type-unknown", 1) }, "\(rules)")
        #expect(!rules.contains { $0.1 == 2 }, "\(rules)")
        #expect(rules.contains { $0 == ("activity.delta-failed", 4) }, "\(rules)")
    }
}
