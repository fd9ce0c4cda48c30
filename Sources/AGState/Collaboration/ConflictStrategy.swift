import AGJSON

/// How a patch made against an older version (`CommitOptions.baseVersion`) is applied when changes were
/// committed since. The raw values are the header's `AGS_STRATEGY_*`.
public enum ConflictStrategy: Int32, Sendable, CaseIterable {
    /// `conflict` when any change since the base touched a location the patch reads or writes, as
    /// transactions decide; otherwise the patch applies as written.
    case reject = 1
    /// The patch is transformed over the changes since its base: array indexes shifted by insertions and
    /// removals, paths followed through moves. An operation inside (or on) something a later change removed
    /// or replaced is a `conflict`; where both wrote the same location, the patch is applied after.
    case rebase = 2
    /// As `rebase`, and the patch wins wherever it overlaps: an element or member a later change removed
    /// is put back (as it was when removed) with the patch's edit applied.
    case lastWriteWins = 3
    /// As `rebase`, but every operation that overlaps a later change is dropped and reported; the rest
    /// applies.
    case firstWriteWins = 4
    /// A three-way merge of the base, the current state and the proposed one: changes to different members
    /// or elements combine (arrays by rebase); where both sides changed the same location (or one inside
    /// the other) to different values, or one removed what the other changed, a `conflict`.
    case merge = 5
    /// Each conflicting location is given to the resolver (base, current and proposed values), which
    /// returns the value to keep or refuses (a `conflict`).
    case custom = 6

    /// The name used by the bindings ("reject", "rebase", "last-write-wins", ...).
    public var name: String {
        switch self {
        case .reject: return "reject"
        case .rebase: return "rebase"
        case .lastWriteWins: return "last-write-wins"
        case .firstWriteWins: return "first-write-wins"
        case .merge: return "merge"
        case .custom: return "custom"
        }
    }
}

/// One conflicting location as a custom resolver sees it. A value is nil where the location holds nothing.
public struct ConflictCase: Sendable {
    /// The location in the current state (after the changes since the base).
    public let path: JSONPointer
    /// The value at the location in the base version, as the patch saw it.
    public let base: JSONValue?
    /// The value there now.
    public let current: JSONValue?
    /// The value the patch would leave there.
    public let proposed: JSONValue?
}

/// What a custom resolver decides for one conflicting location.
public enum Resolution: Sendable, Equatable {
    /// Keep this value at the location.
    case keep(JSONValue)
    /// Leave nothing at the location (remove it).
    case remove
    /// Refuse: the commit fails with `conflict`.
    case refuse
}

/// A custom resolver: called during the commit, under the store's write lock (it must not commit to the
/// same store), once per conflicting location.
public typealias ConflictResolver = @Sendable (ConflictCase) -> Resolution
