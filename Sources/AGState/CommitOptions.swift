import AGJSON

/// How one change is committed: the patch options (lenient, urgent) and an optional compare-and-set
/// version. Every call that commits takes one, so that what a commit may carry grows in one place.
public struct CommitOptions: Sendable, Equatable {
    public var patch: PatchOptions
    /// Commit only when the store is at this version, otherwise fail with `conflict`; nil: no check.
    public var expectedVersion: UInt64?

    public init(patch: PatchOptions = .strict, expectedVersion: UInt64? = nil) {
        self.patch = patch
        self.expectedVersion = expectedVersion
    }

    public static let `default` = CommitOptions()

    /// Throws `conflict` when the store is not at the expected version.
    func check(_ context: CommitContext) throws(AGError) {
        if let expectedVersion, expectedVersion != context.version {
            throw AGError(.conflict, "the store is at version \(context.version), not the expected \(expectedVersion)")
        }
    }
}
