/// Changing the container a value holds without copying it.
///
/// Copy-on-write copies a container whose storage has a second reference when it changes. The obvious way
/// to change the object held by a `JSONValue`,
///
///     switch value { case .object(var object): value = .null; object[k] = v; value = .object(object) ... }
///
/// leaves one: the value the `switch` matched stays alive to the end of the case, so the object was
/// copied on every change (measured: a one-operation patch cost time in proportion to the width of every
/// object on its path). These helpers bind the container in a statement of its own, then empty the value,
/// so that the container is uniquely referenced while `body` changes it.
extension JSONValue {
    enum ContainerKind { case object, array }

    /// Whether this is an object, an array, or (nil) neither.
    @inline(__always)
    var containerKind: ContainerKind? {
        switch self {
        case .object: return .object
        case .array: return .array
        default: return nil
        }
    }

    /// Runs `body` on the object this value holds (it must hold one), in place.
    @inline(__always)
    mutating func withObject<R, E: Error>(_ body: (inout JSONObject) throws(E) -> R) throws(E) -> R {
        var object = takeObject()
        defer { self = .object(object) }
        return try body(&object)
    }

    /// Runs `body` on the array this value holds (it must hold one), in place.
    @inline(__always)
    mutating func withArray<R, E: Error>(_ body: (inout JSONArray) throws(E) -> R) throws(E) -> R {
        var array = takeArray()
        defer { self = .array(array) }
        return try body(&array)
    }

    /// The object this value holds, leaving null in its place.
    @inline(__always)
    private mutating func takeObject() -> JSONObject {
        guard case .object(let object) = self else { preconditionFailure("not an object") }
        self = .null
        return object
    }

    @inline(__always)
    private mutating func takeArray() -> JSONArray {
        guard case .array(let array) = self else { preconditionFailure("not an array") }
        self = .null
        return array
    }
}
