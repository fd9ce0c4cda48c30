import AGJSON

/// One committed change: its version, the operations that took effect, and what undoes them.
public struct Change: Sendable {
    public let version: UInt64
    /// The RFC 6902 operations as they took effect, in order.
    public let operations: [PatchOperation]
    /// The steps that take the state of `version` back to the state of `version - 1`.
    let inverse: [UndoStep]
    /// The locations the change wrote (see `RecordedPatch.touched`).
    public let touched: [JSONPointer]
    /// Where each of `operations` ends in `touched` (see `RecordedPatch.touchedEnds`).
    let touchedEnds: [Int]
    /// An estimate of the memory the recorded change holds, for the history's byte bound.
    let bytes: Int
    /// The committer asked for it to be sent at once.
    public let urgent: Bool
    /// Who committed it (the commit's `author`), when known.
    public let author: String?

    init(version: UInt64, recorded: RecordedPatch, byteLimit: Int, urgent: Bool = false, author: String? = nil) {
        self.version = version
        self.urgent = urgent
        self.author = author
        operations = recorded.applied
        inverse = recorded.inverse
        touched = recorded.touched
        touchedEnds = recorded.touchedEnds
        var total = 64 + (author?.utf8.count ?? 0)
        // Read in place: a for-in loop over the arrays would copy each operation (and retain its parts).
        recorded.applied.withUnsafeBufferPointer { ops in
            for i in ops.indices where total <= byteLimit { total += ops[i].estimatedBytes(upTo: byteLimit - total) }
        }
        recorded.inverse.withUnsafeBufferPointer { steps in
            for i in steps.indices where total <= byteLimit { total += steps[i].operation.estimatedBytes(upTo: byteLimit - total) }
        }
        bytes = total
    }

    /// True when the change wrote somewhere inside, around or at one of `paths`.
    func touches<S: Sequence>(any paths: S) -> Bool where S.Element == JSONPointer {
        paths.contains { path in touched.contains { $0.overlaps(path) } }
    }
}

extension PatchOperation {
    /// Approximate bytes held by the operation, counting at most `limit`.
    func estimatedBytes(upTo limit: Int) -> Int {
        // One switch reads each part once (the `path` property would return a copy of the pointer).
        switch self {
        case .add(let path, let v), .replace(let path, let v), .test(let path, let v):
            let total = 32 + path.estimatedBytes
            return total + v.estimatedBytes(upTo: max(0, limit - total))
        case .move(let from, let path), .copy(let from, let path):
            return 32 + path.estimatedBytes + from.estimatedBytes
        case .remove(let path):
            return 32 + path.estimatedBytes
        }
    }
}

extension Change {
    /// `{"version":N,"patch":[...]}`
    public var json: JSONValue {
        var o = JSONObject()
        o["version"] = .number(JSONNumber.from(version))
        o["patch"] = JSONPatch(operations).json
        if let author { o["author"] = .string(author) }
        return .object(o)
    }
}

extension JSONNumber {
    /// An unsigned integer as a JSON number, exact whatever its size.
    public static func from(_ value: UInt64) -> JSONNumber {
        value <= UInt64(Int64.max) ? .int(Int64(value)) : .bigInteger(String(value))
    }
}

extension JSONPointer {
    /// About the bytes the pointer holds: its tokens' UTF-8 counts, which strings keep (its exact encoded
    /// length, which reads every byte for escapes, measured a tenth of a 100-operation patch).
    var estimatedBytes: Int {
        var total = 0
        for token in tokens { total += 1 + token.utf8.count }
        return total
    }
}
