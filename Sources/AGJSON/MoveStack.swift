/// A stack in storage of its own, from which the parser takes each finished container's members or
/// elements into an array at its final size (the text diff keeps the member names it checks on one too). Unlike `Array.removeSubrange` it never shrinks or moves what
/// stays below, and pushes never copy on write. Its owner calls `free()` once.
struct MoveStack<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
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

    /// Drops the elements from `start` to the top.
    mutating func drop(from start: Int) {
        guard count > start else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    func free() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
