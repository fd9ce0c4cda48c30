#if canImport(Glibc)
import Glibc
#endif

/// The member names the validator reads. Anything else in an event is tolerated and skipped.
enum EventField: UInt8, CaseIterable {
    case type, timestamp, rawEvent, metadata, subagentRunId
    case messageId, role, delta, name
    case toolCallId, toolCallName, parentMessageId, content
    case snapshot, messages, activityType, replace, patch
    case event, source, value
    case threadId, runId, parentRunId, input, result, outcome, usage, protocolVersion
    case message, code, stepName
    case subtype, entityId, encryptedValue
    case description, parentSubagentRunId, parentToolCallId, title

    var key: String { "\(self)" }

    private static let utf8Keys: [[UInt8]] = EventField.allCases.map { Array($0.key.utf8) }

    private static let byLength: [[EventField]] = {
        var table = Array(repeating: [EventField](), count: 32)
        for f in EventField.allCases { table[f.key.utf8.count].append(f) }
        return table
    }()

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> EventField? {
        let n = bytes.count
        guard n < 32 else { return nil }
        for f in byLength[n] {
            let done = utf8Keys[Int(f.rawValue)].withUnsafeBufferPointer { k in
                k[0] == bytes[0] && memcmp(k.baseAddress!, bytes.baseAddress!, n) == 0
            }
            if done { return f }
        }
        return nil
    }
}
