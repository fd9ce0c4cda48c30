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
    /// "patch" (a patch made against an older version) or "replay" (changes made on a fallback storage
    /// while the primary was unreachable, met by other changes on the primary when carried back to it).
    public var kind = "patch"
    /// For a replay: the primary's version when the replay met it, the primary's changes since the base
    /// (as one patch) and the replayed changes (one patch each, with their versions and authors), each
    /// side at most `maxSideBytes` of JSON (a larger side is summarised).
    public var primaryVersion: UInt64?
    public var theirs: JSONValue?
    public var mine: JSONValue?

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
        if kind != "patch" {
            o["kind"] = .string(kind)
            o["primary_version"] = primaryVersion.map { .number(.from($0)) } ?? .null
            o["theirs"] = theirs ?? .null
            o["mine"] = mine ?? .null
        }
        return .object(o)
    }
}

/// The latest conflict records of a store, at most `capacity` (the oldest go first), each with at most
/// `maxPointsPerRecord` locations.
public struct ConflictLog: Sendable {
    public static let defaultCapacity = 1000
    public static let maxPointsPerRecord = 100
    /// Bounds each side of a replay record, in bytes of JSON.
    public static let maxSideBytes = 64 << 10
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

    mutating func append(replay record: ConflictRecord) {
        let record = ConflictRecord(sequence: nextSequence, author: record.author, baseVersion: record.baseVersion,
                                resultVersion: record.resultVersion, strategy: record.strategy, outcome: record.outcome,
                                points: Array(record.points.prefix(ConflictLog.maxPointsPerRecord)), kind: "replay",
                                primaryVersion: record.primaryVersion, theirs: ConflictLog.bounded(record.theirs),
                                mine: ConflictLog.bounded(record.mine))
        nextSequence += 1
        records.append(record)
        trim()
    }

    /// `side`, or a summary of it when its JSON is longer than `maxSideBytes`.
    static func bounded(_ side: JSONValue?) -> JSONValue? {
        guard let side else { return nil }
        let bytes = side.estimatedBytes(upTo: maxSideBytes + 1)
        guard bytes > maxSideBytes else { return side }
        var o = JSONObject()
        o["omitted"] = .bool(true)
        o["limit_bytes"] = .number(.from(UInt64(maxSideBytes)))
        return .object(o)
    }

    private mutating func trim() {
        while records.count > capacity { records.removeFirst() }
    }

    /// The records after `sequence`, oldest first.
    public func records(after sequence: UInt64) -> [ConflictRecord] {
        records.filter { $0.sequence > sequence }
    }
}
