import AGJSON

/// The state of a store at one version. Taking one is O(1): it refers to the immutable state value,
/// which later changes to the store do not touch.
public struct Snapshot: Sendable {
    public let state: JSONValue
    public let version: UInt64
    /// The store it was taken from: its history describes the snapshot only there.
    let origin: ObjectIdentifier?

    public init(state: JSONValue, version: UInt64) {
        self.init(state: state, version: version, origin: nil)
    }

    init(state: JSONValue, version: UInt64, origin: ObjectIdentifier?) {
        self.state = state
        self.version = version
        self.origin = origin
    }

    public func get(_ pointer: JSONPointer) throws(AGError) -> JSONValue { try state.value(at: pointer) }
}
