import AGJSON

/// How one change is committed: the patch options (lenient, urgent), an optional compare-and-set version,
/// and for collaboration the version the change was made against, how to resolve what changed since, and
/// who made it. Every call that commits takes one, so that what a commit may carry grows in one place.
public struct CommitOptions: Sendable {
    public var patch: PatchOptions
    /// Commit only when the store is at this version, otherwise fail with `conflict`; nil: no check.
    public var expectedVersion: UInt64?
    /// The version the patch was made against; nil: the current version (the patch applies as written).
    public var baseVersion: UInt64?
    /// How a patch made against an older version is resolved; nil: the store's default strategy.
    public var strategy: ConflictStrategy?
    /// Who commits: recorded in history, told to subscribers, the owner checked against section locks.
    public var author: String?
    /// Decides each conflict under `ConflictStrategy.custom`.
    public var resolver: ConflictResolver?

    public init(patch: PatchOptions = .strict, expectedVersion: UInt64? = nil, baseVersion: UInt64? = nil,
                strategy: ConflictStrategy? = nil, author: String? = nil, resolver: ConflictResolver? = nil) {
        self.patch = patch
        self.expectedVersion = expectedVersion
        self.baseVersion = baseVersion
        self.strategy = strategy
        self.author = author
        self.resolver = resolver
    }

    public static let `default` = CommitOptions()

    /// Throws `conflict` when the store is not at the expected version.
    func check(_ context: CommitContext) throws(AGError) {
        if let expectedVersion, expectedVersion != context.version {
            throw AGError(.conflict, "the store is at version \(context.version), not the expected \(expectedVersion)")
        }
    }
}
