import AGCodec
import AGCore
import AGEvents
import AGJSON
@testable import AGState
import CAgstateHeader
import Testing

/// include/agstate.h is where constants and defaults are written; the engine's own copies must agree.
@Suite struct HeaderConstantsTests {
    @Test func statusCodesAndTheirNames() {
        let header: [(Int32, String)] = [
            (AGS_ERR_INVALID_ARGUMENT, "AGS_ERR_INVALID_ARGUMENT"), (AGS_ERR_INVALID_JSON, "AGS_ERR_INVALID_JSON"),
            (AGS_ERR_INVALID_POINTER, "AGS_ERR_INVALID_POINTER"), (AGS_ERR_INVALID_PATCH, "AGS_ERR_INVALID_PATCH"),
            (AGS_ERR_PATH_NOT_FOUND, "AGS_ERR_PATH_NOT_FOUND"), (AGS_ERR_TEST_FAILED, "AGS_ERR_TEST_FAILED"),
            (AGS_ERR_CONFLICT, "AGS_ERR_CONFLICT"), (AGS_ERR_LIMIT_EXCEEDED, "AGS_ERR_LIMIT_EXCEEDED"),
            (AGS_ERR_CLOSED, "AGS_ERR_CLOSED"), (AGS_ERR_IO, "AGS_ERR_IO"), (AGS_ERR_NO_MEMORY, "AGS_ERR_NO_MEMORY"),
            (AGS_ERR_INTERNAL, "AGS_ERR_INTERNAL"), (AGS_ERR_NOT_IN_HISTORY, "AGS_ERR_NOT_IN_HISTORY"),
            (AGS_ERR_CORRUPT_DATA, "AGS_ERR_CORRUPT_DATA"), (AGS_ERR_LOCKED, "AGS_ERR_LOCKED"),
            (AGS_ERR_RATE_LIMITED, "AGS_ERR_RATE_LIMITED"), (AGS_ERR_UNAVAILABLE, "AGS_ERR_UNAVAILABLE"),
        ]
        #expect(AGS_OK == 0)
        #expect(AGErrorCode.allCases.count == header.count)
        for (value, name) in header {
            let code = AGErrorCode(rawValue: value)
            #expect(code?.constantName == name, "\(name) = \(value)")
        }
    }

    @Test func collaborationStrategiesAndBounds() {
        let header: [(UInt32, ConflictStrategy)] = [
            (AGS_STRATEGY_REJECT.rawValue, .reject), (AGS_STRATEGY_REBASE.rawValue, .rebase),
            (AGS_STRATEGY_LAST_WRITE_WINS.rawValue, .lastWriteWins), (AGS_STRATEGY_FIRST_WRITE_WINS.rawValue, .firstWriteWins),
            (AGS_STRATEGY_MERGE.rawValue, .merge), (AGS_STRATEGY_CUSTOM.rawValue, .custom),
        ]
        #expect(AGS_STRATEGY_DEFAULT.rawValue == 0)
        #expect(ConflictStrategy.allCases.count == header.count)
        for (value, strategy) in header { #expect(UInt32(strategy.rawValue) == value, "\(strategy.name)") }
        #expect(ConflictLog.defaultCapacity == Int(AGS_CONFLICT_LOG_DEFAULT_CAPACITY))
        #expect(SectionLocks.maxTTL == UInt64(AGS_MAX_TTL_MS) && PresenceTable.maxTTL == UInt64(AGS_MAX_TTL_MS))
    }

    @Test func limitsAndTheirDefaults() {
        #expect(LimitID.depth.rawValue == AGS_LIMIT_DEPTH)
        #expect(LimitID.inputBytes.rawValue == AGS_LIMIT_INPUT_BYTES)
        #expect(LimitID.historyVersions.rawValue == AGS_LIMIT_HISTORY_VERSIONS)
        #expect(LimitID.historyBytes.rawValue == AGS_LIMIT_HISTORY_BYTES)
        #expect(JSONLimits.defaultMaxDepth == Int(AGS_DEFAULT_DEPTH))
        #expect(JSONLimits.depthCeiling == Int(AGS_MAX_DEPTH))
        #expect(JSONLimits.defaultMaxInputBytes == Int(AGS_DEFAULT_INPUT_BYTES))
        #expect(HistoryLimits.defaultMaxVersions == Int(AGS_DEFAULT_HISTORY_VERSIONS))
        #expect(HistoryLimits.defaultMaxBytes == Int(AGS_DEFAULT_HISTORY_BYTES))
    }

    @Test func codecsAndEnvelope() {
        #expect(Codec.identity.rawValue == AGS_CODEC_IDENTITY)
        #expect(Codec.gzip.rawValue == AGS_CODEC_GZIP)
        #expect(Codec.zlib.rawValue == AGS_CODEC_ZLIB)
        #expect(Codec.deflate.rawValue == AGS_CODEC_DEFLATE)
        #expect(Codec.zstd.rawValue == AGS_CODEC_ZSTD)
        #expect(Codec.allCases.count == 5)
        #expect(Envelope.defaultThreshold == Int(AGS_ENVELOPE_THRESHOLD))
    }

    @Test func batcherDefaultsAndBounds() {
        let defaults = BatcherOptions()
        #expect(defaults.maxOperations == Int(AGS_BATCHER_DEFAULT_MAX_OPERATIONS))
        #expect(defaults.maxBytes == Int(AGS_BATCHER_DEFAULT_MAX_BYTES))
        #expect(defaults.windowMilliseconds == UInt64(AGS_BATCHER_DEFAULT_WINDOW_MS))
        #expect(BatcherOptions.maxBound == Int(AGS_BATCHER_MAX_BOUND))
    }

    @Test func severities() {
        #expect(Severity.off.rawValue == Int(AGS_SEVERITY_OFF))
        #expect(Severity.info.rawValue == Int(AGS_SEVERITY_INFO))
        #expect(Severity.warning.rawValue == Int(AGS_SEVERITY_WARNING))
        #expect(Severity.error.rawValue == Int(AGS_SEVERITY_ERROR))
        #expect(Severity.allCases.count == 4)
    }

    @Test func flagGroupsDoNotOverlap() {
        let groups: [[UInt32]] = [
            [AGS_JSON_PRETTY.rawValue, AGS_JSON_SORT_KEYS.rawValue, AGS_JSON_ALLOW_DUPLICATES.rawValue],
            [AGS_PATCH_LENIENT.rawValue, AGS_PATCH_URGENT.rawValue],
            [AGS_EVENT_SSE.rawValue], [AGS_FLUSH.rawValue], [AGS_ENVELOPE_JSON.rawValue],
            [AGS_DIFF_FEWEST_BYTES.rawValue, AGS_DIFF_TEST_GUARDS.rawValue, AGS_DIFF_VERIFY.rawValue],
            [AGS_VALIDATE_MESSAGES.rawValue],
        ]
        var seen: UInt32 = 0
        for flag in groups.joined() {
            #expect(flag.nonzeroBitCount == 1)
            #expect(seen & flag == 0, "flag 0x\(String(flag, radix: 16)) is in two groups")
            seen |= flag
        }
    }
}
