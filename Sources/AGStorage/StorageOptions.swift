import AGCore

/// How far a commit's write goes before the commit returns.
public enum Durability: Int32, Sendable {
    /// Every commit is synced to the disk: it survives a killed process and a power loss.
    case full = 0
    /// Every commit is in the operating system's hands: it survives a killed process, not a power loss
    /// (SQLite's WAL with synchronous=NORMAL).
    case normal = 1

    /// The C ABI's `AGS_DURABILITY_*`.
    public init(id: Int32) throws(AGError) {
        guard let durability = Durability(rawValue: id) else {
            throw AGError(.invalidArgument, "unknown durability \(id) (AGS_DURABILITY_FULL or AGS_DURABILITY_NORMAL)")
        }
        self = durability
    }

    public init(name: String) throws(AGError) {
        switch name {
        case "full": self = .full
        case "normal": self = .normal
        default: throw AGError(.invalidArgument, "unknown durability \"\(name)\" (full or normal)")
        }
    }
}

/// A 32-byte key for encryption at rest, with the id that rows sealed by it record.
public struct StorageKey: Sendable {
    public let id: UInt32
    public let bytes: [UInt8]
    public static let size = 32

    public init(id: UInt32, bytes: [UInt8]) throws(AGError) {
        guard bytes.count == StorageKey.size else {
            throw AGError(.invalidArgument, "an encryption key is \(StorageKey.size) bytes, not \(bytes.count)")
        }
        self.id = id
        self.bytes = bytes
    }
}

/// The options of a storage (the C ABI's `ags_storage_options`; the defaults are its
/// `AGS_STORAGE_DEFAULT_*`).
public struct StorageOptions: Sendable {
    public var durability: Durability = .full
    /// Seals every row written; nil writes them in the clear.
    public var key: StorageKey?
    /// Keys of earlier rows, for reading only (key rotation).
    public var oldKeys: [StorageKey] = []
    /// How long a write waits for another connection's lock before it fails with `io`.
    public var busyTimeoutMilliseconds: UInt32 = StorageOptions.defaultBusyTimeoutMilliseconds
    /// A checkpoint (the whole state) is written after this many changes...
    public var checkpointChanges: UInt64 = StorageOptions.defaultCheckpointChanges
    /// ... or after changes of this many stored bytes, whichever comes first.
    public var checkpointBytes: UInt64 = StorageOptions.defaultCheckpointBytes

    public static let defaultBusyTimeoutMilliseconds: UInt32 = 5000
    public static let defaultCheckpointChanges: UInt64 = 10_000
    public static let defaultCheckpointBytes: UInt64 = 16 << 20
    /// Bounds the number of old keys (each is tried by id, never by search).
    public static let maxOldKeys = 256

    public init() {}

    func validated() throws(AGError) -> StorageOptions {
        guard checkpointChanges >= 1 else { throw AGError(.invalidArgument, "checkpoint_changes must be at least 1") }
        guard checkpointBytes >= 1 else { throw AGError(.invalidArgument, "checkpoint_bytes must be at least 1") }
        guard busyTimeoutMilliseconds <= UInt32(Int32.max) else {
            throw AGError(.invalidArgument, "busy_timeout_ms must be at most \(Int32.max), not \(busyTimeoutMilliseconds)")
        }
        guard oldKeys.count <= StorageOptions.maxOldKeys else {
            throw AGError(.invalidArgument, "at most \(StorageOptions.maxOldKeys) old keys, not \(oldKeys.count)")
        }
        return self
    }
}
