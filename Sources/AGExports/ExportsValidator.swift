import AGEvents
import AGJSON
import AGState
import CAgstateHeader

// AG-UI event validation (include/agstate.h). The validator itself serialises calls (SharedValidator).

let validators = HandleTable<SharedValidator>(kind: 0x61, name: "validator")

var defaultValidatorOptions: ags_validator_options {
    ags_validator_options(version: UInt32(AGS_VALIDATOR_OPTIONS_VERSION), profile: nil, profile_len: 0, flags: 0,
                          initial_state: nil, initial_state_len: 0)
}

/// Writes findings as a JSON array when the caller asked for them (`out` not NULL), or NULL when there are none.
private func writeFindings(_ findings: [Finding], _ out: COut, _ outLength: COutLen) throws(AGError) {
    guard let out else { return }
    guard !findings.isEmpty else {
        out.pointee = nil
        outLength?.pointee = 0
        return
    }
    try write(bytes: Finding.jsonArray(findings), out, outLength)
}

@_cdecl("ags_validator_options_init")
public func ags_validator_options_init(_ options: UnsafeMutablePointer<ags_validator_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultValidatorOptions, current: AGS_VALIDATOR_OPTIONS_VERSION, "ags_validator_options")
}

@_cdecl("ags_validator_open")
public func ags_validator_open(_ options: UnsafePointer<ags_validator_options>?,
                               _ validator: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let validator = try require(validator, "validator")
        let raw = try readOptions(options, defaultValidatorOptions, current: AGS_VALIDATOR_OPTIONS_VERSION, "ags_validator_options")
        try checkFlags(raw.flags, AGS_VALIDATE_MESSAGES.rawValue)
        let profile = String(decoding: try bytes(raw.profile, raw.profile_len, "the profile"), as: UTF8.self)
        var settings = ValidatorOptions()
        settings.trackMessages = raw.flags & AGS_VALIDATE_MESSAGES.rawValue != 0
        settings.maxDepth = DefaultLimits.current.json.maxDepth
        // NULL with length 0 or AGS_NTS is "unknown" (the field's default; a caller may clear the pointer
        // alone); NULL with any other length describes a buffer that is not there, refused by bytes().
        let initialState = raw.initial_state == nil && (raw.initial_state_len == 0 || raw.initial_state_len == -1)
            ? nil : try bytes(raw.initial_state, raw.initial_state_len, "the initial state")
        validator.pointee = try validators.insert(try SharedValidator(profileNamed: profile, options: settings, initialState: initialState))
    }
}

@_cdecl("ags_validator_set_severity")
public func ags_validator_set_severity(_ handle: OpaquePointer?, _ rule: CText, _ ruleLength: Int, _ severity: Int32) -> Int32 {
    run { () throws(AGError) in
        let validator = try validators.object(handle)
        let id = String(decoding: try bytes(rule, ruleLength, "the rule"), as: UTF8.self)
        try validator.setSeverity(level: Int(severity), forRuleNamed: id)
    }
}

@_cdecl("ags_validator_feed")
public func ags_validator_feed(_ handle: OpaquePointer?, _ event: CText, _ length: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let validator = try validators.object(handle)
        try writeFindings(try validator.feed(event: try bytes(event, length, "the event")), out, outLength)
    }
}

@_cdecl("ags_validator_feed_stream")
public func ags_validator_feed_stream(_ handle: OpaquePointer?, _ data: CText, _ length: Int, _ format: UInt32,
                                      _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let validator = try validators.object(handle)
        let framing: EventValidator.StreamFormat
        switch format {
        case AGS_STREAM_AUTO.rawValue: framing = .auto
        case AGS_STREAM_NDJSON.rawValue: framing = .ndjson
        case AGS_STREAM_SSE.rawValue: framing = .sse
        default: throw AGError(.invalidArgument, "format \(format) is not AGS_STREAM_AUTO, AGS_STREAM_NDJSON or AGS_STREAM_SSE")
        }
        try writeFindings(try validator.feed(stream: try bytes(data, length, "the stream data"), format: framing), out, outLength)
    }
}

@_cdecl("ags_validator_finish")
public func ags_validator_finish(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        try writeFindings(try validators.object(handle).finish(), out, outLength)
    }
}

@_cdecl("ags_validator_findings")
public func ags_validator_findings(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(bytes: Finding.jsonArray(try validators.object(handle).findings), out, outLength)
    }
}

@_cdecl("ags_validator_state")
public func ags_validator_state(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try validators.object(handle).state, options, out, outLength)
    }
}

@_cdecl("ags_validator_activities")
public func ags_validator_activities(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try validators.object(handle).activities, options, out, outLength)
    }
}

@_cdecl("ags_validator_messages")
public func ags_validator_messages(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        try write(try validators.object(handle).messages(), options, out, outLength)
    }
}

@_cdecl("ags_validator_counts")
public func ags_validator_counts(_ handle: OpaquePointer?, _ events: UnsafeMutablePointer<Int>?, _ errors: UnsafeMutablePointer<Int>?,
                                 _ warnings: UnsafeMutablePointer<Int>?, _ infos: UnsafeMutablePointer<Int>?) -> Int32 {
    run { () throws(AGError) in
        let counts = try validators.object(handle).counts
        events?.pointee = counts.events
        errors?.pointee = counts.errors
        warnings?.pointee = counts.warnings
        infos?.pointee = counts.infos
    }
}

@_cdecl("ags_validator_close")
public func ags_validator_close(_ handle: OpaquePointer?) {
    _ = validators.remove(handle)
}
