#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// Maps opaque C handles to Swift objects, so that every handle is checked on every call: a closed handle,
/// a handle of another kind or a made-up value is an error, never a dangling pointer.
///
/// A handle is not an address: it encodes a kind tag (bits 56...63), a generation (bits 32...55) and a
/// slot number plus one (bits 0...31). Closing bumps the slot's generation, so old handles stop matching.
/// Lookups take a read lock only long enough to retain the object.
final class HandleTable<Object: AnyObject>: @unchecked Sendable {
    private struct Slot {
        var generation: UInt32 = 1
        var object: Object?
        /// Run once the handle is removed (outside the lock): e.g. a registry store's hold is released.
        var onRemove: (() -> Void)?
    }

    private let kind: UInt8
    private let kindName: String
    private var slots: [Slot] = []
    private var free: [Int] = []
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    /// More live handles than this is surely a leak in the caller; refusing keeps the table bounded.
    static var maxHandles: Int { 1 << 24 }

    init(kind: UInt8, name: String) {
        self.kind = kind
        self.kindName = name
        pthread_rwlock_init(lock, nil)
    }

    func insert(_ object: Object, onRemove: (() -> Void)? = nil) throws(AGError) -> OpaquePointer {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        let index: Int
        if let reused = free.popLast() {
            index = reused
        } else {
            guard slots.count < HandleTable.maxHandles else {
                throw AGError(.limitExceeded, "more than \(HandleTable.maxHandles) \(kindName) handles are open")
            }
            slots.append(Slot())
            index = slots.count - 1
        }
        slots[index].object = object
        slots[index].onRemove = onRemove
        let bits = UInt(kind) << 56 | UInt(slots[index].generation) << 32 | UInt(index + 1)
        return OpaquePointer(bitPattern: bits)!
    }

    private func decode(_ handle: OpaquePointer?) throws(AGError) -> (index: Int, generation: UInt32) {
        guard let handle else { throw AGError(.invalidArgument, "the \(kindName) handle is NULL") }
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let index = Int(bits & 0xFFFF_FFFF) - 1
        guard UInt8(truncatingIfNeeded: bits >> 56) == kind, index >= 0 else {
            throw AGError(.invalidArgument, "the value passed is not a \(kindName) handle")
        }
        return (index, UInt32(truncatingIfNeeded: (bits >> 32) & 0xFF_FFFF))
    }

    /// The live object behind `handle`.
    func object(_ handle: OpaquePointer?) throws(AGError) -> Object {
        let (index, generation) = try decode(handle)
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard index < slots.count else {
            throw AGError(.invalidArgument, "the value passed is not a \(kindName) handle")
        }
        guard slots[index].generation & 0xFF_FFFF == generation, let object = slots[index].object else {
            throw AGError(.closed, "the \(kindName) handle is closed")
        }
        return object
    }

    /// Forgets `handle`; the object is released when the last call using it returns. Returns false when
    /// the handle was not live.
    @discardableResult
    func remove(_ handle: OpaquePointer?) -> Bool {
        guard let (index, generation) = try? decode(handle) else { return false }
        pthread_rwlock_wrlock(lock)
        let released: Object?
        var onRemove: (() -> Void)?
        defer {
            pthread_rwlock_unlock(lock)
            _ = released // the object is released outside the lock
            onRemove?()
        }
        guard index < slots.count, slots[index].generation & 0xFF_FFFF == generation, slots[index].object != nil else {
            released = nil
            return false
        }
        released = slots[index].object
        onRemove = slots[index].onRemove
        slots[index].onRemove = nil
        slots[index].object = nil
        slots[index].generation = (slots[index].generation &+ 1) & 0xFF_FFFF
        if slots[index].generation == 0 { slots[index].generation = 1 }
        free.append(index)
        return true
    }
}
