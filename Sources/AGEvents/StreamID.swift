import AGJSON

/// An id from the stream (of a message, tool call, step, reasoning span or subagent run) as the key of
/// the validator's sets and tables.
///
/// Ids compare by their UTF-8 bytes, as the JavaScript client's `Map` compares its keys by code units;
/// `String`'s own equality would also merge two spellings of one canonically equivalent text.
/// They hash with `NameBytes` (a multiply-and-fold over 8-byte words) keyed by the table's seed, not SipHash:
/// the strict profile hashes an id several times for each start and end event, and SipHash was about
/// 350 instructions of each. The tables holding ids are bounded (`ValidatorOptions`), which bounds the
/// harm of ids chosen to collide.
struct StreamID: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: StreamID, b: StreamID) -> Bool { NameBytes.equal(a.text, b.text) }

    func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

    func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: NameBytes.hash(text, seed: UInt64(truncatingIfNeeded: seed)))
    }
}

extension StreamID {
    /// Whether `a` and `b` are the same id: the same bytes.
    static func same(_ a: String, _ b: String) -> Bool { StreamID(a) == StreamID(b) }
}

/// A set of ids (`StreamID`), read and written with plain strings.
struct IDSet: Sequence {
    private var members: Set<StreamID> = []

    var count: Int { members.count }
    var isEmpty: Bool { members.isEmpty }

    func contains(_ id: String) -> Bool { members.contains(StreamID(id)) }

    @discardableResult
    mutating func insert(_ id: String) -> Bool { members.insert(StreamID(id)).inserted }

    @discardableResult
    mutating func remove(_ id: String) -> String? { members.remove(StreamID(id))?.text }

    mutating func removeAll(keepingCapacity: Bool = false) { members.removeAll(keepingCapacity: keepingCapacity) }

    func union(_ other: IDSet) -> IDSet {
        var result = self
        result.members.formUnion(other.members)
        return result
    }

    func makeIterator() -> LazyMapSequence<Set<StreamID>, String>.Iterator {
        members.lazy.map(\.text).makeIterator()
    }
}

/// A table from ids (`StreamID`) to values, read and written with plain strings.
struct IDTable<Value> {
    private var entries: [StreamID: Value] = [:]

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var keys: [String] { entries.keys.map(\.text) }

    subscript(id: String) -> Value? {
        get { entries[StreamID(id)] }
        set { entries[StreamID(id)] = newValue }
    }

    @discardableResult
    mutating func removeValue(forKey id: String) -> Value? { entries.removeValue(forKey: StreamID(id)) }

    mutating func removeAll() { entries.removeAll() }
}
