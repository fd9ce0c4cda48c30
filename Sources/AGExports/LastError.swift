#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import CAgstateHeader

/// The last failure of each thread, as the header's `ags_error` struct, with its strings owned by the slot so
/// that `ags_errlast()` can hand out a pointer that stays valid until the next failure on the thread.
final class ErrorSlot {
    let error: UnsafeMutablePointer<ags_error>
    private var message: UnsafeMutablePointer<CChar>?
    private var pointer: UnsafeMutablePointer<CChar>?

    init() {
        error = .allocate(capacity: 1)
        error.initialize(to: noError)
    }

    func set(_ failure: AGError) {
        clear()
        message = strdup(failure.message)
        pointer = failure.pointer.flatMap { strdup($0) }
        error.pointee = ags_error(code: failure.code.rawValue, message: UnsafePointer(message ?? emptyText),
                                  pointer: pointer.map { UnsafePointer($0) },
                                  op_index: failure.operationIndex.map { Int64($0) } ?? -1,
                                  offset: failure.offset.map { Int64($0) } ?? -1)
    }

    func clear() {
        error.pointee = noError
        free(message); message = nil
        free(pointer); pointer = nil
    }

    deinit {
        clear()
        error.deallocate()
    }
}

nonisolated(unsafe) let emptyText = strdup("")!
nonisolated(unsafe) let noError = ags_error(code: 0, message: UnsafePointer(emptyText), pointer: nil, op_index: -1, offset: -1)
/// What `ags_errlast()` returns on a thread that has never failed.
nonisolated(unsafe) let noErrorSlot: UnsafeMutablePointer<ags_error> = {
    let slot = UnsafeMutablePointer<ags_error>.allocate(capacity: 1)
    slot.initialize(to: noError)
    return slot
}()

private let errorKey: pthread_key_t = {
    var key = pthread_key_t()
    // The destructor releases a thread's slot when the thread exits.
    pthread_key_create(&key) { raw in
        if let raw { Unmanaged<ErrorSlot>.fromOpaque(raw).release() }
    }
    return key
}()

/// The calling thread's slot; created when `create` is true and there is none yet.
func errorSlot(create: Bool) -> ErrorSlot? {
    if let raw = pthread_getspecific(errorKey) {
        return Unmanaged<ErrorSlot>.fromOpaque(raw).takeUnretainedValue()
    }
    guard create else { return nil }
    let slot = ErrorSlot()
    pthread_setspecific(errorKey, Unmanaged.passRetained(slot).toOpaque())
    return slot
}

func recordError(_ error: AGError) -> Int32 {
    errorSlot(create: true)?.set(error)
    return error.code.rawValue
}
