import Testing
import AGCore
import AGJSON
@testable import AGEvents

/// The state a stream starts from: given (the request's state), shown (STATE_SNAPSHOT,
/// RUN_STARTED.input.state), or unknown.
@Suite struct StartingStateTests {
    static let start = #"{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1}"#
    static let finish = #"{"type":"RUN_FINISHED","threadId":"t","runId":"r"}"#
    /// A delta as pydantic-ai sends one: against the request's state, with no snapshot first.
    static let delta = #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/count","value":2},{"op":"add","path":"/items/-","value":"b"}]}"#

    func options(_ state: JSONValue?) -> ValidatorOptions {
        var o = ValidatorOptions()
        o.initialState = state
        return o
    }

    @Test func deltasApplyToTheGivenStartingState() throws {
        let given = try JSONParser.parse(#"{"count":1,"items":["a"]}"#)
        for profile in [Profile.client, .strict] {
            let (v, f) = validate([Self.start, Self.delta, Self.finish], profile: profile, options: options(given))
            #expect(f.isEmpty, "\(profile): \(f)")
            #expect(JSONSerializer.string(v.state) == #"{"count":2,"items":["a","b"]}"#)
            #expect(v.stateBaseKnown)
            #expect(v.deltasWithoutBase == 0)
        }
    }

    @Test func aDeltaThatDoesNotFitTheGivenStateIsAnError() throws {
        let (v, f) = validate([Self.start, Self.delta, Self.finish], profile: .strict, options: options(try JSONParser.parse(#"{"count":1}"#)))
        #expect(f.map(\.rule) == [.stateDeltaFailed])
        #expect(f.first?.pointer == "/delta/1")
        #expect(JSONSerializer.string(v.state) == #"{"count":1}"#)
    }

    @Test func withoutAStartingStateADeltaIsInformationAndNotDropped() {
        let (client, cf) = validate([Self.start, Self.delta, Self.finish], profile: .client)
        #expect(cf.isEmpty)
        let (strict, sf) = validate([Self.start, Self.delta, Self.finish], profile: .strict)
        #expect(sf.map(\.rule) == [.stateDeltaBeforeSnapshot], "\(sf)")
        #expect(sf.allSatisfy { $0.severity == .info })
        for v in [client, strict] {
            // replace of a missing member added it; the add to a missing array could not apply
            #expect(!v.stateBaseKnown)
            #expect(v.deltasWithoutBase == 1)
        }
    }

    @Test func aDeltaThatAppliesToAnEmptyStateAppliesAsWritten() {
        let add = #"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/a","value":1}]}"#
        let replace = #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/a","value":2}]}"#
        let (v, f) = validate([Self.start, add, replace, Self.finish], profile: .strict)
        #expect(f.map(\.rule) == [.stateDeltaBeforeSnapshot])
        #expect(JSONSerializer.string(v.state) == #"{"a":2}"#)
        #expect(v.deltasWithoutBase == 2 && v.deltasNotApplied == 0)
    }

    @Test func whatCannotApplyEvenLenientlyIsCounted() {
        let deep = #"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/x/y","value":1}]}"#
        let (v, f) = validate([Self.start, deep, Self.finish], profile: .strict)
        #expect(f.map(\.severity) == [.info])
        #expect(f.first?.pointer == "/delta/0")
        #expect(v.deltasNotApplied == 1)
        #expect(JSONSerializer.string(v.state) == "{}")
    }

    @Test func aSnapshotOrTheRunInputMakesTheBaseKnown() {
        let snapshot = #"{"type":"STATE_SNAPSHOT","snapshot":{"count":1,"items":[]}}"#
        let add = #"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/a","value":1}]}"#
        let (v, f) = validate([Self.start, add, snapshot, Self.delta, Self.finish], profile: .strict)
        #expect(v.stateBaseKnown && v.deltasWithoutBase == 0)
        #expect(JSONSerializer.string(v.state) == #"{"count":2,"items":["b"]}"#)
        // The snapshot discarded what the first delta built: advice, with the delta-before-snapshot note.
        #expect(Set(f.map(\.rule)) == [.stateDeltaBeforeSnapshot, .stateSnapshotDiscardsDeltas])
        let withInput = #"{"type":"RUN_STARTED","threadId":"t","runId":"r","timestamp":1,"input":{"threadId":"t","runId":"r","messages":[],"state":{"count":5,"items":[]}}}"#
        let (w, g) = validate([withInput, Self.delta, Self.finish], profile: .strict)
        #expect(g.isEmpty, "\(g)")
        #expect(JSONSerializer.string(w.state) == #"{"count":2,"items":["b"]}"#)
    }

    @Test func aSnapshotAtTheStartOfARunDiscardsNothing() {
        let snapshot = #"{"type":"STATE_SNAPSHOT","snapshot":{"count":1,"items":[]}}"#
        let lines = [Self.start, snapshot, Self.delta, Self.finish, #"{"type":"RUN_STARTED","threadId":"t","runId":"r2"}"#,
                     snapshot, #"{"type":"RUN_FINISHED","threadId":"t","runId":"r2"}"#]
        let (_, f) = validate(lines, profile: .strict)
        #expect(f.isEmpty, "\(f)")
    }
}

@Suite struct ProducerFormTests {
    @Test func oneSSEFrameIsOneEvent() {
        let v = EventValidator(profile: .strict)
        for frame in ["data: {\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\",\"timestamp\":1}\n\n",
                      ": keep-alive\n\n",
                      "event: message\r\ndata: {\"type\":\"RUN_FINISHED\",\r\ndata: \"threadId\":\"t\",\"runId\":\"r\"}"] {
            var text = frame
            let f = text.withUTF8 { v.feed(event: UnsafeRawBufferPointer($0)) }
            #expect(f.isEmpty, "\(frame): \(f)")
        }
        v.finish()
        #expect(v.eventCount == 2)
        #expect(v.findings.isEmpty, "\(v.findings)")
        // Not a frame: still JSON's verdict.
        let (_, g) = validate(["dato: {}"], profile: .client)
        #expect(g.map(\.rule) == [.jsonInvalid])
    }

    @Test func profileNamesInAnyCase() {
        #expect(Profile(name: "Strict") == .strict)
        #expect(Profile(name: "CLIENT") == .client)
        #expect(Profile(name: "compat") == .compat)
        #expect(Profile(name: "stricter") == nil)
    }

    @Test func everyOutcomeOfTheSchemaIsClean() {
        for outcome in [#"{"type":"success"}"#, #"{"type":"success","pendingToolCallIds":["c1"]}"#, #"{"type":"cancelled"}"#,
                        #"{"type":"interrupt","interrupts":[{"id":"i","reason":"r","message":"m","toolCallId":"c","responseSchema":{},"expiresAt":"2026-12-08T00:00:00Z","metadata":{}}]}"#,
                        "null"] {
            let (_, f) = validate([StartingStateTests.start,
                                   #"{"type":"RUN_FINISHED","threadId":"t","runId":"r","outcome":\#(outcome),"usage":[{"provider":"p","model":"m","inputTokens":0,"outputTokens":9007199254740991,"totalTokens":3,"reasoningTokens":1,"cachedInputTokens":1,"cacheWriteInputTokens":1}]}"#],
                                  profile: .strict)
            #expect(f.isEmpty, "\(outcome): \(f)")
        }
    }

    @Test func unknownMembersOfNestedShapesAreTolerated() {
        let (_, f) = validate([StartingStateTests.start,
                               #"{"type":"MESSAGES_SNAPSHOT","messages":[{"id":"u","role":"user","content":[{"type":"image","source":{"type":"url","value":"https://x/y.png","x-cdn":"eu"},"x-alt":"a cat"}],"x-lang":"fr"},{"id":"a","role":"assistant","toolCalls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}","x":1},"x":2}]}]}"#,
                               #"{"type":"RUN_FINISHED","threadId":"t","runId":"r","outcome":{"type":"cancelled","reason":"user"},"usage":[{"inputTokens":1,"x-cost":0.5}]}"#],
                              profile: .strict)
        #expect(f.isEmpty, "\(f)")
    }
}

/// What the C ABI opens: the profile by name in any case, the starting state as JSON text.
@Suite struct SharedValidatorStartingStateTests {
    @Test func theStartingStateIsReadFromText() throws {
        var text = #"{"count":1,"items":["a"]}"#
        let v = try text.withUTF8 { try SharedValidator(profileNamed: "Strict", options: ValidatorOptions(), initialState: UnsafeRawBufferPointer($0)) }
        for line in [StartingStateTests.start, StartingStateTests.delta, StartingStateTests.finish] {
            var event = line
            #expect(try event.withUTF8 { try v.feed(event: UnsafeRawBufferPointer($0)) }.isEmpty)
        }
        #expect(JSONSerializer.string(v.state) == #"{"count":2,"items":["a","b"]}"#)
    }

    @Test func aStartingStateThatIsNotJSONIsAnError() {
        var text = #"{"count":"#
        var failure: AGError?
        do {
            _ = try text.withUTF8 { try SharedValidator(profileNamed: "", options: ValidatorOptions(), initialState: UnsafeRawBufferPointer($0)) }
        } catch let error as AGError {
            failure = error
        } catch {}
        #expect(failure?.code == .invalidJSON)
        #expect(failure?.offset == 9)
        #expect(failure?.message.hasPrefix("the initial state") == true)
    }
}
