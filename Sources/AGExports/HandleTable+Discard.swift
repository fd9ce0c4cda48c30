import AGJSON

extension HandleTable {
    /// A handle for `object`, which already runs (a subscription, a batcher); when no handle can be given,
    /// `discard` stops it, so that nothing is left running that the caller cannot reach.
    func insert(_ object: Object, discarding discard: (Object) -> Void) throws(AGError) -> OpaquePointer {
        do {
            return try insert(object)
        } catch {
            discard(object)
            throw error
        }
    }
}
