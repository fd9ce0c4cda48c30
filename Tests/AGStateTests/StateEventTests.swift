import Testing
import AGJSON
import AGState

@Suite struct StateEventTests {
    static let stream = [
        #"{"type":"STATE_SNAPSHOT","snapshot":{"todos":[],"status":"idle"},"timestamp":1}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/todos/-","value":{"id":1,"done":false}}]}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"add","path":"/todos/-","value":{"id":2,"done":false}}]}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"test","path":"/todos/0/done","value":false},{"op":"replace","path":"/todos/0/done","value":true}]}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"move","from":"/todos/0","path":"/todos/-"}]}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/status","value":"busy"},{"op":"replace","path":"/missing","value":1}]}"#,
        #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/status","value":"done"}]}"#,
    ]

    @Test func replayedStreamReachesTheExpectedState() throws {
        let store = try Store()
        var rejected: [(Int, AGError)] = []
        for (i, text) in Self.stream.enumerated() {
            do { try store.apply(event: StateEvent(parsing: JSONParser.parse(text))) } catch { rejected.append((i, error)) }
        }
        #expect(rejected.count == 1)
        #expect(rejected.first?.0 == 5 && rejected.first?.1.operationIndex == 1 && rejected.first?.1.pointer == "/missing")
        let expected = try JSONParser.parse(#"{"todos":[{"id":2,"done":false},{"id":1,"done":true}],"status":"done"}"#)
        #expect(store.state == expected)
        #expect(store.version == 6)
    }

    @Test func lenientModeByNameOnly() throws {
        let store = try Store(["a": 1])
        let delta = try StateEvent(parsing: JSONParser.parse(#"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/b","value":2},{"op":"remove","path":"/c"}]}"#))
        #expect(throws: AGError.self) { try store.apply(event: delta) }
        #expect(try store.apply(event: delta, options: PatchOptions(lenient: true)) == 1)
        #expect(store.state == ["a": 1, "b": 2])
        #expect(try store.delta(since: 0) == [.add(path: JSONPointer(parsing: "/b"), value: 2)])
    }

    @Test func eventsOut() throws {
        let store = try Store(["a": 1])
        try store.set(2, at: JSONPointer(parsing: "/a"))
        #expect(JSONSerializer.string(store.snapshotEvent()) == #"{"type":"STATE_SNAPSHOT","snapshot":{"a":2}}"#)
        #expect(JSONSerializer.string(try store.deltaEvent(since: 0)) == #"{"type":"STATE_DELTA","delta":[{"op":"replace","path":"/a","value":2}]}"#)
        #expect(String(decoding: StateEvent.sseFrame(store.snapshotEvent()), as: UTF8.self) == "data: {\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"a\":2}}\n\n")
    }

    @Test(arguments: [#"[]"#, #"{"delta":[]}"#, #"{"type":"RUN_STARTED"}"#, #"{"type":"STATE_DELTA"}"#,
                      #"{"type":"STATE_DELTA","delta":{}}"#, #"{"type":"STATE_SNAPSHOT"}"#])
    func malformedEventsAreRejected(text: String) throws {
        #expect(throws: AGError.self) { try StateEvent(parsing: JSONParser.parse(text)) }
    }
}
