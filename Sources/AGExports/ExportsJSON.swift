import AGJSON
import AGState

// The stateless JSON functions (include/agstate.h).

@_cdecl("ags_json_validate")
public func ags_json_validate(_ text: CText, _ length: Int) -> Int32 {
    run { () throws(AGError) in
        _ = try json(text, length, "the JSON text", limits: DefaultLimits.current.json, persistent: false)
    }
}

@_cdecl("ags_json_format")
public func ags_json_format(_ text: CText, _ length: Int, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags, allowed: outputFlags | duplicatesFlag)
        let value = try json(text, length, "the JSON text", limits: DefaultLimits.current.json,
                             allowDuplicates: flags & duplicatesFlag != 0, persistent: false)
        try write(value, options, out, outLength)
    }
}

@_cdecl("ags_json_equal")
public func ags_json_equal(_ a: CText, _ aLength: Int, _ b: CText, _ bLength: Int,
                           _ equal: UnsafeMutablePointer<Int32>?) -> Int32 {
    run { () throws(AGError) in
        let equal = try require(equal, "equal")
        let limits = DefaultLimits.current.json
        let left = try json(a, aLength, "the first JSON text", limits: limits, persistent: false)
        let right = try json(b, bLength, "the second JSON text", limits: limits, persistent: false)
        equal.pointee = left == right ? 1 : 0
    }
}

@_cdecl("ags_pointer_get")
public func ags_pointer_get(_ doc: CText, _ docLength: Int, _ ptr: CText, _ ptrLength: Int, _ flags: UInt32,
                            _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let document = try json(doc, docLength, "the document", limits: DefaultLimits.current.json, persistent: false)
        try write(try document.value(at: try pointer(ptr, ptrLength)), options, out, outLength)
    }
}

@_cdecl("ags_patch_apply")
public func ags_patch_apply(_ doc: CText, _ docLength: Int, _ patchText: CText, _ patchLength: Int, _ flags: UInt32,
                            _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let limits = DefaultLimits.current.json
        let document = try json(doc, docLength, "the document", limits: limits, persistent: false)
        let patch = try jsonPatch(patchText, patchLength, limits: limits, persistent: false)
        try write(try patch.apply(to: document, limits: limits), options, out, outLength)
    }
}

@_cdecl("ags_merge_patch_apply")
public func ags_merge_patch_apply(_ doc: CText, _ docLength: Int, _ patchText: CText, _ patchLength: Int,
                                  _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        let limits = DefaultLimits.current.json
        let document = try json(doc, docLength, "the document", limits: limits, persistent: false)
        let patch = try json(patchText, patchLength, "the merge patch", limits: limits, persistent: false)
        try write(MergePatch.apply(patch, to: document), options, out, outLength)
    }
}
