#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Maps opaque C handles to Swift objects, so that every handle is checked on every call: a closed handle,
/// a handle of another kind or a made-up value is an error, never a dangling pointer.
///
/// A handle is not an address: it encodes a kind tag (bits 56...63), a generation (bits 24...55) and a
/// slot number plus one (bits 0...23). Closing bumps the slot's generation, so old handles stop matching;
/// a slot whose generation would wrap is retired instead of reused, so that no two handles ever handed out
/// are equal: a closed handle stays closed forever. (With 32 bits of generation a slot serves four billion
/// opens before it retires, and the table holds 16.7 million slots.)
/// Lookups take a read lock only long enough to retain the object.
public final class HandleTable<Object: AnyObject>: @unchecked Sendable {
    private struct Slot {
        var generation: UInt32 = 1
        var object: Object?
        /// Run once the handle is removed (outside the lock): e.g. a registry store's hold is released.
        var onRemove: (() -> Void)?
    }

    private let kind: UInt8
    private let kindName: String
    private let lastGeneration: UInt32
    private var slots: [Slot] = []
    private var free: [Int] = []
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    /// Slots in all, live or retired: more live handles than this is surely a leak in the caller, and
    /// refusing keeps the table bounded. Every slot number plus one fits in the handle's 24 bits.
    public static var maxHandles: Int { (1 << 24) - 1 }

    /// `lastGeneration` is the highest generation a slot reaches before it retires (tests use small ones).
    public init(kind: UInt8, name: String, lastGeneration: UInt32 = UInt32.max) {
        precondition(kind != 0 && lastGeneration >= 1)
        self.kind = kind
        self.kindName = name
        self.lastGeneration = lastGeneration
        pthread_rwlock_init(lock, nil)
    }

    public func insert(_ object: Object, onRemove: (() -> Void)? = nil) throws(AGError) -> OpaquePointer {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        let index: Int
        if let reused = free.popLast() {
            index = reused
        } else {
            guard slots.count < HandleTable.maxHandles else {
                throw AGError(.limitExceeded, "more than \(HandleTable.maxHandles) \(kindName) handles were opened and not all closed")
            }
            slots.append(Slot())
            index = slots.count - 1
        }
        slots[index].object = object
        slots[index].onRemove = onRemove
        let bits = UInt(kind) << 56 | UInt(slots[index].generation) << 24 | UInt(index + 1)
        return OpaquePointer(bitPattern: bits)!
    }

    private func decode(_ handle: OpaquePointer?) throws(AGError) -> (index: Int, generation: UInt32) {
        guard let handle else { throw AGError(.invalidArgument, "the \(kindName) handle is NULL") }
        let bits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let index = Int(bits & 0xFF_FFFF) - 1
        guard UInt8(truncatingIfNeeded: bits >> 56) == kind, index >= 0 else {
            throw AGError(.invalidArgument, "the value passed is not a \(kindName) handle")
        }
        return (index, UInt32(truncatingIfNeeded: bits >> 24))
    }

    /// The live object behind `handle`.
    public func object(_ handle: OpaquePointer?) throws(AGError) -> Object {
        let (index, generation) = try decode(handle)
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard index < slots.count else {
            throw AGError(.invalidArgument, "the value passed is not a \(kindName) handle")
        }
        guard slots[index].generation == generation, let object = slots[index].object else {
            throw AGError(.closed, "the \(kindName) handle is closed")
        }
        return object
    }

    /// Forgets `handle`; the object is released when the last call using it returns. Returns false when
    /// the handle was not live.
    @discardableResult
    public func remove(_ handle: OpaquePointer?) -> Bool { take(handle) != nil }

    /// Forgets `handle` and returns its object (to close it), or nil when the handle was not live: of two
    /// threads closing one handle, one gets the object.
    @discardableResult
    public func take(_ handle: OpaquePointer?) -> Object? {
        guard let (index, generation) = try? decode(handle) else { return nil }
        pthread_rwlock_wrlock(lock)
        var onRemove: (() -> Void)?
        defer {
            pthread_rwlock_unlock(lock)
            onRemove?()
        }
        guard index < slots.count, slots[index].generation == generation, let object = slots[index].object else {
            return nil
        }
        onRemove = slots[index].onRemove
        slots[index].onRemove = nil
        slots[index].object = nil
        if slots[index].generation < lastGeneration {
            slots[index].generation += 1
            free.append(index)
        }
        // else: retired. Its generation stays at the last one with no object, so its last handle reads
        // as closed, and no handle is ever made for it again.
        return object
    }
}
