/// Why an engine operation failed. The raw values are the C ABI's `ags_status` codes
/// (include/agstate.h); keep the two in step.
public enum AGErrorCode: Int32, Sendable, CaseIterable {
    case invalidArgument = 1
    case invalidJSON = 2
    case invalidPointer = 3
    case invalidPatch = 4
    case pathNotFound = 5
    case testFailed = 6
    case conflict = 7
    case limitExceeded = 8
    case closed = 9
    case io = 10
    case noMemory = 11
    case `internal` = 12
    case notInHistory = 13
    case corruptData = 14
    case locked = 15
    case rateLimited = 16
    case unavailable = 17

    /// The name of the matching C constant, e.g. `AGS_ERR_INVALID_JSON`.
    public var constantName: String {
        switch self {
        case .invalidArgument: return "AGS_ERR_INVALID_ARGUMENT"
        case .invalidJSON: return "AGS_ERR_INVALID_JSON"
        case .invalidPointer: return "AGS_ERR_INVALID_POINTER"
        case .invalidPatch: return "AGS_ERR_INVALID_PATCH"
        case .pathNotFound: return "AGS_ERR_PATH_NOT_FOUND"
        case .testFailed: return "AGS_ERR_TEST_FAILED"
        case .conflict: return "AGS_ERR_CONFLICT"
        case .limitExceeded: return "AGS_ERR_LIMIT_EXCEEDED"
        case .closed: return "AGS_ERR_CLOSED"
        case .io: return "AGS_ERR_IO"
        case .noMemory: return "AGS_ERR_NO_MEMORY"
        case .internal: return "AGS_ERR_INTERNAL"
        case .notInHistory: return "AGS_ERR_NOT_IN_HISTORY"
        case .corruptData: return "AGS_ERR_CORRUPT_DATA"
        case .locked: return "AGS_ERR_LOCKED"
        case .rateLimited: return "AGS_ERR_RATE_LIMITED"
        case .unavailable: return "AGS_ERR_UNAVAILABLE"
        }
    }
}

/// An engine failure: a code, a human message, and where it happened when that is known.
public struct AGError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: AGErrorCode
    public var message: String
    /// The JSON Pointer (RFC 6901) of the location that failed, e.g. the target of a patch operation.
    public var pointer: String?
    /// The zero-based index of the failing operation in a JSON Patch.
    public var operationIndex: Int?
    /// The byte offset in the input text where parsing failed.
    public var offset: Int?

    public init(_ code: AGErrorCode, _ message: String, pointer: String? = nil,
                operationIndex: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.pointer = pointer
        self.operationIndex = operationIndex
        self.offset = offset
    }

    public var description: String { message }

    /// The same error, attributed to a patch operation; the message names the operation.
    package func inOperation(_ index: Int, op: String) -> AGError {
        var copy = self
        copy.operationIndex = index
        copy.message = "operation \(index) (\(op)): \(message)"
        return copy
    }
}
