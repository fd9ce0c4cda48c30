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
        // realloc: a large buffer is remapped, not copied (the byte-by-byte copy of the old code was a
        // tenth of serializing a 2 MB state).
        base = HeapMemory.reallocate(base, capacity: bigger)
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

    /// Appends `"`, the first `count` (at most 16) bytes of two little-endian words and `"`, preceded by
    /// `before` and followed by `after` when they are not 0: a short string, or a member's `,"name":`, in
    /// one capacity check and three stores.
    @inline(__always)
    mutating func appendQuoted(words low: UInt64, _ high: UInt64, count n: Int, before: UInt8 = 0, after: UInt8 = 0) {
        if count + 20 > capacity { grow(20) }
        var at = base + count
        if before != 0 { at.pointee = before; at += 1 }
        at.pointee = 0x22
        let raw = UnsafeMutableRawPointer(at + 1)
        raw.storeBytes(of: low.littleEndian, as: UInt64.self)
        (raw + 8).storeBytes(of: high.littleEndian, as: UInt64.self)
        at += n &+ 1
        at.pointee = 0x22
        at += 1
        if after != 0 { at.pointee = after; at += 1 }
        count = at - base
    }

    mutating func removeLast() { count -= 1 }

    /// Calls `body` with the bytes written, without copying them.
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written followed by a NUL, in a buffer from malloc that the caller now owns (and frees
    /// with `free`): the text handed to a C caller without a copy.
    consuming func takeMallocText() -> (text: UnsafeMutablePointer<UInt8>, count: Int) {
        let n = count
        var storage = base
        if n + 1 > capacity {
            storage = HeapMemory.reallocate(storage, capacity: n + 1)  // room for the NUL
        } else if capacity - (n + 1) >= 4096, let smaller = realloc(storage, n + 1) {
            // The room the doubling left unused goes back to malloc (if it cannot, the text keeps it).
            storage = smaller.assumingMemoryBound(to: UInt8.self)
        }
        storage[n] = 0
        discard self
        return (storage, n)
    }

    /// The bytes written, as an array.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
