import Testing
import AGJSON
@testable import AGEvents

@Suite struct RuleTests {
    @Test(arguments: Vectors.ruleCases)
    func triggerReportsTheRule(_ c: Vectors.RuleCase) {
        let (_, findings) = validate(c.trigger, profile: c.profile)
        #expect(findings.contains { $0.rule.rawValue == c.rule && (c.pointer == nil || $0.pointer == c.pointer) }, "\(c): \(findings)")
        if c.profile == .client {
            let (_, strictFindings) = validate(c.trigger, profile: .strict)
            #expect(strictFindings.contains { $0.rule.rawValue == c.rule }, "client rules hold in strict: \(c.rule)")
        }
    }

    @Test(arguments: Vectors.ruleCases)
    func nearIdenticalCleanStreamDoesNot(_ c: Vectors.RuleCase) {
        let (_, findings) = validate(c.clean, profile: c.profile)
        #expect(!findings.contains { $0.rule.rawValue == c.rule }, "\(c.rule): \(findings)")
        #expect(findings.allSatisfy { $0.severity < .warning }, "\(c.rule): \(findings)")
    }

    @Test(arguments: Vectors.ruleCases.filter { $0.profile == .strict && $0.rule != "event.deprecated" })
    func strictRulesAreOffInTheClientProfile(_ c: Vectors.RuleCase) {
        let (_, findings) = validate(c.trigger, profile: .client)
        #expect(!findings.contains { $0.rule.rawValue == c.rule })
    }

    @Test func everyRuleHasAVectorOrASwiftTest() {
        let covered = Set(Vectors.ruleCases.map(\.rule))
        let swiftOnly: Set<String> = ["stream.frame-too-large", "stream.truncated", "stream.limit", "tool-call.args-unchecked"]
        for rule in Rule.allCases {
            #expect(covered.contains(rule.rawValue) || swiftOnly.contains(rule.rawValue), "no test for \(rule.rawValue)")
        }
    }

    @Test func ruleIdsAreUnique() {
        #expect(Set(Rule.allCases.map(\.rawValue)).count == Rule.allCases.count)
    }

    @Test func compatAcceptsThinkingEventsAsInformation() {
        let lines = Vectors.ruleCases.first { $0.rule == "event.deprecated" }!.trigger
        let (_, findings) = validate(lines, profile: .compat)
        #expect(findings.filter { $0.rule != .streamNoTimestamps }.allSatisfy { $0.severity == .info && $0.rule == .eventDeprecated })
        #expect(validate(lines, profile: .client).1.isEmpty)
    }

    @Test func severityOverrides() {
        let lines = Vectors.ruleCases.first { $0.rule == "text.empty-delta" }!.trigger
        let v = EventValidator(profile: .strict)
        v.setSeverity(.error, for: .textEmptyDelta)
        for l in lines { var t = l; _ = t.withUTF8 { v.feed(event: UnsafeRawBufferPointer($0)) } }
        #expect(v.findings.map(\.severity) == [.error])
        let w = EventValidator(profile: .strict)
        w.setSeverity(.off, for: .textEmptyDelta)
        for l in lines { var t = l; _ = t.withUTF8 { w.feed(event: UnsafeRawBufferPointer($0)) } }
        #expect(w.findings.isEmpty)
    }

    @Test func findingsCarryIndexPointerAndMessage() {
        let (_, findings) = validate(Vectors.ruleCases.first { $0.rule == "state.delta-failed" }!.trigger, profile: .strict)
        let f = findings.first { $0.rule == .stateDeltaFailed }!
        #expect(f.eventIndex == 2)
        #expect(f.pointer == "/delta/1")
        #expect(f.severity == .error)
        #expect(f.message.contains("/x"))
        let (_, end) = validate(Vectors.ruleCases.first { $0.rule == "run.unterminated" }!.trigger, profile: .strict)
        #expect(end.last!.eventIndex == -1)
    }

    @Test func aDeltaThatFailsLeavesTheStateAsItWas() {
        let (v, _) = validate(Vectors.ruleCases.first { $0.rule == "state.delta-failed" }!.trigger, profile: .client)
        #expect(JSONSerializer.string(v.state) == #"{"a":1}"#)
    }

    @Test func snakeCaseNamesGetAHint() {
        let (_, findings) = validate([#"{"type":"RUN_STARTED","thread_id":"t","run_id":"r"}"#], profile: .client)
        #expect(findings.first!.message.contains("camelCase"))
    }

    @Test func unknownMembersAreTolerated() {
        let (_, findings) = validate([#"{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1,"x-extra":{"a":[1,2]}}"#,
                                      #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#], profile: .strict)
        #expect(findings.isEmpty)
    }

    @Test func timestampsMustBeSafeIntegers() {
        for (ts, ok) in [("1700000000000", true), ("1.5", false), ("9007199254740993", false), ("1e3", true), ("\"x\"", false)] {
            let (_, f) = validate([#"{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":\#(ts)}"#,
                                   #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#], profile: .client)
            #expect(f.isEmpty == ok, "\(ts): \(f)")
        }
    }

    @Test func toolCallArgsBeyondTheBoundAreSaidUnchecked() {
        var options = ValidatorOptions()
        options.maxToolCallArgsBytes = 8
        let lines = [#"{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1}"#,
                     #"{"type":"TOOL_CALL_START","toolCallId":"c","toolCallName":"f"}"#,
                     #"{"type":"TOOL_CALL_ARGS","toolCallId":"c","delta":"{\"long\":\"argument\"}"}"#,
                     #"{"type":"TOOL_CALL_END","toolCallId":"c"}"#,
                     #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#]
        let (_, f) = validate(lines, profile: .strict, options: options)
        #expect(f.map(\.rule) == [.toolCallArgsUnchecked])
    }

    @Test func openItemsAreBounded() {
        var options = ValidatorOptions()
        options.maxOpenItems = 2
        var lines = [#"{"type":"RUN_STARTED","threadId":"t","runId":"r"}"#]
        for i in 0..<3 { lines.append(#"{"type":"STEP_STARTED","stepName":"s\#(i)"}"#) }
        let (_, f) = validate(lines, profile: .client, options: options)
        #expect(f.map(\.rule) == [.streamLimit])
    }

    @Test func findingsAreBounded() {
        var options = ValidatorOptions()
        options.maxFindings = 5
        let (v, f) = validate(Array(repeating: "nope", count: 20), profile: .client, options: options)
        #expect(f.count == 5)
        #expect(v.droppedFindings == 15)
        #expect(v.counts[.error] == 20)
    }
}
