#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import AGState
import CAgstateHeader

// Conversions at the C boundary: statuses from errors, byte views of caller buffers, output buffers.

public typealias CText = UnsafePointer<CChar>?
public typealias COut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
public typealias COutLen = UnsafeMutablePointer<Int>?

/// Runs one entry point: an error becomes the thread's last error and its status code.
@inline(__always)
func run(_ body: () throws(AGError) -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch {
        return recordError(error)
    }
}

/// The caller's bytes, checked: NULL only with length 0; `AGS_NTS` (-1 as Int) means NUL-terminated.
func bytes(_ data: CText, _ length: Int, _ what: String) throws(AGError) -> UnsafeRawBufferPointer {
    if length == -1 {
        guard let data else { throw AGError(.invalidArgument, "\(what) is NULL") }
        return UnsafeRawBufferPointer(start: data, count: strlen(data))
    }
    guard length >= 0 else { throw AGError(.invalidArgument, "\(what) length \(UInt(bitPattern: length)) is out of range") }
    guard let data else {
        if length == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        throw AGError(.invalidArgument, "\(what) is NULL but its length is \(length)")
    }
    return UnsafeRawBufferPointer(start: data, count: length)
}

/// Parses the caller's JSON text.
/// `persistent: false` for a document read once and dropped (see `ParseOptions.persistentContainers`).
func json(_ data: CText, _ length: Int, _ what: String, limits: JSONLimits, allowDuplicates: Bool = false,
          persistent: Bool = true) throws(AGError) -> JSONValue {
    let raw = try bytes(data, length, what)
    guard raw.baseAddress != nil else { throw AGError(.invalidJSON, "\(what) is empty", offset: 0) }
    return try JSONParser.parse(raw, options: ParseOptions(limits: limits, allowDuplicateKeys: allowDuplicates,
                                                          persistentContainers: persistent))
}

/// Reads the caller's JSON Patch text (see `JSONPatch.init(parsing:options:)`).
func jsonPatch(_ data: CText, _ length: Int, limits: JSONLimits, persistent: Bool = true) throws(AGError) -> JSONPatch {
    let raw = try bytes(data, length, "the patch")
    guard raw.baseAddress != nil else { throw AGError(.invalidJSON, "the patch is empty", offset: 0) }
    return try JSONPatch(parsing: raw, options: ParseOptions(limits: limits, persistentContainers: persistent))
}

/// Parses the caller's JSON Pointer; NULL with length 0 is the root.
func pointer(_ data: CText, _ length: Int) throws(AGError) -> JSONPointer {
    try JSONPointer(parsing: try bytes(data, length, "the pointer"))
}

/// Checks that an out-parameter is there before any work is done.
func require<T>(_ out: UnsafeMutablePointer<T>?, _ what: String) throws(AGError) -> UnsafeMutablePointer<T> {
    guard let out else { throw AGError(.invalidArgument, "\(what) is NULL") }
    return out
}

// Flags and defaults come from include/agstate.h itself (the CAgstateHeader module).
let outputFlags = AGS_JSON_PRETTY.rawValue | AGS_JSON_SORT_KEYS.rawValue
let duplicatesFlag = AGS_JSON_ALLOW_DUPLICATES.rawValue
let sseFlag = AGS_EVENT_SSE.rawValue
let lenientFlag = AGS_PATCH_LENIENT.rawValue
let urgentFlag = AGS_PATCH_URGENT.rawValue

/// Refuses bits outside `allowed`.
func checkFlags(_ flags: UInt32, _ allowed: UInt32) throws(AGError) {
    guard flags & ~allowed == 0 else {
        throw AGError(.invalidArgument, "unknown flags 0x\(String(flags & ~allowed, radix: 16))")
    }
}

func patchOptions(_ flags: UInt32) throws(AGError) -> PatchOptions {
    try checkFlags(flags, lenientFlag | urgentFlag)
    return PatchOptions(lenient: flags & lenientFlag != 0, urgent: flags & urgentFlag != 0)
}

/// The caller's options struct, checked: NULL gives `defaults`; a version from 1 to `current` is read.
func readOptions<T>(_ pointer: UnsafePointer<T>?, _ defaults: T, current: Int32, _ name: String) throws(AGError) -> T {
    guard let pointer else { return defaults }
    let version = UnsafeRawPointer(pointer).load(as: UInt32.self)
    guard version >= 1, version <= UInt32(current) else {
        throw AGError(.invalidArgument, "\(name) version \(version) is not one this library knows (1 to \(current))")
    }
    return pointer.pointee
}

/// Fills the caller's options struct with the defaults of `version`.
func initOptions<T>(_ pointer: UnsafeMutablePointer<T>?, _ version: UInt32, _ defaults: T, current: Int32,
                    _ name: String) -> Int32 {
    run { () throws(AGError) in
        let pointer = try require(pointer, name)
        guard version >= 1, version <= UInt32(current) else {
            throw AGError(.invalidArgument, "\(name) version \(version) is not one this library knows (1 to \(current))")
        }
        pointer.pointee = defaults
    }
}

/// Computed: the struct holds pointers (all NULL here), which a global constant may not.
var defaultCommitOptions: ags_commit_options {
    ags_commit_options(version: UInt32(AGS_COMMIT_OPTIONS_VERSION), flags: 0, expected_version: UInt64.max,
                       base_version: UInt64.max, strategy: AGS_STRATEGY_DEFAULT.rawValue, author: nil, author_len: 0,
                       resolver: nil, resolver_data: nil)
}

/// The engine's commit options from the caller's struct (NULL: the defaults).
func commitOptions(_ pointer: UnsafePointer<ags_commit_options>?) throws(AGError) -> CommitOptions {
    let raw = try readOptions(pointer, defaultCommitOptions, current: AGS_COMMIT_OPTIONS_VERSION, "ags_commit_options")
    let author = raw.author == nil && raw.author_len == 0 ? nil : try text(raw.author, raw.author_len, "the author")
    return CommitOptions(patch: try patchOptions(raw.flags),
                         expectedVersion: raw.expected_version == UInt64.max ? nil : raw.expected_version,
                         baseVersion: raw.base_version == UInt64.max ? nil : raw.base_version,
                         strategy: raw.strategy == AGS_STRATEGY_DEFAULT.rawValue ? nil : try strategy(raw.strategy),
                         author: author, resolver: raw.resolver.map { CResolver(function: $0, userData: raw.resolver_data).resolve })
}

/// A strategy named by the caller (not the default).
func strategy(_ raw: UInt32) throws(AGError) -> ConflictStrategy {
    guard raw <= UInt32(Int32.max), let strategy = ConflictStrategy(rawValue: Int32(raw)) else {
        throw AGError(.invalidArgument, "unknown strategy \(raw)")
    }
    return strategy
}

/// The caller's UTF-8 text (len may be AGS_NTS), checked.
func text(_ data: CText, _ length: Int, _ what: String) throws(AGError) -> String {
    let raw = try bytes(data, length, what)
    guard let decoded = String(validating: raw, as: UTF8.self) else {
        throw AGError(.invalidArgument, "\(what) is not UTF-8")
    }
    return decoded
}

func serializeOptions(_ flags: UInt32, allowed: UInt32 = outputFlags) throws(AGError) -> SerializeOptions {
    try checkFlags(flags, allowed)
    return SerializeOptions(pretty: flags & AGS_JSON_PRETTY.rawValue != 0, sortKeys: flags & AGS_JSON_SORT_KEYS.rawValue != 0)
}

/// Serializes `value` into a malloc'd, NUL-terminated buffer for the caller.
func write(_ value: JSONValue, _ options: SerializeOptions, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
           _ outLength: COutLen) throws(AGError) {
    let (text, count) = JSONSerializer.mallocText(value, options: options)
    out.pointee = UnsafeMutableRawPointer(text).assumingMemoryBound(to: CChar.self)
    outLength?.pointee = count
}

/// Writes an AG-UI event as compact JSON, or as an SSE frame with `AGS_EVENT_SSE`.
func writeEvent(_ event: JSONValue, _ flags: UInt32, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                _ outLength: COutLen) throws(AGError) {
    try checkFlags(flags, sseFlag)
    let bytes = flags & sseFlag != 0 ? StateEvent.sseFrame(event) : JSONSerializer.serialize(event)
    try write(bytes: bytes, out, outLength)
}

/// Copies bytes into a malloc'd, NUL-terminated buffer for the caller.
func write(bytes text: [UInt8], _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ outLength: COutLen) throws(AGError) {
    try text.withUnsafeBufferPointer { (bytes) throws(AGError) in try write(bytes, out, outLength) }
}

/// Copies bytes into a malloc'd, NUL-terminated buffer for the caller.
func write(_ text: UnsafeBufferPointer<UInt8>, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ outLength: COutLen) throws(AGError) {
    guard let buffer = malloc(text.count + 1)?.assumingMemoryBound(to: CChar.self) else {
        throw AGError(.noMemory, "cannot allocate \(text.count + 1) bytes for the output")
    }
    if let base = text.baseAddress, text.count > 0 { memcpy(buffer, base, text.count) }
    buffer[text.count] = 0
    out.pointee = buffer
    outLength?.pointee = text.count
}

func writeVersion(_ version: UInt64, _ out: UnsafeMutablePointer<UInt64>?) {
    out?.pointee = version
}

func limitID(_ id: Int32) throws(AGError) -> LimitID {
    guard let limit = LimitID(rawValue: id) else { throw AGError(.invalidArgument, "unknown limit id \(id)") }
    return limit
}
