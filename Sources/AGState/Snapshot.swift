import AGJSON

/// The state of a store at one version. Taking one is O(1): it refers to the immutable state value,
/// which later changes to the store do not touch.
public struct Snapshot: Sendable {
    public let state: JSONValue
    public let version: UInt64

    public func get(_ pointer: JSONPointer) throws(AGError) -> JSONValue { try state.value(at: pointer) }
}
