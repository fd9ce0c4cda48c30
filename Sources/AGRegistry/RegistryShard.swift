import AGCore
import AGState
import Synchronization

/// One resident store of a registry. Its fields other than `id` and `store` are guarded by its shard's lock.
final class Entry: @unchecked Sendable {
    let id: String
    let store: Store
    /// Callers holding the store: it is not evicted while this is above 0.
    var holds = 0
    /// Monotonic ns of the last get or release.
    var lastUsed: UInt64
    /// The byte estimate counted in the registry's resident bytes, and the version it was made at (atomic:
    /// a release reads it before taking the lock, to estimate outside it only when the version moved).
    var bytes: Int
    let bytesVersion: Atomic<UInt64>
    /// How long the loader took to take the store back when it was evicted (set once it is out of its shard).
    var evictionNanoseconds: UInt64 = 0
    /// Commits through the registry (per-store metrics).
    let commits = Counter()
    // The shard's recency list: `newer` toward the most recently used. Unowned, unchecked: the shard's
    // `entries` holds every entry on the list, and an entry leaves both together under the shard's lock
    // (`remove`), so a link never outlives its entry; counting these references cost a fifth of a lookup.
    unowned(unsafe) var newer: Entry?
    unowned(unsafe) var older: Entry?

    init(id: String, store: Store, bytes: Int, now: UInt64) {
        self.id = id
        self.store = store
        self.bytes = bytes
        self.bytesVersion = Atomic(store.version)
        self.lastUsed = now
    }
}

/// A part of the id table with its own lock and its own recency list (least recently used at `oldest`).
final class RegistryShard: @unchecked Sendable {
    let lock = Lock()
    var entries: [String: Entry] = [:]
    private(set) unowned(unsafe) var oldest: Entry?
    private(set) unowned(unsafe) var newest: Entry?

    func append(_ entry: Entry) {
        entry.older = newest
        entry.newer = nil
        newest?.newer = entry
        newest = entry
        if oldest == nil { oldest = entry }
    }

    func unlink(_ entry: Entry) {
        if let older = entry.older { older.newer = entry.newer } else { oldest = entry.newer }
        if let newer = entry.newer { newer.older = entry.older } else { newest = entry.older }
        entry.newer = nil
        entry.older = nil
    }

    func touch(_ entry: Entry, now: UInt64) {
        entry.lastUsed = now
        guard newest !== entry else { return }
        unlink(entry)
        append(entry)
    }

    /// The least recently used entry nobody holds.
    func oldestUnheld() -> Entry? {
        var candidate = oldest
        while let entry = candidate, entry.holds > 0 { candidate = entry.newer }
        return candidate
    }

    func remove(_ entry: Entry) {
        unlink(entry)
        entries.removeValue(forKey: entry.id)
    }
}
