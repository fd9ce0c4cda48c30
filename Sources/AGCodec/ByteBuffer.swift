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
        let (wanted, overflow) = count.addingReportingOverflow(extra)
        guard !overflow else { throw AGError(.noMemory, "cannot allocate more than \(Int.max) bytes") }
        guard wanted > capacity else { return }
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
