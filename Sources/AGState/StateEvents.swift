import AGJSON

/// AG-UI STATE_SNAPSHOT and STATE_DELTA events (AG-UI 1.0), out of a store and into it.
public enum StateEvent: Sendable {
    case snapshot(JSONValue)
    case delta(JSONPatch)

    /// `{"type":"STATE_SNAPSHOT","snapshot":...}`
    public static func snapshotJSON(_ state: JSONValue) -> JSONValue {
        var event = JSONObject()
        event["type"] = "STATE_SNAPSHOT"
        event["snapshot"] = state
        return .object(event)
    }

    /// `{"type":"STATE_DELTA","delta":[...RFC 6902 operations...]}`
    public static func deltaJSON(_ operations: [PatchOperation]) -> JSONValue {
        var event = JSONObject()
        event["type"] = "STATE_DELTA"
        event["delta"] = JSONPatch(operations).json
        return .object(event)
    }

    /// A Server-Sent Events frame holding the event: `data: <compact JSON>\n\n` (compact JSON has no
    /// newline, so one `data:` line carries it).
    public static func sseFrame(_ event: JSONValue) -> [UInt8] {
        var frame = Array("data: ".utf8)
        frame += JSONSerializer.serialize(event)
        frame += [0x0A, 0x0A]
        return frame
    }

    /// Reads a STATE_SNAPSHOT or STATE_DELTA event. Other members (timestamp, rawEvent, ...) are tolerated.
    /// `event` when it can be an AG-UI event (a JSON object with a string `type`), for encoding as it is.
    public static func checkedEvent(_ event: JSONValue) throws(AGError) -> JSONValue {
        guard case .object(let members) = event else {
            throw AGError(.invalidArgument, "an event is a JSON object")
        }
        guard case .string? = members["type"] else {
            throw AGError(.invalidArgument, "an event has a string member \"type\"", pointer: "/type")
        }
        return event
    }

    public init(parsing event: JSONValue) throws(AGError) {
        guard case .object(let object) = event else {
            throw AGError(.invalidArgument, "an event must be a JSON object, not a \(event.typeName)")
        }
        guard case .string(let type)? = object["type"] else {
            throw AGError(.invalidArgument, "the event has no \"type\" string", pointer: "/type")
        }
        switch type {
        case "STATE_SNAPSHOT":
            guard let snapshot = object["snapshot"] else {
                throw AGError(.invalidArgument, "STATE_SNAPSHOT has no \"snapshot\"", pointer: "/snapshot")
            }
            self = .snapshot(snapshot)
        case "STATE_DELTA":
            guard let delta = object["delta"] else {
                throw AGError(.invalidArgument, "STATE_DELTA has no \"delta\"", pointer: "/delta")
            }
            self = .delta(try JSONPatch(parsing: delta))
        default:
            throw AGError(.invalidArgument, "a \(type) event is not a state event (STATE_SNAPSHOT or STATE_DELTA)", pointer: "/type")
        }
    }
}

extension Store {
    /// A STATE_SNAPSHOT event of the current state.
    public func snapshotEvent() -> JSONValue { StateEvent.snapshotJSON(state) }

    /// A STATE_DELTA event taking a client at `version` to the current state (see `delta(since:)`).
    public func deltaEvent(since version: UInt64) throws(AGError) -> JSONValue {
        StateEvent.deltaJSON(try delta(since: version))
    }

    /// Applies a STATE_SNAPSHOT (replacing the whole state) or a STATE_DELTA (atomically) as one change.
    @discardableResult
    public func apply(event: StateEvent, options: PatchOptions = .strict) throws(AGError) -> UInt64 {
        try apply(event: event, commit: CommitOptions(patch: options))
    }

    /// Applies a state event as one change, as `options` say (a snapshot is never lenient: it replaces all).
    @discardableResult
    public func apply(event: StateEvent, commit options: CommitOptions) throws(AGError) -> UInt64 {
        switch event {
        case .snapshot(let state): return try apply(JSONPatch([.replace(path: .root, value: state)]), commit: options)
        case .delta(let patch): return try apply(patch, commit: options)
        }
    }
}
