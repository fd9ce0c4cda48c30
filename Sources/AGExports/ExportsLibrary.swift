#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import AGState
import CAgstateHeader

// Versions, status names, the last error, memory and process-wide limits (include/agstate.h).

// The header's version macros, so that the library reports the version of the header it was built from.
nonisolated(unsafe) let libraryVersion = strdup(AGS_VERSION)!
let libraryVersionNumber = Int32(AGS_VERSION_NUMBER)

@_cdecl("ags_libversion")
public func ags_libversion() -> UnsafePointer<CChar> {
    UnsafePointer(libraryVersion)
}

@_cdecl("ags_libversion_number")
public func ags_libversion_number() -> Int32 { libraryVersionNumber }

nonisolated(unsafe) private let statusNames: [UnsafeMutablePointer<CChar>] =
    (["AGS_OK"] + AGErrorCode.allCases.map(\.constantName)).map { strdup($0)! }
nonisolated(unsafe) private let unknownStatus = strdup("AGS_UNKNOWN")!

@_cdecl("ags_status_name")
public func ags_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    guard status >= 0 && Int(status) < statusNames.count else { return UnsafePointer(unknownStatus) }
    return UnsafePointer(statusNames[Int(status)])
}

@_cdecl("ags_errlast")
public func ags_errlast() -> UnsafePointer<ags_error> {
    UnsafePointer(errorSlot(create: false)?.error ?? noErrorSlot)
}

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
