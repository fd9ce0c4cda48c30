#if canImport(Glibc)
import Glibc
#endif
import AGCore
import CLibpq

/// The thread that listens on the storage's channel and applies other processes' changes to the stores
/// open here. Notifications are folded into a set of store ids to catch up (bounded by the open stores),
/// so a burst costs one query per store, not one per change. After a lost connection it reconnects with
/// backoff and catches up every open store (notifications sent meanwhile are lost); it also catches up
/// every open store once a second, so no change waits for a notification that never came.
final class PGListener: @unchecked Sendable {
    /// Weak, and held strongly only for one step at a time, so that the storage can go away while the
    /// thread runs (its deinit stops the thread).
    private weak var storage: PostgresStorage?
    private let lock = Lock()
    private var stopping = false
    private var thread: pthread_t?
    private var connected = false
    private var reconnects: UInt64 = 0
    private var notifications: UInt64 = 0

    /// Bounds the stores noted for a catch-up in one batch of notifications.
    static let maxPending = 4096

    init(storage: PostgresStorage) { self.storage = storage }

    func start() throws(AGError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var made = pthread_t()
        let status = pthread_create(&made, nil, { raw in
            let listener = Unmanaged<PGListener>.fromOpaque(raw!).takeRetainedValue()
            listener.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<PGListener>.fromOpaque(context).release()
            throw AGError(.io, "cannot start the PostgreSQL listener thread (error \(status))")
        }
        thread = made
    }

    /// Stops the thread and waits for it, unless called on the thread itself (the last reference to the
    /// storage can be dropped there, by a store it caught up): then the thread ends on its own, detached.
    func stop() {
        lock.withLock { stopping = true }
        if let thread {
            if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
        }
        thread = nil
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func run() {
        var backoff: UInt64 = 20
        while !isStopping {
            guard let (url, settings) = storage.map({ ($0.pool.url, $0.pool.settings) }) else { return }
            let connection: PGConnection
            do throws(AGError) {
                connection = try PGConnection(url: url, timeoutSeconds: settings.connectTimeoutSeconds)
                try connection.execute("LISTEN \(PGSchema.channel)")
            } catch {
                usleep(UInt32(UInt64.random(in: backoff / 2...backoff) * 1000))
                backoff = min(backoff * 2, settings.backoffMaxMilliseconds)
                continue
            }
            backoff = 20
            lock.withLock { connected = true; reconnects += 1 }
            storage?.catchUp(only: nil)
            listen(connection)
            lock.withLock { connected = false }
        }
    }

    /// Waits for notifications until the connection breaks or the storage closes.
    private func listen(_ connection: PGConnection) {
        var lastSweep = monotonicMilliseconds()
        while !isStopping {
            var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 100)
            guard PQconsumeInput(connection.connection) == 1, !connection.isBroken else { return }
            var dirty: [String: UInt64] = [:]
            var sweepAll = false
            while let notice = PQnotifies(connection.connection) {
                if let extra = notice.pointee.extra {
                    let payload = String(cString: extra)
                    // Bounded: past maxPending distinct stores in one batch, every open store is swept instead.
                    if dirty.count >= PGListener.maxPending {
                        sweepAll = true
                    } else if let space = payload.firstIndex(of: " "), let version = UInt64(payload[..<space]) {
                        let id = String(payload[payload.index(after: space)...])
                        dirty[id] = max(dirty[id] ?? 0, version)
                    }
                }
                PQfreemem(notice)
                lock.withLock { notifications += 1 }
            }
            for (id, version) in dirty {
                guard !isStopping, let storage else { return }
                storage.catchUp(only: id, through: version)
            }
            if sweepAll || monotonicMilliseconds() - lastSweep >= 1000 {
                lastSweep = monotonicMilliseconds()
                guard !isStopping, let storage else { return }
                storage.catchUp(only: nil)
            }
        }
    }

    func statistics() -> String {
        lock.withLock { #""connected":\#(connected),"reconnects":\#(reconnects),"notifications":\#(notifications)"# }
    }
}
