import AGJSON
import AGState
import CAgstateHeader

// Delta batchers (include/agstate.h).

public typealias BatchFunction = @convention(c) (UnsafeMutableRawPointer?, UInt64, UInt64, UnsafePointer<CChar>?, Int) -> Int32

let batchers = HandleTable<Batcher>(kind: 0x60, name: "batcher")

/// The caller's function and pointer, carried into the batcher.
private struct CBatchCallback: @unchecked Sendable {
    let function: BatchFunction
    let userData: UnsafeMutableRawPointer?

    func call(_ batch: Batch) -> Bool {
        var text = JSONSerializer.serialize(batch.event)
        let count = text.count
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                function(userData, batch.fromVersion, batch.toVersion, chars.baseAddress, count) == 0
            }
        }
    }
}

var defaultBatcherOptions: ags_batcher_options {
    ags_batcher_options(version: UInt32(AGS_BATCHER_OPTIONS_VERSION), pointer: nil, pointer_len: 0,
                        max_operations: Int(AGS_BATCHER_DEFAULT_MAX_OPERATIONS), max_bytes: Int(AGS_BATCHER_DEFAULT_MAX_BYTES),
                        window_ms: UInt64(AGS_BATCHER_DEFAULT_WINDOW_MS))
}

@_cdecl("ags_batcher_options_init")
public func ags_batcher_options_init(_ options: UnsafeMutablePointer<ags_batcher_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultBatcherOptions, current: AGS_BATCHER_OPTIONS_VERSION, "ags_batcher_options")
}

@_cdecl("ags_batcher_open")
public func ags_batcher_open(_ handle: OpaquePointer?, _ options: UnsafePointer<ags_batcher_options>?,
                             _ function: BatchFunction?, _ userData: UnsafeMutableRawPointer?,
                             _ batcher: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let batcher = try require(batcher, "batcher")
        guard let function else { throw AGError(.invalidArgument, "the callback is NULL") }
        let raw = try readOptions(options, defaultBatcherOptions, current: AGS_BATCHER_OPTIONS_VERSION, "ags_batcher_options")
        let callback = CBatchCallback(function: function, userData: userData)
        let created = try Batcher(store: try stores.object(handle), pointer: try pointer(raw.pointer, raw.pointer_len),
                                  options: BatcherOptions(maxOperations: raw.max_operations, maxBytes: raw.max_bytes,
                                                          windowMilliseconds: raw.window_ms)) { callback.call($0) }
        batcher.pointee = try batchers.insert(created) { $0.close(flush: false) }
    }
}

@_cdecl("ags_batcher_poll")
public func ags_batcher_poll(_ batcher: OpaquePointer?, _ now: UInt64) -> Int32 {
    run { () throws(AGError) in try batchers.object(batcher).poll(now: now) }
}

@_cdecl("ags_batcher_flush")
public func ags_batcher_flush(_ batcher: OpaquePointer?) -> Int32 {
    run { () throws(AGError) in try batchers.object(batcher).flush() }
}

@_cdecl("ags_batcher_start_timer")
public func ags_batcher_start_timer(_ batcher: OpaquePointer?, _ tick: UInt64) -> Int32 {
    run { () throws(AGError) in try batchers.object(batcher).startTimer(tickMilliseconds: tick == 0 ? nil : tick) }
}

@_cdecl("ags_batcher_stats")
public func ags_batcher_stats(_ batcher: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(try batchers.object(batcher).statistics.json, .compact, out, outLength)
    }
}

@_cdecl("ags_batcher_close")
public func ags_batcher_close(_ batcher: OpaquePointer?, _ flush: Int32) {
    guard let object = try? batchers.object(batcher) else { return }
    batchers.remove(batcher)
    object.close(flush: flush != 0)
}
