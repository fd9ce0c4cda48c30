import AGJSON

extension Store {
    /// A patch that takes the state of version `from` to the state of version `to` (either may be the
    /// older), made from the recorded changes between them and compacted: its cost follows the size of the
    /// changes, not of the state (DESIGN.md §4). `notInHistory` when the history does not reach both.
    public func diff(from: UInt64, to: UInt64) throws(AGError) -> [PatchOperation] {
        let older = min(from, to), newer = max(from, to)
        guard newer <= version else { throw AGError(.invalidArgument, "version \(newer) is newer than the store") }
        if from == to { return [] }
        let changes = try self.changes(since: older).filter { $0.version <= newer }
        // Compared as UInt64: the two versions are the caller's, up to 2^64 - 1 apart.
        guard UInt64(changes.count) == newer - older else {
            throw AGError(.invalidArgument, "version \(newer) is newer than the store")
        }
        let ops: [PatchOperation] = from < to
            ? changes.flatMap(\.operations)
            : changes.reversed().flatMap { $0.inverse.map(\.operation) }  // a patch cannot say where a member goes
        return PatchCompaction.compact(ops.filter { if case .test = $0 { return false }; return true }).operations
    }

    /// A patch from `snapshot` to the current state: from the history when it still reaches the snapshot's
    /// version, otherwise by comparing the two states (skipping every subtree they still share).
    public func diff(since snapshot: Snapshot) throws(AGError) -> [PatchOperation] {
        let now = self.snapshot()
        // The recorded changes describe the snapshot only when it was taken from this store.
        if snapshot.origin == ObjectIdentifier(self), let ops = try? diff(from: snapshot.version, to: now.version) {
            return ops
        }
        return try JSONDiff.diff(snapshot.state, now.state)
    }
}
