/// Bounds that keep hostile or accidental input from exhausting the stack or memory.
public struct JSONLimits: Sendable, Equatable {
    /// Deepest nesting of arrays and objects accepted, in any document and in any result of a change.
    /// Every recursive algorithm of the engine relies on this bound.
    public var maxDepth: Int
    /// Largest input text accepted, in bytes.
    public var maxInputBytes: Int

    /// The hard ceiling for `maxDepth`. Reading a document takes no stack per level, but comparing,
    /// writing and freeing values recurse: the tree comparison takes about 1.5 KB of the calling thread's
    /// stack per level, so 4,000 levels need about 6 MB (glibc's default thread stack is 8 MB).
    public static let depthCeiling = 4_000
    public static let defaultMaxDepth = 512
    public static let defaultMaxInputBytes = 1 << 30

    public init(maxDepth: Int = JSONLimits.defaultMaxDepth, maxInputBytes: Int = JSONLimits.defaultMaxInputBytes) {
        self.maxDepth = maxDepth
        self.maxInputBytes = maxInputBytes
    }

    public static let `default` = JSONLimits()
}

/// How the parser treats input that strict RFC 8259 / I-JSON reading would reject.
public struct ParseOptions: Sendable, Equatable {
    public var limits: JSONLimits
    /// Accept duplicate member names, the last one winning (what JavaScript's JSON.parse does).
    /// Off by default: I-JSON (RFC 7493) forbids them, and RFC 6902 A.13 relies on seeing them.
    public var allowDuplicateKeys: Bool
    /// Build large objects and arrays in their persistent form (what a store wants: later writes copy
    /// O(log n)). Off for a document that is read once and dropped (a diff's inputs): the plain form is
    /// cheaper to build and to free.
    public var persistentContainers: Bool

    public init(limits: JSONLimits = .default, allowDuplicateKeys: Bool = false, persistentContainers: Bool = true) {
        self.limits = limits
        self.allowDuplicateKeys = allowDuplicateKeys
        self.persistentContainers = persistentContainers
    }

    public static let strict = ParseOptions()
}
