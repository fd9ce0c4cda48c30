import AGJSON
import AGState
import CAgstateHeader

// Diff and compaction (include/agstate.h).

let diffFlags = AGS_DIFF_FEWEST_BYTES.rawValue | AGS_DIFF_TEST_GUARDS.rawValue | AGS_DIFF_VERIFY.rawValue
let defaultDiffOptions = ags_diff_options(version: UInt32(AGS_DIFF_OPTIONS_VERSION), flags: 0, format: 0)

@_cdecl("ags_diff_options_init")
public func ags_diff_options_init(_ options: UnsafeMutablePointer<ags_diff_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultDiffOptions, current: AGS_DIFF_OPTIONS_VERSION, "ags_diff_options")
}

@_cdecl("ags_diff")
public func ags_diff(_ a: CText, _ aLength: Int, _ b: CText, _ bLength: Int, _ options: UnsafePointer<ags_diff_options>?,
                     _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let raw = try readOptions(options, defaultDiffOptions, current: AGS_DIFF_OPTIONS_VERSION, "ags_diff_options")
        try checkFlags(raw.flags, diffFlags)
        let output = try serializeOptions(raw.format)
        let diff = DiffOptions(granularity: raw.flags & AGS_DIFF_FEWEST_BYTES.rawValue != 0 ? .fewestBytes : .minimalOperations,
                               testGuards: raw.flags & AGS_DIFF_TEST_GUARDS.rawValue != 0,
                               verify: raw.flags & AGS_DIFF_VERIFY.rawValue != 0)
        let ops = try JSONDiff.diff(text: try bytes(a, aLength, "the first document"), try bytes(b, bLength, "the second document"),
                                    options: diff, limits: DefaultLimits.current.json)
        try write(JSONPatch(ops).json, output, out, outLength)
    }
}

@_cdecl("ags_merge_diff")
public func ags_merge_diff(_ a: CText, _ aLength: Int, _ b: CText, _ bLength: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let output = try serializeOptions(flags)
        let limits = DefaultLimits.current.json
        let patch = try MergePatch.diff(try json(a, aLength, "the first document", limits: limits, persistent: false),
                                        try json(b, bLength, "the second document", limits: limits, persistent: false))
        try write(patch, output, out, outLength)
    }
}

@_cdecl("ags_compact")
public func ags_compact(_ text: CText, _ length: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let output = try serializeOptions(flags)
        let value = try json(text, length, "the patches", limits: DefaultLimits.current.json, persistent: false)
        try write(PatchCompaction.compact(try JSONPatch.sequence(parsing: value)).json, output, out, outLength)
    }
}

@_cdecl("ags_store_diff")
public func ags_store_diff(_ handle: OpaquePointer?, _ from: UInt64, _ to: UInt64, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let output = try serializeOptions(flags)
        try write(JSONPatch(try stores.object(handle).diff(from: from, to: to)).json, output, out, outLength)
    }
}

@_cdecl("ags_store_diff_snapshot")
public func ags_store_diff_snapshot(_ handle: OpaquePointer?, _ snapshot: OpaquePointer?, _ flags: UInt32,
                                    _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let output = try serializeOptions(flags)
        let store = try stores.object(handle)
        try write(JSONPatch(try store.diff(since: try snapshots.object(snapshot).snapshot)).json, output, out, outLength)
    }
}
