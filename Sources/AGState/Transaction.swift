import AGJSON

/// A group of changes that commits as one version, or not at all.
///
/// Reads see the transaction's own writes. Commit fails with `conflict` when a change committed since
/// `begin` wrote a location the transaction read or wrote (or one inside or around it); changes elsewhere
/// do not conflict, and the transaction's operations are then applied on top of them.
public final class Transaction: @unchecked Sendable {
    public let baseVersion: UInt64
    private let store: Store
    private let lock = Lock()
    private var working: JSONValue
    private var applied: [PatchOperation] = []
    private var inverse: [UndoStep] = []
    /// Where each operation of `applied` ends in `writes` (see `RecordedPatch.touchedEnds`).
    private var touchedEnds: [Int] = []
    private var reads: [JSONPointer] = []
    private var writes: [JSONPointer] = []
    private var finished = false
    /// Bounds the locations a transaction remembers for conflict checks.
    public static let maxRecordedLocations = 100_000

    init(store: Store) {
        self.store = store
        let snapshot = store.snapshot()
        baseVersion = snapshot.version
        working = snapshot.state
    }

    private func checkOpen() throws(AGError) {
        if finished { throw AGError(.closed, "the transaction has already committed or rolled back") }
    }

    private func checkBound(adding count: Int) throws(AGError) {
        if reads.count + writes.count + count > Transaction.maxRecordedLocations {
            throw AGError(.limitExceeded, "a transaction may touch at most \(Transaction.maxRecordedLocations) locations")
        }
    }

    /// The value at `pointer` as the transaction sees it; the location counts as read.
    public func get(_ pointer: JSONPointer) throws(AGError) -> JSONValue {
        try lock.withLock { () throws(AGError) -> JSONValue in
            try checkOpen()
            try checkBound(adding: 1)
            reads.append(pointer)
            return try working.value(at: pointer)
        }
    }

    /// Applies `patch` to the transaction's state, atomically. `test` targets and `move`/`copy` sources
    /// count as read.
    public func apply(_ patch: JSONPatch, options: PatchOptions = .strict) throws(AGError) {
        try lock.withLock { () throws(AGError) in
            try checkOpen()
            var read: [JSONPointer] = []
            for op in patch.operations {
                switch op {
                case .test(let path, _): read.append(path)
                case .move(let from, _), .copy(let from, _): read.append(from)
                default: break
                }
            }
            // In place: after the first change, the containers on its path are the transaction's own, and
            // later changes there copy nothing.
            let recorded = try patch.applyRecording(inPlace: &working, limits: store.limits, options: options)
            do throws(AGError) {
                try checkBound(adding: read.count + recorded.touched.count)
            } catch {
                do throws(AGError) {
                    try working.undo(recorded.inverse)
                } catch let undoError {
                    finished = true // the working state is no longer known: nothing may commit it
                    throw AGError(.internal, "\(error.message); undoing the patch failed too (\(undoError.message))")
                }
                throw error
            }
            applied += recorded.applied
            inverse = recorded.inverse + inverse
            let base = writes.count
            touchedEnds += recorded.touchedEnds.map { base + $0 }
            writes += recorded.touched
            reads += read
        }
    }

    /// Reads `text` as a JSON Patch within the store's limits (its depth and input size, as a patch
    /// committed to the store directly is read), then applies it (see `apply(_:options:)`).
    public func apply(patchText text: UnsafeRawBufferPointer, options: PatchOptions = .strict) throws(AGError) {
        let patch = try JSONPatch(parsing: text, options: ParseOptions(limits: store.limits))
        try apply(patch, options: options)
    }

    /// Commits the transaction as one version and returns it. The transaction ends either way.
    @discardableResult
    public func commit(options: CommitOptions = .default) throws(AGError) -> UInt64 {
        let (ops, inv, wrote, ends, state, locations) = try lock.withLock {
            () throws(AGError) -> ([PatchOperation], [UndoStep], [JSONPointer], [Int], JSONValue, [JSONPointer]) in
            try checkOpen()
            finished = true
            return (applied, inverse, writes, touchedEnds, working, reads + writes)
        }
        let base = baseVersion
        // The version to apply the operations to again when changes were committed since `begin` (and
        // none of them touched what the transaction read or wrote); nil when there were none.
        return try store.commit(urgent: options.patch.urgent, author: options.author, origin: options.origin) { (_: JSONValue, context: CommitContext) throws(AGError) -> UInt64? in
            try options.check(context)
            if context.version == base { return nil }
            guard let later = context.changes(since: base) else {
                throw AGError(.conflict, "too many changes were committed since the transaction began at version \(base)")
            }
            if let clash = later.first(where: { $0.touches(any: locations) }) {
                throw AGError(.conflict, "version \(clash.version) changed a location this transaction read or wrote")
            }
            return context.version
        } apply: { (current: inout JSONValue, limits: JSONLimits, rebase: UInt64?) throws(AGError) in
            guard let version = rebase else {
                current = state
                return RecordedPatch(applied: ops, inverse: inv, touched: wrote, touchedEnds: ends)
            }
            do throws(AGError) {
                return try JSONPatch(ops).applyRecording(inPlace: &current, limits: limits)
            } catch {
                throw AGError(.conflict, "the transaction does not apply to version \(version): \(error.message)")
            }
        }
    }

    /// Ends the transaction without committing anything. Harmless after the end.
    public func rollback() {
        lock.withLock { finished = true }
    }
}

extension Store {
    /// Begins a transaction on the current state, in O(1).
    public func begin() -> Transaction { Transaction(store: self) }
}
