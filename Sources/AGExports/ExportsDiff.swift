import AGJSON
import AGState

// Diff and compaction (include/agstate.h).

let diffFewestBytes: UInt32 = 0x4000
let diffTestGuards: UInt32 = 0x8000
let diffVerify: UInt32 = 0x10000

@_cdecl("ags_diff")
public func ags_diff(_ a: CText, _ aLength: Int, _ b: CText, _ bLength: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let output = try serializeOptions(flags & ~(diffFewestBytes | diffTestGuards | diffVerify))
        let limits = DefaultLimits.current.json
        let options = DiffOptions(granularity: flags & diffFewestBytes != 0 ? .fewestBytes : .minimalOperations,
                                  testGuards: flags & diffTestGuards != 0, verify: flags & diffVerify != 0)
        let x = try bytes(a, aLength, "the first document"), y = try bytes(b, bLength, "the second document")
        let ops: [PatchOperation]
        if let fast = JSONDiff.fastTextDiff(x, y, options: options, limits: limits) {
            ops = fast
        } else {
            ops = try JSONDiff.diff(try json(a, aLength, "the first document", limits: limits, persistent: false),
                                    try json(b, bLength, "the second document", limits: limits, persistent: false), options: options)
        }
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
