import AGJSON

/// A lease on a location of the state: only its owner may write at, inside or above it until it expires.
public struct SectionLock: Sendable, Equatable {
    public let path: JSONPointer
    public let owner: String
    /// When the lease ends, on the store's monotonic clock (milliseconds).
    public let expiresAt: UInt64
}

/// What a lock subscriber hears: a lease taken, renewed, released, or expired.
public struct LockEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case locked, renewed, unlocked, expired }
    public let kind: Kind
    public let path: JSONPointer
    public let owner: String
}

/// The section locks of one store. Not versioned: a lease is about who may write, not about the state.
struct SectionLocks {
    static let maxLocks = 10_000
    static let maxTTL: UInt64 = 24 * 3600 * 1000
    private(set) var locks: [SectionLock] = []

    /// Drops the leases that ended by `now`, reporting each.
    mutating func expire(now: UInt64, into events: inout [LockEvent]) {
        locks.removeAll { lock in
            guard lock.expiresAt <= now else { return false }
            events.append(LockEvent(kind: .expired, path: lock.path, owner: lock.owner))
            return true
        }
    }

    /// Takes or renews a lease. Fails with `locked` when another owner holds a lease at, inside or above
    /// `path`.
    mutating func lock(_ path: JSONPointer, owner: String, ttl: UInt64, now: UInt64, into events: inout [LockEvent]) throws(AGError) {
        guard ttl > 0, ttl <= SectionLocks.maxTTL else {
            throw AGError(.invalidArgument, "a lock's ttl must be from 1 to \(SectionLocks.maxTTL) ms, not \(ttl)")
        }
        if let held = locks.first(where: { $0.path.overlaps(path) && $0.owner != owner }) {
            throw AGError(.locked, "\"\(held.path)\" is locked by \(held.owner)", pointer: held.path.description)
        }
        let lease = SectionLock(path: path, owner: owner, expiresAt: now + ttl)
        if let index = locks.firstIndex(where: { $0.path == path }) {
            locks[index] = lease
            events.append(LockEvent(kind: .renewed, path: path, owner: owner))
            return
        }
        guard locks.count < SectionLocks.maxLocks else {
            throw AGError(.limitExceeded, "a store may hold at most \(SectionLocks.maxLocks) locks")
        }
        locks.append(lease)
        events.append(LockEvent(kind: .locked, path: path, owner: owner))
    }

    /// Renews the owner's lease at `path`; `pathNotFound` when it holds none there (expired or never taken).
    mutating func renew(_ path: JSONPointer, owner: String, ttl: UInt64, now: UInt64, into events: inout [LockEvent]) throws(AGError) {
        guard locks.contains(where: { $0.path == path && $0.owner == owner }) else {
            throw AGError(.pathNotFound, "\(owner) holds no lock on \"\(path)\"", pointer: path.description)
        }
        try lock(path, owner: owner, ttl: ttl, now: now, into: &events)
    }

    /// Releases the owner's lease at `path`: `locked` when another owner holds it, `pathNotFound` when none.
    mutating func unlock(_ path: JSONPointer, owner: String, into events: inout [LockEvent]) throws(AGError) {
        guard let index = locks.firstIndex(where: { $0.path == path }) else {
            throw AGError(.pathNotFound, "no lock is held on \"\(path)\"", pointer: path.description)
        }
        guard locks[index].owner == owner else {
            throw AGError(.locked, "\"\(path)\" is locked by \(locks[index].owner)", pointer: path.description)
        }
        locks.remove(at: index)
        events.append(LockEvent(kind: .unlocked, path: path, owner: owner))
    }

    /// Throws `locked`, naming the owner, when a lease of someone other than `author` covers one of
    /// `written` (at, inside or above it).
    func check(_ written: [JSONPointer], author: String?, now: UInt64) throws(AGError) {
        for lock in locks where lock.expiresAt > now && lock.owner != author {
            if let place = written.first(where: { $0.overlaps(lock.path) }) {
                throw AGError(.locked, "\"\(lock.path)\" is locked by \(lock.owner); the change writes \"\(place)\"",
                              pointer: lock.path.description)
            }
        }
    }
}
