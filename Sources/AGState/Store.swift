import AGJSON

/// The JSON state of one thread of conversation: read and changed by JSON Pointer, JSON Patch and
/// JSON Merge Patch, with a version that counts committed changes.
///
/// Thread safety: writers are serialised by one lock; the state itself is an immutable value that a
/// reader takes under a second, briefly held lock, so readers never wait for a writer's work.
public final class Store: @unchecked Sendable {
    private let writeLock = Lock()
    private let stateLock = Lock()
    private var current: JSONValue
    private var currentVersion: UInt64 = 0
    private var currentLimits: JSONLimits

    /// A store holding `initial` at version 0.
    public init(_ initial: JSONValue = .object(JSONObject()), limits: JSONLimits = .default) throws(AGError) {
        guard initial.height <= limits.maxDepth else {
            throw AGError(.limitExceeded, "the initial state nests \(initial.height) levels deep, beyond the limit of \(limits.maxDepth)")
        }
        current = initial
        currentLimits = limits
    }

    /// The state and its version, read together.
    public var snapshot: (state: JSONValue, version: UInt64) {
        stateLock.withLock { (current, currentVersion) }
    }

    public var state: JSONValue { stateLock.withLock { current } }
    public var version: UInt64 { stateLock.withLock { currentVersion } }

    public var limits: JSONLimits {
        get { stateLock.withLock { currentLimits } }
        set { writeLock.withLock { stateLock.withLock { currentLimits = newValue } } }
    }

    /// The value at `pointer` in the current state.
    public func get(_ pointer: JSONPointer) throws(AGError) -> JSONValue {
        try state.value(at: pointer)
    }

    /// Applies `patch` atomically and commits it as one new version, which it returns.
    @discardableResult
    public func apply(_ patch: JSONPatch) throws(AGError) -> UInt64 {
        try commit { (state: JSONValue, limits: JSONLimits) throws(AGError) in
            try patch.apply(to: state, limits: limits)
        }
    }

    /// Sets the value at `pointer`: replaces it when it exists, adds it otherwise (an object member, or
    /// an array element at `-` or at the array's length). The parent must exist.
    @discardableResult
    public func set(_ value: JSONValue, at pointer: JSONPointer) throws(AGError) -> UInt64 {
        try commit { (state: JSONValue, limits: JSONLimits) throws(AGError) in
            let op: PatchOperation = state.valueIfPresent(at: pointer) != nil
                ? .replace(path: pointer, value: value) : .add(path: pointer, value: value)
            return try JSONPatch([op]).apply(to: state, limits: limits)
        }
    }

    /// RFC 6902 `add` at `pointer`.
    @discardableResult
    public func add(_ value: JSONValue, at pointer: JSONPointer) throws(AGError) -> UInt64 {
        try apply(JSONPatch([.add(path: pointer, value: value)]))
    }

    /// RFC 6902 `remove` at `pointer`.
    @discardableResult
    public func remove(at pointer: JSONPointer) throws(AGError) -> UInt64 {
        try apply(JSONPatch([.remove(path: pointer)]))
    }

    /// Applies an RFC 7386 merge patch to the whole state and commits it as one new version.
    @discardableResult
    public func merge(_ patch: JSONValue) throws(AGError) -> UInt64 {
        try commit { (state: JSONValue, _: JSONLimits) throws(AGError) in MergePatch.apply(patch, to: state) }
    }

    /// Runs `change` on the current state under the write lock and publishes its result as the next
    /// version. A change that throws commits nothing.
    private func commit(_ change: (JSONValue, JSONLimits) throws(AGError) -> JSONValue) throws(AGError) -> UInt64 {
        try writeLock.withLock { () throws(AGError) -> UInt64 in
            let (base, limits) = stateLock.withLock { (current, currentLimits) }
            let next = try change(base, limits)
            return stateLock.withLock {
                current = next
                currentVersion += 1
                return currentVersion
            }
        }
    }
}
