#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import AGState

// Versions, status names, the last error, memory and process-wide limits (include/agstate.h).

let libraryVersion: StaticString = "0.1.0"
let libraryVersionNumber: Int32 = 1000

@_cdecl("ags_libversion")
public func ags_libversion() -> UnsafePointer<CChar> {
    UnsafeRawPointer(libraryVersion.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("ags_libversion_number")
public func ags_libversion_number() -> Int32 { libraryVersionNumber }

nonisolated(unsafe) private let statusNames: [UnsafeMutablePointer<CChar>] =
    (["AGS_OK"] + AGErrorCode.allCases.map(\.constantName)).map { strdup($0)! }
nonisolated(unsafe) private let unknownStatus = strdup("AGS_UNKNOWN")!
nonisolated(unsafe) private let emptyText = strdup("")!

@_cdecl("ags_status_name")
public func ags_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    guard status >= 0 && Int(status) < statusNames.count else { return UnsafePointer(unknownStatus) }
    return UnsafePointer(statusNames[Int(status)])
}

@_cdecl("ags_errcode")
public func ags_errcode() -> Int32 { errorSlot(create: false)?.code ?? 0 }

@_cdecl("ags_errmsg")
public func ags_errmsg() -> UnsafePointer<CChar> {
    UnsafePointer(errorSlot(create: false)?.message ?? emptyText)
}

@_cdecl("ags_errpointer")
public func ags_errpointer() -> UnsafePointer<CChar>? {
    errorSlot(create: false)?.pointer.map { UnsafePointer($0) }
}

@_cdecl("ags_errop")
public func ags_errop() -> Int64 { errorSlot(create: false)?.operationIndex ?? -1 }

@_cdecl("ags_erroffset")
public func ags_erroffset() -> Int64 { errorSlot(create: false)?.offset ?? -1 }

@_cdecl("ags_errclear")
public func ags_errclear() { errorSlot(create: false)?.clear() }

@_cdecl("ags_free")
public func ags_free(_ p: UnsafeMutableRawPointer?) { free(p) }

@_cdecl("ags_limit")
public func ags_limit(_ id: Int32, _ newValue: Int64, _ oldValue: UnsafeMutablePointer<Int64>?) -> Int32 {
    run { () throws(AGError) in
        let old = try DefaultLimits.exchange(try limitID(id), newValue < 0 ? nil : newValue)
        oldValue?.pointee = old
    }
}
