import AGJSON

/// Identifiers of the configurable limits (the C ABI's `AGS_LIMIT_*`).
public enum LimitID: Int32, Sendable {
    case depth = 0
    case inputBytes = 1
}

extension JSONLimits {
    /// The value of one limit.
    public func value(of id: LimitID) -> Int64 {
        switch id {
        case .depth: return Int64(maxDepth)
        case .inputBytes: return Int64(maxInputBytes)
        }
    }

    /// Sets one limit after checking its range.
    public mutating func set(_ id: LimitID, to value: Int64) throws(AGError) {
        switch id {
        case .depth:
            guard value >= 1 && value <= Int64(JSONLimits.depthCeiling) else {
                throw AGError(.invalidArgument, "the depth limit must be between 1 and \(JSONLimits.depthCeiling), not \(value)")
            }
            maxDepth = Int(value)
        case .inputBytes:
            guard value >= 1 && value <= Int64(Int.max) else {
                throw AGError(.invalidArgument, "the input size limit must be at least 1 byte, not \(value)")
            }
            maxInputBytes = Int(value)
        }
    }
}

/// The process-wide default limits: used by the stateless functions and taken by every new store.
public enum DefaultLimits {
    private static let lock = Lock()
    nonisolated(unsafe) private static var limits = JSONLimits.default

    public static var current: JSONLimits { lock.withLock { limits } }

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
    /// Reads one limit of this store and, when `newValue` is given, sets it. Returns the value before.
    public func exchangeLimit(_ id: LimitID, _ newValue: Int64?) throws(AGError) -> Int64 {
        var updated = limits
        let old = updated.value(of: id)
        if let newValue {
            try updated.set(id, to: newValue)
            limits = updated
        }
        return old
    }
}
