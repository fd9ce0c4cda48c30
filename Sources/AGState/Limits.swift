import AGJSON

/// Identifiers of the configurable limits (the C ABI's `AGS_LIMIT_*`).
public enum LimitID: Int32, Sendable {
    case depth = 0
    case inputBytes = 1
    case historyVersions = 2
    case historyBytes = 3
    case stateBytes = 4
    case operations = 5
    case stringBytes = 6
    case members = 7
    case elements = 8
}

/// The value that stands for "no bound" at the C ABI (`AGS_LIMIT_UNBOUNDED`, INT64_MAX).
public let unboundedLimit = Int64.max

/// Every limit of a store: those of its JSON values and those of its history.
public struct StoreLimits: Sendable, Equatable {
    public var json = JSONLimits.default
    public var history = HistoryLimits()
    public var content = ContentLimits.unbounded

    public init(json: JSONLimits = .default, history: HistoryLimits = HistoryLimits(), content: ContentLimits = .unbounded) {
        self.json = json
        self.history = history
        self.content = content
    }

    /// The value of one limit.
    public func value(of id: LimitID) -> Int64 {
        switch id {
        case .depth: return Int64(json.maxDepth)
        case .inputBytes: return Int64(json.maxInputBytes)
        case .historyVersions: return Int64(history.maxVersions)
        case .historyBytes: return Int64(history.maxBytes)
        case .stateBytes: return Int64(content.maxStateBytes)
        case .operations: return Int64(content.maxOperations)
        case .stringBytes: return Int64(content.maxStringBytes)
        case .members: return Int64(content.maxMembers)
        case .elements: return Int64(content.maxElements)
        }
    }

    /// Sets one limit after checking its range.
    public mutating func set(_ id: LimitID, to value: Int64) throws(AGError) {
        func check(_ ok: Bool, _ rule: String) throws(AGError) {
            if !ok { throw AGError(.invalidArgument, "\(rule), not \(value)") }
        }
        switch id {
        case .depth:
            try check(value >= 1 && value <= Int64(JSONLimits.depthCeiling), "the depth limit must be between 1 and \(JSONLimits.depthCeiling)")
            json.maxDepth = Int(value)
        case .inputBytes:
            try check(value >= 1, "the input size limit must be at least 1 byte")
            json.maxInputBytes = Int(value)
        case .historyVersions:
            try check(value >= 0, "the history version limit must be at least 0")
            history.maxVersions = Int(value)
        case .historyBytes:
            try check(value >= 0, "the history byte limit must be at least 0")
            history.maxBytes = Int(value)
        case .stateBytes, .operations, .stringBytes, .members, .elements:
            try check(value >= 0, "a content limit must be at least 0 (AGS_LIMIT_UNBOUNDED for none)")
            let bound = Int(value)
            switch id {
            case .stateBytes: content.maxStateBytes = bound
            case .operations: content.maxOperations = bound
            case .stringBytes: content.maxStringBytes = bound
            case .members: content.maxMembers = bound
            default: content.maxElements = bound
            }
        }
    }
}

/// The process-wide default limits: used by the stateless functions and taken by every new store.
public enum DefaultLimits {
    private static let lock = Lock()
    nonisolated(unsafe) private static var limits = StoreLimits()

    public static var current: StoreLimits { lock.withLock { limits } }

    /// Reads one limit and, when `newValue` is given, sets it. Returns the value in force before.
    public static func exchange(_ id: LimitID, _ newValue: Int64?) throws(AGError) -> Int64 {
        try lock.withLock { () throws(AGError) -> Int64 in
            let old = limits.value(of: id)
            if let newValue { try limits.set(id, to: newValue) }
            return old
        }
    }
}

extension Store {
    /// A store with all its limits given together.
    public convenience init(_ initial: JSONValue = .object(JSONObject()), limits: StoreLimits) throws(AGError) {
        try self.init(initial, limits: limits.json, history: limits.history, content: limits.content)
    }

    /// Reads one limit of this store and, when `newValue` is given, sets it. Returns the value before.
    public func exchangeLimit(_ id: LimitID, _ newValue: Int64?) throws(AGError) -> Int64 {
        var updated = StoreLimits(json: limits, history: historyLimits, content: contentLimits)
        let old = updated.value(of: id)
        if let newValue {
            try updated.set(id, to: newValue)
            limits = updated.json
            historyLimits = updated.history
            contentLimits = updated.content
        }
        return old
    }
}
