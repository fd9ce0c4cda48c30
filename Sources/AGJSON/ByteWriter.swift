#if canImport(Glibc)
import Glibc
#endif

/// A growing byte buffer in storage of its own: appends are a bounds check and a store (or a memcpy),
/// without the uniqueness check and generic path an `Array` append takes. Non-copyable, so it is freed
/// exactly once, when it goes away.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = HeapMemory.allocate(UInt8.self, capacity: self.capacity)
    }

    deinit { HeapMemory.free(base) }

    private mutating func grow(_ needed: Int) {
        var bigger = capacity * 2
        while bigger < count + needed { bigger *= 2 }
        let storage = HeapMemory.allocate(UInt8.self, capacity: bigger)
        storage.update(from: base, count: count)
        HeapMemory.free(base)
        base = storage
        capacity = bigger
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(bytes.count) }
        memcpy(base + count, source, bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the first `count` (at most 16) bytes of two little-endian words: both words are stored
    /// whole (capacity permitting) and the count moves by `count`, with no call to memcpy for a few bytes.
    @inline(__always)
    mutating func append(words low: UInt64, _ high: UInt64, count n: Int) {
        if count + 16 > capacity { grow(16) }
        let raw = UnsafeMutableRawPointer(base + count)
        raw.storeBytes(of: low.littleEndian, as: UInt64.self)
        (raw + 8).storeBytes(of: high.littleEndian, as: UInt64.self)
        count += n
    }

    mutating func removeLast() { count -= 1 }

    /// Calls `body` with the bytes written, without copying them.
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written, as an array.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
