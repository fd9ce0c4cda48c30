import AGJSON

/// Who makes a commit and how many input bytes it brings: what a rate limit counts (`CommitOptions.origin`).
public struct CommitOrigin: Sendable, Equatable {
    /// The client's id (an empty id is no client: nothing per client applies).
    public var client: String
    /// The size of the change's input text, in bytes.
    public var bytes: Int

    public init(client: String, bytes: Int = 0) {
        self.client = client
        self.bytes = bytes
    }
}

/// Admits or refuses each commit of a store before any work is done (a registry's rate limits), and hears
/// how it ended (for metrics and traces). Called on the committing thread with no store lock held.
public protocol CommitGate: AnyObject, Sendable {
    /// Admits the commit, returning a token passed back to `committed`; a refusal throws, and nothing is
    /// applied.
    func admit(_ origin: CommitOrigin?) throws(AGError) -> UInt64
    /// The admitted commit ended: with the version it committed, or with the error that refused it (and
    /// the version the store stays at).
    func committed(started: UInt64, version: UInt64, error: AGError?)
    /// A subscription callback reported failure for the change of `version` (the commit stands). Called on
    /// the delivering thread with no store lock held.
    func subscriberFailed(version: UInt64)
}

extension CommitGate {
    public func subscriberFailed(version: UInt64) {}
}
