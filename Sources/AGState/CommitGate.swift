#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// Who makes a commit and how many input bytes it brings: what a rate limit counts. Set for the commits
/// made inside `CommitOrigin.with(_:_:)` on the calling thread (a thread value, so that every way of
/// committing, from a patch to a transaction or a state event, carries it without a parameter of its own).
public struct CommitOrigin: Sendable, Equatable {
    /// The client's id (an empty id is no client: nothing per client applies).
    public var client: String
    /// The size of the change's input text, in bytes.
    public var bytes: Int

    public init(client: String, bytes: Int = 0) {
        self.client = client
        self.bytes = bytes
    }

    /// Runs `body` with `origin` as the origin of the commits it makes on this thread.
    public static func with<R, E: Error>(_ origin: CommitOrigin?, _ body: () throws(E) -> R) throws(E) -> R {
        guard let origin, !origin.client.isEmpty || origin.bytes > 0 else { return try body() }
        let previous = pthread_getspecific(originKey)
        let box = Unmanaged.passRetained(OriginBox(origin))
        pthread_setspecific(originKey, box.toOpaque())
        defer {
            pthread_setspecific(originKey, previous)
            box.release()
        }
        return try body()
    }

    /// The origin set on the calling thread, if any.
    public static var current: CommitOrigin? {
        guard let raw = pthread_getspecific(originKey) else { return nil }
        return Unmanaged<OriginBox>.fromOpaque(raw).takeUnretainedValue().origin
    }
}

private final class OriginBox {
    let origin: CommitOrigin
    init(_ origin: CommitOrigin) { self.origin = origin }
}

private let originKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Admits or refuses each commit of a store before any work is done (a registry's rate limits), and hears
/// how it ended (for metrics and traces). Called on the committing thread with no store lock held.
public protocol CommitGate: AnyObject, Sendable {
    /// Admits the commit, returning a token passed back to `committed`; a refusal throws, and nothing is
    /// applied.
    func admit(_ origin: CommitOrigin?) throws(AGError) -> UInt64
    /// The admitted commit ended: with the version it committed, or with the error that refused it (and
    /// the version the store stays at).
    func committed(started: UInt64, version: UInt64, error: AGError?)
}
