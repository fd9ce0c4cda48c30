import AGJSON
import DequeModule

/// One patch made against an older version that met conflicts, and what became of them.
public struct ConflictRecord: Sendable, Equatable {
    /// Counts records from 1, so that a reader can ask for those after the last one it saw.
    public let sequence: UInt64
    public let author: String?
    /// The version the patch was made against.
    public let baseVersion: UInt64
    /// The version it committed; nil when it was refused.
    public let resultVersion: UInt64?
    public let strategy: ConflictStrategy
    /// "applied" (committed, every conflict resolved) or "refused" (nothing committed).
    public let outcome: String
    public let points: [ConflictPoint]

    /// `{"sequence":N,"author":..,"base_version":..,"version":..|null,"strategy":"..","outcome":"..",
    /// "conflicts":[{"path":"..","outcome":".."}]}`
    public var json: JSONValue {
        var o = JSONObject()
        o["sequence"] = .number(.from(sequence))
        o["author"] = author.map { .string($0) } ?? .null
        o["base_version"] = .number(.from(baseVersion))
        o["version"] = resultVersion.map { .number(.from($0)) } ?? .null
        o["strategy"] = .string(strategy.name)
        o["outcome"] = .string(outcome)
        o["conflicts"] = .array(JSONArray(points.map { point -> JSONValue in
            var p = JSONObject()
            p["path"] = .string(point.path.description)
            p["outcome"] = .string(point.outcome)
            return .object(p)
        }))
        return .object(o)
    }
}

/// The latest conflict records of a store, at most `capacity` (the oldest go first), each with at most
/// `maxPointsPerRecord` locations.
public struct ConflictLog: Sendable {
    public static let defaultCapacity = 1000
    public static let maxPointsPerRecord = 100
    public private(set) var records: Deque<ConflictRecord> = []
    public var capacity: Int {
        didSet { trim() }
    }
    private var nextSequence: UInt64 = 1

    public init(capacity: Int = ConflictLog.defaultCapacity) { self.capacity = max(0, capacity) }

    mutating func append(author: String?, base: UInt64, result: UInt64?, strategy: ConflictStrategy, points: [ConflictPoint]) {
        let record = ConflictRecord(sequence: nextSequence, author: author, baseVersion: base, resultVersion: result,
                                    strategy: strategy, outcome: result == nil ? "refused" : "applied",
                                    points: Array(points.prefix(ConflictLog.maxPointsPerRecord)))
        nextSequence += 1
        records.append(record)
        trim()
    }

    private mutating func trim() {
        while records.count > capacity { records.removeFirst() }
    }

    /// The records after `sequence`, oldest first.
    public func records(after sequence: UInt64) -> [ConflictRecord] {
        records.filter { $0.sequence > sequence }
    }
}
