#if canImport(Glibc)
import Glibc
#endif
import AGCore

/// A lock or presence listener. Removing it waits for its calls running on other threads, and no call
/// starts afterwards; a listener may remove itself from inside its own call. No lock is held while it runs,
/// so listeners on several threads may call the library without waiting for one another.
final class Listener<Event>: @unchecked Sendable {
    let id: Int
    private let callback: @Sendable (Event) -> Void
    private let state = ConditionLock()
    // Guarded by `state`.
    private var active = true
    private var running: [pthread_t] = []

    init(id: Int, _ callback: @escaping @Sendable (Event) -> Void) {
        self.id = id
        self.callback = callback
    }

    func call(_ event: Event) {
        let me = pthread_self()
        state.lock()
        guard active else { state.unlock(); return }
        running.append(me)
        state.unlock()
        callback(event)
        state.lock()
        if let index = running.firstIndex(where: { pthread_equal($0, me) != 0 }) { running.remove(at: index) }
        state.broadcast()
        state.unlock()
    }

    /// Stops calls: when it returns, no call runs on another thread and none will start.
    func deactivate() {
        let me = pthread_self()
        state.lock()
        active = false
        while running.contains(where: { pthread_equal($0, me) == 0 }) { state.wait() }
        state.unlock()
    }
}
