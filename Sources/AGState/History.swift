import AGJSON
import DequeModule

/// Bounds of a store's history.
public struct HistoryLimits: Sendable, Equatable {
    /// How many of the latest changes are kept (0 keeps none).
    public var maxVersions: Int
    /// How many bytes (estimated) the kept changes may hold.
    public var maxBytes: Int

    public static let defaultMaxVersions = 1000
    public static let defaultMaxBytes = 64 << 20

    public init(maxVersions: Int = HistoryLimits.defaultMaxVersions, maxBytes: Int = HistoryLimits.defaultMaxBytes) {
        self.maxVersions = maxVersions
        self.maxBytes = maxBytes
    }
}

/// The latest changes of a store, as operations and their inverses: never copies of the state. The oldest
/// changes are dropped first when either bound is passed.
struct History {
    private(set) var changes: Deque<Change> = []
    private(set) var bytes = 0
    var limits: HistoryLimits {
        didSet { trim() }
    }

    init(limits: HistoryLimits) { self.limits = limits }

    /// Appends `change`, moving the changes that no longer fit to `evicted`, for the caller to let go of
    /// after releasing its locks: freeing an old change (which may hold large values) is then not done
    /// while readers wait.
    mutating func append(_ change: Change, evicting evicted: inout Evicted) {
        changes.append(change)
        bytes += change.bytes
        trim { evicted.add($0) }
    }

    /// The changes one append pushed out: usually one, held without allocating.
    struct Evicted {
        private var first: Change?
        private var more: [Change] = []
        init() {}
        mutating func add(_ change: Change) {
            if first == nil { first = change } else { more.append(change) }
        }
    }

    private mutating func trim(_ evict: (Change) -> Void = { _ in }) {
        while changes.count > limits.maxVersions || bytes > limits.maxBytes, let first = changes.popFirst() {
            bytes -= first.bytes
            evict(first)
        }
    }

    /// The oldest version whose state can still be rebuilt.
    func oldestVersion(current: UInt64) -> UInt64 {
        changes.first.map { $0.version - 1 } ?? current
    }

    /// The changes after `version`, oldest first; nil when some of them are no longer kept.
    func changes(after version: UInt64, current: UInt64) -> [Change]? {
        guard version >= oldestVersion(current: current), version <= current else { return nil }
        let count = Int(current - version)
        return Array(changes.suffix(count))
    }
}
