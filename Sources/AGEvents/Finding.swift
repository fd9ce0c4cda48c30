import AGJSON

/// One thing the validator found.
public struct Finding: Sendable, Equatable {
    public var rule: Rule
    public var severity: Severity
    public var message: String
    /// The 0-based index of the event in the stream; -1 for a finding about the end of the stream.
    public var eventIndex: Int
    /// A JSON Pointer into the event where that applies (e.g. `/messageId`, `/delta/2`).
    public var pointer: String?

    public init(rule: Rule, severity: Severity, message: String, eventIndex: Int, pointer: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.eventIndex = eventIndex
        self.pointer = pointer
    }

    /// `{"rule":…,"severity":…,"message":…,"eventIndex":…,"pointer":…}`; `pointer` is null when it
    /// does not apply.
    public var json: JSONValue {
        var o = JSONObject()
        o["rule"] = .string(rule.rawValue)
        o["severity"] = .string(severity.name)
        o["message"] = .string(message)
        o["eventIndex"] = .int(Int64(eventIndex))
        o["pointer"] = pointer.map { .string($0) } ?? .null
        return .object(o)
    }

    public static func jsonArray(_ findings: some Collection<Finding>) -> [UInt8] {
        if findings.isEmpty { return Array("[]".utf8) }
        return JSONSerializer.serialize(.array(JSONArray(findings.map(\.json))))
    }
}
