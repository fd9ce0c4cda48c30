#if canImport(Glibc)
import Glibc
#endif
import AGCore

/// A growable, uninitialised byte buffer for decompression output: it grows with realloc (no zero-filling,
/// no copy when the block can grow in place) and is copied once into the array handed back.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    var count = 0

    /// Ensures room for `extra` more bytes.
    mutating func reserve(_ extra: Int) throws(AGError) {
        guard count + extra > capacity else { return }
        let wanted = count + extra
        guard let grown = realloc(base, wanted) else { throw AGError(.noMemory, "cannot allocate \(wanted) bytes") }
        base = grown
        capacity = wanted
    }

    var room: Int { capacity - count }
    var end: UnsafeMutableRawPointer { base!.advanced(by: count) }

    func array() -> [UInt8] {
        guard count > 0, let base else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            memcpy(buffer.baseAddress!, base, count)
            initialized = count
        }
    }

    deinit { free(base) }
}
