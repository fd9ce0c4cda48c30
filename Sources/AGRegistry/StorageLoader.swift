#if canImport(Glibc)
import Glibc
#endif
import AGCore
import AGJSON
import AGState
import AGStorage

/// A registry's stores kept in durable storage: every commit is in the database before it returns, so a
/// store the registry lets go of is opened again with its exact state, version and history.
public final class StorageLoader: StoreLoader, @unchecked Sendable {
    public let storage: Storage
    public let isDurable = true

    public init(_ storage: Storage) { self.storage = storage }

    public func open(_ id: String, initial: JSONValue?, limits: StoreLimits) throws(AGError) -> Store? {
        if initial == nil, try !storage.contains(id) { return nil }
        return try storage.openStore(id, initial: initial, limits: limits)
    }

    /// Nothing to write: the store's changes are in the database already. Dropping the last reference
    /// closes it.
    public func release(_ id: String, store: Store) {}

    /// The database file can be read and written.
    public func isReachable() -> Bool { access(storage.path, R_OK | W_OK) == 0 }
}
