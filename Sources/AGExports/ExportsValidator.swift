import AGEvents
import AGJSON
import AGState

// AG-UI event validation (include/agstate.h).

/// A validator with the lock that lets a handle be used from many threads (calls are serialised).
final class ValidatorBox {
    let lock = Lock()
    let validator: EventValidator
    init(_ validator: EventValidator) { self.validator = validator }
}

let validators = HandleTable<ValidatorBox>(kind: 0x61, name: "validator")

let validateMessagesFlag: UInt32 = 0x20000
let streamNDJSONFlag: UInt32 = 0x40000
let streamSSEFlag: UInt32 = 0x80000

/// Writes findings as a JSON array when the caller asked for them (`out` not NULL).
private func writeFindings(_ findings: [Finding], _ out: COut, _ outLength: COutLen) throws(AGError) {
    guard let out else { return }
    try write(bytes: Finding.jsonArray(findings), out, outLength)
}

@_cdecl("ags_validator_open")
public func ags_validator_open(_ profile: CText, _ profileLength: Int, _ flags: UInt32,
                               _ validator: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let validator = try require(validator, "validator")
        let name = String(decoding: try bytes(profile, profileLength, "the profile"), as: UTF8.self)
        guard let chosen = Profile(name: name.isEmpty ? "client" : name) else {
            throw AGError(.invalidArgument, "unknown profile \"\(name)\" (client, strict or compat)")
        }
        guard flags & ~validateMessagesFlag == 0 else {
            throw AGError(.invalidArgument, "unknown flags 0x\(String(flags & ~validateMessagesFlag, radix: 16))")
        }
        var options = ValidatorOptions()
        options.trackMessages = flags & validateMessagesFlag != 0
        options.maxDepth = DefaultLimits.current.json.maxDepth
        validator.pointee = try validators.insert(ValidatorBox(EventValidator(profile: chosen, options: options)))
    }
}

@_cdecl("ags_validator_set_severity")
public func ags_validator_set_severity(_ handle: OpaquePointer?, _ rule: CText, _ ruleLength: Int, _ severity: Int32) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let id = String(decoding: try bytes(rule, ruleLength, "the rule"), as: UTF8.self)
        guard let rule = Rule(rawValue: id) else { throw AGError(.invalidArgument, "unknown rule \"\(id)\"") }
        guard let level = Severity(rawValue: Int(severity)) else { throw AGError(.invalidArgument, "unknown severity \(severity)") }
        box.lock.withLock { box.validator.setSeverity(level, for: rule) }
    }
}

@_cdecl("ags_validator_feed")
public func ags_validator_feed(_ handle: OpaquePointer?, _ event: CText, _ length: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let data = try bytes(event, length, "the event")
        let findings = try box.lock.withLock { () throws(AGError) -> [Finding] in
            guard !box.validator.finished else { throw AGError(.invalidArgument, "the validator has finished its stream") }
            return box.validator.feed(event: data)
        }
        try writeFindings(findings, out, outLength)
    }
}

@_cdecl("ags_validator_push")
public func ags_validator_push(_ handle: OpaquePointer?, _ event: CText, _ length: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let out = try require(out, "findings")
        let data = try bytes(event, length, "the event")
        let findings = try box.lock.withLock { () throws(AGError) -> [Finding] in
            guard !box.validator.finished else { throw AGError(.invalidArgument, "the validator has finished its stream") }
            return box.validator.feed(event: data)
        }
        if findings.isEmpty {
            out.pointee = nil
            outLength?.pointee = 0
        } else {
            try write(bytes: Finding.jsonArray(findings), out, outLength)
        }
    }
}

@_cdecl("ags_validator_feed_stream")
public func ags_validator_feed_stream(_ handle: OpaquePointer?, _ data: CText, _ length: Int, _ flags: UInt32,
                                      _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let input = try bytes(data, length, "the stream data")
        let format: EventValidator.StreamFormat
        switch flags {
        case 0: format = .auto
        case streamNDJSONFlag: format = .ndjson
        case streamSSEFlag: format = .sse
        default: throw AGError(.invalidArgument, "flags must be 0, AGS_STREAM_NDJSON or AGS_STREAM_SSE")
        }
        let findings = try box.lock.withLock { () throws(AGError) -> [Finding] in
            guard !box.validator.finished else { throw AGError(.invalidArgument, "the validator has finished its stream") }
            return box.validator.feed(stream: input, format: format)
        }
        try writeFindings(findings, out, outLength)
    }
}

@_cdecl("ags_validator_finish")
public func ags_validator_finish(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        try writeFindings(box.lock.withLock { box.validator.finish() }, out, outLength)
    }
}

@_cdecl("ags_validator_findings")
public func ags_validator_findings(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let out = try require(out, "out")
        try write(bytes: Finding.jsonArray(box.lock.withLock { box.validator.findings }), out, outLength)
    }
}

/// Writes a document the validator tracks.
private func writeTracked(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen,
                          _ read: (EventValidator) -> JSONValue) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let out = try require(out, "out")
        try write(box.lock.withLock { read(box.validator) }, try serializeOptions(flags), out, outLength)
    }
}

@_cdecl("ags_validator_state")
public func ags_validator_state(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    writeTracked(handle, flags, out, outLength) { $0.state }
}

@_cdecl("ags_validator_activities")
public func ags_validator_activities(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    writeTracked(handle, flags, out, outLength) { $0.activities }
}

@_cdecl("ags_validator_messages")
public func ags_validator_messages(_ handle: OpaquePointer?, _ flags: UInt32, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        let out = try require(out, "out")
        let options = try serializeOptions(flags)
        guard let messages = box.lock.withLock({ box.validator.messages }) else {
            throw AGError(.invalidArgument, "messages are rebuilt only by a validator opened with AGS_VALIDATE_MESSAGES")
        }
        try write(messages, options, out, outLength)
    }
}

@_cdecl("ags_validator_counts")
public func ags_validator_counts(_ handle: OpaquePointer?, _ events: UnsafeMutablePointer<Int>?, _ errors: UnsafeMutablePointer<Int>?,
                                 _ warnings: UnsafeMutablePointer<Int>?, _ infos: UnsafeMutablePointer<Int>?) -> Int32 {
    run { () throws(AGError) in
        let box = try validators.object(handle)
        box.lock.withLock {
            let v = box.validator
            events?.pointee = v.eventCount
            errors?.pointee = v.counts[.error] ?? 0
            warnings?.pointee = v.counts[.warning] ?? 0
            infos?.pointee = v.counts[.info] ?? 0
        }
    }
}

@_cdecl("ags_validator_close")
public func ags_validator_close(_ handle: OpaquePointer?) {
    _ = validators.remove(handle)
}
