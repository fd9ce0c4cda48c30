/// A stack in storage of its own, from which the parser takes each finished container's members or
/// elements into an array at its final size (the text diff keeps the member names it checks on one too). Unlike `Array.removeSubrange` it never shrinks or moves what
/// stays below, and pushes never copy on write. Its owner calls `free()` once.
struct MoveStack<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    /// With capacity 0 nothing is allocated until the first push: a parser makes five stacks, and reading
    /// a scalar or a patch's envelope needs none of them (their mallocs and frees were a twentieth of a
    /// 1-op store patch).
    init(capacity: Int = 0) {
        self.capacity = capacity
        base = capacity > 0 ? HeapMemory.allocate(Element.self, capacity: capacity) : MoveStack.unallocated
    }

    /// A well-aligned address that is never read or written (count and capacity are 0 while it is held).
    private static var unallocated: UnsafeMutablePointer<Element> {
        UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment)!
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Pushes the inline string whose two words are `low` and `high`, written into the slot as they are:
    /// an inline string holds no reference, but a `String` made from its words by a cast is retained on
    /// its way into the stack (two calls into the runtime for every predicted member name).
    @inline(__always)
    mutating func push(inlineStringWords low: UInt64, _ high: UInt64) where Element == String {
        if count == capacity { grow() }
        UnsafeMutableRawPointer(base + count).initializeMemory(as: (UInt64, UInt64).self, repeating: (low, high), count: 1)
        count += 1
    }

    private mutating func grow(atLeast needed: Int = 0) {
        var larger = Swift.max(16, capacity * 2)
        while larger < needed { larger *= 2 }
        let bigger = HeapMemory.allocate(Element.self, capacity: larger)
        if capacity > 0 {
            bigger.moveInitialize(from: base, count: count)
            HeapMemory.free(base)
        }
        base = bigger
        capacity = larger
    }

    /// Takes the elements from `start` to the top into a new array, leaving `start` elements. (Copying
    /// them and releasing the originals measured faster than moving them into
    /// `Array(unsafeUninitializedCapacity:)`, which looks the array's type metadata up at run time on
    /// every call with this toolchain.)
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let source = base + start
        let array = Array(UnsafeBufferPointer(start: source, count: n))
        source.deinitialize(count: n)
        count = start
        return array
    }

    /// Moves the elements from `start` to the top into a new array, leaving `start` elements: their bytes
    /// are copied, not each one retained and released (half the cost of `popArray` for values that hold
    /// references).
    @inline(__always)
    mutating func moveArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        count = start
        var moved = 0
        let array = withUnsafeMutablePointer(to: &moved) { Array(MovedElements(base: base + start, count: n, moved: $0)) }
        // Whatever `Array.init` copied instead of moving (none, with this standard library) is released here.
        if moved < n { (base + start + moved).deinitialize(count: n - moved) }
        return array
    }

    /// Forgets the elements from `start` to the top, which the caller has deinitialized or moved.
    mutating func forget(from start: Int) {
        if count > start { count = start }
    }

    /// Moves the top element out (the stack must not be empty).
    @inline(__always)
    mutating func pop() -> Element {
        count -= 1
        return (base + count).move()
    }

    /// Makes room for `extra` more elements without growing on the way.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(atLeast: count + extra) }
    }

    /// Drops the elements from `start` to the top.
    mutating func drop(from start: Int) {
        guard count > start else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    func free() {
        guard capacity > 0 else { return }
        base.deinitialize(count: count)
        HeapMemory.free(base)
    }
}

/// Elements that a new array takes over by moving their bytes. `Array.init` copies a collection through
/// its `_copyContents(initializing:)`, which here moves instead of copying; the other ways to fill a new
/// array without copying (`Array(unsafeUninitializedCapacity:)`, `Array(repeating:count:)`) allocate through
/// a generic entry point of the standard library that looks the storage's type metadata up at run time.
/// Used only by `MoveStack.moveArray`, which forgets the elements once they are moved (and releases any
/// that `Array.init` copied instead).
private struct MovedElements<Element>: Collection {
    let base: UnsafeMutablePointer<Element>
    let count: Int
    /// Set to how many elements `_copyContents` moved (the rest, if any, were copied).
    let moved: UnsafeMutablePointer<Int>

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    func index(after i: Int) -> Int { i + 1 }
    subscript(position: Int) -> Element { base[position] }

    struct Iterator: IteratorProtocol {
        let base: UnsafeMutablePointer<Element>
        let count: Int
        var position: Int
        mutating func next() -> Element? {
            guard position < count else { return nil }
            defer { position += 1 }
            return base[position]
        }
    }

    func makeIterator() -> Iterator { Iterator(base: base, count: count, position: 0) }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<Element>) -> (Iterator, Int) {
        let n = Swift.min(count, buffer.count)
        if n > 0 { buffer.baseAddress!.moveInitialize(from: base, count: n) }
        moved.pointee = n
        return (Iterator(base: base, count: count, position: n), n)
    }
}

extension MoveStack where Element == UInt8 {
    /// Appends `bytes` in one copy (the parser's buffer for strings with escapes, which copies the plain
    /// runs between them: `Array.append(contentsOf:)` cost about 150 instructions for each such run).
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends the first `count` (1 to 4) bytes of `bytes`, lowest first: a code point's UTF-8 form
    /// (`JSONGrammar.utf8`) in one store.
    @inline(__always)
    mutating func push(bytes: UInt32, count n: Int) {
        reserve(4)
        UnsafeMutableRawPointer(base + count).storeBytes(of: bytes.littleEndian, as: UInt32.self)
        count += n
    }

    /// The bytes as a string (they are valid UTF-8 when the parser put them there).
    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}
