#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// The last failure of each thread, kept in C strings owned by that thread's slot so that
/// `ags_errmsg()` can hand out a pointer that stays valid until the next failure on the thread.
final class ErrorSlot {
    var code: Int32 = 0
    var message: UnsafeMutablePointer<CChar>?
    var pointer: UnsafeMutablePointer<CChar>?
    var operationIndex: Int64 = -1
    var offset: Int64 = -1

    func set(_ error: AGError) {
        clear()
        code = error.code.rawValue
        message = strdup(error.message)
        pointer = error.pointer.map { strdup($0) } ?? nil
        operationIndex = error.operationIndex.map { Int64($0) } ?? -1
        offset = error.offset.map { Int64($0) } ?? -1
    }

    func clear() {
        code = 0
        free(message); message = nil
        free(pointer); pointer = nil
        operationIndex = -1
        offset = -1
    }

    deinit { clear() }
}

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
