import AGJSON
import AGRegistry
import CAgstateHeader

// A registry's log and span hooks (include/agstate.h): C functions and their user_data behind Swift closures.

public typealias LogFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int) -> Void
public typealias SpanFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<ags_span>?) -> Void

/// The caller promises that the function and user_data stay valid until the hook is replaced or the
/// registry closed.
private struct CHook<F>: @unchecked Sendable {
    let function: F
    let userData: UnsafeMutableRawPointer?
}

@_cdecl("ags_registry_set_log")
public func ags_registry_set_log(_ handle: OpaquePointer?, _ minimumLevel: Int32, _ function: LogFunction?,
                                 _ userData: UnsafeMutableRawPointer?) -> Int32 {
    run { () throws(AGError) in
        let registry = try registries.object(handle)
        guard let level = LogLevel(rawValue: minimumLevel) else { throw AGError(.invalidArgument, "unknown log level \(minimumLevel)") }
        registry.setLogHandler(minimum: level, function.map { logHandler(CHook(function: $0, userData: userData)) })
    }
}

@_cdecl("ags_registry_set_span")
public func ags_registry_set_span(_ handle: OpaquePointer?, _ function: SpanFunction?,
                                  _ userData: UnsafeMutableRawPointer?) -> Int32 {
    run { () throws(AGError) in
        try registries.object(handle).setSpanHandler(function.map { spanHandler(CHook(function: $0, userData: userData)) })
    }
}

/// A log record as the C callback takes it: the level and the record's JSON text, NUL-terminated.
private func logHandler(_ hook: CHook<LogFunction>) -> @Sendable (LogLevel, JSONValue) -> Void {
    { level, record in
        var text = JSONSerializer.serialize(record)
        let count = text.count
        text.append(0)
        text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { hook.function(hook.userData, level.rawValue, $0.baseAddress, count) }
        }
    }
}

/// A span as the C callback takes it: an `ags_span` whose strings live during the call.
private func spanHandler(_ hook: CHook<SpanFunction>) -> @Sendable (Span) -> Void {
    { span in
        span.operation.withCString { operation in
            var id = Array(span.storeID.utf8)
            let idCount = id.count
            id.append(0)
            id.withUnsafeBufferPointer { idBuffer in
                idBuffer.withMemoryRebound(to: CChar.self) { idChars in
                    var c = ags_span(operation: operation, store_id: idChars.baseAddress, store_id_len: idCount,
                                     version: span.version, duration_ns: span.durationNanoseconds, status: span.status)
                    withUnsafePointer(to: &c) { hook.function(hook.userData, $0) }
                }
            }
        }
    }
}
