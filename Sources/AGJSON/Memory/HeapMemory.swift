#if canImport(Glibc)
import Glibc
#endif

/// Memory for the parser's stacks and caches and the writer's buffer, taken from malloc directly.
///
/// `UnsafeMutablePointer.allocate` asks the runtime for its default alignment, which it serves with
/// `posix_memalign`: about 500 instructions a call here against malloc's 150, and reading one small
/// patch made several such calls (a `STATE_DELTA` on the validator's streams, a store's every patch).
/// malloc's 16-byte alignment covers every type kept this way.
enum HeapMemory {
    @inline(__always)
    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        precondition(MemoryLayout<T>.alignment <= 16, "malloc aligns to 16 bytes")
        guard let raw = malloc(max(1, capacity) * MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    /// `pointer`'s memory grown (or shrunk) to `capacity` elements, moved if it must be: the contents up
    /// to the smaller size are kept. A large block is remapped rather than copied.
    @inline(__always)
    static func reallocate<T>(_ pointer: UnsafeMutablePointer<T>, capacity: Int) -> UnsafeMutablePointer<T> {
        precondition(MemoryLayout<T>.alignment <= 16, "malloc aligns to 16 bytes")
        guard let raw = realloc(pointer, max(1, capacity) * MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    @inline(__always)
    static func free<T>(_ pointer: UnsafeMutablePointer<T>) { Glibc.free(pointer) }
}
