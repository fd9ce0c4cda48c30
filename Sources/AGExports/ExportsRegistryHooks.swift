import AGJSON
import AGRegistry

// A registry's log and span hooks (include/agstate.h): C functions and their user_data behind Swift closures.

public typealias LogFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int) -> Void
public typealias SpanFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?) -> Void

/// The C struct `ags_span`.
struct CSpan {
    var operation: UnsafePointer<CChar>?
    var storeID: UnsafePointer<CChar>?
    var storeIDLength: Int
    var version: UInt64
    var durationNanoseconds: UInt64
    var status: Int32
}

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
        guard let level = LogLevel(rawValue: minimumLevel) else {
            throw AGError(.invalidArgument, "unknown log level \(minimumLevel)")
        }
        guard let function else { registry.setLogHandler(nil); return }
        let hook = CHook(function: function, userData: userData)
        registry.setLogHandler(minimum: level) { level, record in
            var text = JSONSerializer.serialize(record)
            let count = text.count
            text.append(0)
            text.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { hook.function(hook.userData, level.rawValue, $0.baseAddress, count) }
            }
        }
    }
}

@_cdecl("ags_registry_set_span")
public func ags_registry_set_span(_ handle: OpaquePointer?, _ function: SpanFunction?,
                                  _ userData: UnsafeMutableRawPointer?) -> Int32 {
    run { () throws(AGError) in
        let registry = try registries.object(handle)
        guard let function else { registry.setSpanHandler(nil); return }
        let hook = CHook(function: function, userData: userData)
        registry.setSpanHandler { span in
            span.operation.withCString { operation in
                var id = Array(span.storeID.utf8)
                let idCount = id.count
                id.append(0)
                id.withUnsafeBufferPointer { idBuffer in
                    idBuffer.withMemoryRebound(to: CChar.self) { idChars in
                        var c = CSpan(operation: operation, storeID: idChars.baseAddress, storeIDLength: idCount,
                                      version: span.version, durationNanoseconds: span.durationNanoseconds, status: span.status)
                        withUnsafePointer(to: &c) { hook.function(hook.userData, UnsafeRawPointer($0)) }
                    }
                }
            }
        }
    }
}
