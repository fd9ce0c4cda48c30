import AGJSON

/// One client's presence: a small JSON value (name, cursor, selection) and when it lapses unless renewed.
public struct PresenceEntry: Sendable, Equatable {
    public let client: String
    public let value: JSONValue
    public let expiresAt: UInt64
}

/// What a presence subscriber hears.
public struct PresenceEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case joined, updated, left, expired }
    public let kind: Kind
    public let client: String
    /// The client's value (nil when it left or expired).
    public let value: JSONValue?
}

/// Who is in a store now: ephemeral entries, not versioned, not persisted, bounded in number and size.
struct PresenceTable {
    static let maxEntries = 10_000
    static let maxValueBytes = 4096
    static let maxTTL: UInt64 = 24 * 3600 * 1000
    private(set) var entries: [String: PresenceEntry] = [:]

    mutating func expire(now: UInt64, into events: inout [PresenceEvent]) {
        for (client, entry) in entries where entry.expiresAt <= now {
            entries[client] = nil
            events.append(PresenceEvent(kind: .expired, client: client, value: nil))
        }
    }

    /// Sets or renews (a heartbeat) the client's entry.
    mutating func set(_ client: String, _ value: JSONValue, ttl: UInt64, now: UInt64, into events: inout [PresenceEvent]) throws(AGError) {
        guard ttl > 0, ttl <= PresenceTable.maxTTL else {
            throw AGError(.invalidArgument, "a presence ttl must be from 1 to \(PresenceTable.maxTTL) ms, not \(ttl)")
        }
        let size = value.estimatedBytes(upTo: PresenceTable.maxValueBytes + 1)
        guard size <= PresenceTable.maxValueBytes else {
            throw AGError(.limitExceeded, "a presence value may hold about \(PresenceTable.maxValueBytes) bytes at most")
        }
        let known = entries[client]
        guard known != nil || entries.count < PresenceTable.maxEntries else {
            throw AGError(.limitExceeded, "a store may hold at most \(PresenceTable.maxEntries) presence entries")
        }
        entries[client] = PresenceEntry(client: client, value: value, expiresAt: now + ttl)
        if known == nil {
            events.append(PresenceEvent(kind: .joined, client: client, value: value))
        } else if known?.value != value {
            events.append(PresenceEvent(kind: .updated, client: client, value: value))
        }
    }

    /// Removes the client's entry (it left); false when there was none.
    mutating func remove(_ client: String, into events: inout [PresenceEvent]) -> Bool {
        guard entries.removeValue(forKey: client) != nil else { return false }
        events.append(PresenceEvent(kind: .left, client: client, value: nil))
        return true
    }
}
