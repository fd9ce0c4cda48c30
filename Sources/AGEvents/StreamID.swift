#if canImport(Glibc)
import Glibc
#endif

/// An id from the stream (of a message, tool call, step, reasoning span or subagent run) as the key of
/// the validator's sets and tables.
///
/// Ids compare by their UTF-8 bytes, as the JavaScript client's `Map` compares its keys by code units;
/// `String`'s own equality would also merge two spellings of one canonically equivalent text.
/// They hash with a multiply-and-fold over 8-byte words keyed by the table's seed, not with SipHash:
/// the strict profile hashes an id several times for each start and end event, and SipHash was about
/// 350 instructions of each. The tables holding ids are bounded (`ValidatorOptions`), which bounds the
/// harm of ids chosen to collide.
struct StreamID: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: StreamID, b: StreamID) -> Bool {
        a.text.utf8.count == b.text.utf8.count && a.withBytes { x in b.withBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    func hash(into hasher: inout Hasher) { hasher.combine(_rawHashValue(seed: 0)) }

    func _rawHashValue(seed: Int) -> Int {
        withBytes { bytes in
            let n = bytes.count
            var h = UInt64(truncatingIfNeeded: seed) ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
            guard let base = bytes.baseAddress, n > 0 else { return Int(truncatingIfNeeded: StreamID.fold(h)) }
            let raw = UnsafeRawPointer(base)
            if n >= 8 {
                var i = 0
                while i + 8 <= n {
                    h = StreamID.fold(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    i += 8
                }
                // The last partial word is read as the final 8 bytes, overlapping the word before.
                if i < n { h = StreamID.fold(h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
            } else {
                var tail: UInt64 = 0
                for i in 0..<n { tail |= UInt64(base[i]) << UInt64(8 * i) }
                h = StreamID.fold(h ^ tail)
            }
            return Int(truncatingIfNeeded: StreamID.fold(h ^ 0xA076_1D64_78BD_642F))
        }
    }

    /// One round of mixing: the two halves of a 128-bit product, folded together.
    @inline(__always)
    private static func fold(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    @inline(__always)
    private func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
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
