import AGStorage
import CAgstateHeader
import Testing

/// The storage defaults and durability modes written in include/agstate.h against the engine's.
@Suite struct StorageConstantsTests {
    @Test func durabilityModesAndDefaults() {
        #expect(Durability.full.rawValue == Int32(AGS_DURABILITY_FULL.rawValue))
        #expect(Durability.normal.rawValue == Int32(AGS_DURABILITY_NORMAL.rawValue))
        #expect(StorageOptions.defaultBusyTimeoutMilliseconds == UInt32(AGS_STORAGE_DEFAULT_BUSY_TIMEOUT_MS))
        #expect(StorageOptions.defaultCheckpointChanges == UInt64(AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES))
        #expect(StorageOptions.defaultCheckpointBytes == UInt64(AGS_STORAGE_DEFAULT_CHECKPOINT_BYTES))
        #expect(StorageOptions.maxOldKeys == Int(AGS_STORAGE_MAX_OLD_KEYS))
        #expect(Storage.maxIDBytes == Int(AGS_STORAGE_MAX_ID_BYTES))
        #expect(StorageKey.size == MemoryLayout.size(ofValue: ags_storage_key().key))
        #expect(PostgresDefaults.poolSize == Int(AGS_PG_DEFAULT_POOL_SIZE))
        #expect(PostgresDefaults.breakerFailures == Int(AGS_PG_DEFAULT_BREAKER_FAILURES))
        #expect(PostgresDefaults.breakerOpenMilliseconds == UInt64(AGS_PG_DEFAULT_BREAKER_OPEN_MS))
    }
}
