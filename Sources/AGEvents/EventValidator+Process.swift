import AGJSON

extension EventValidator {
    /// One event: read it, check its fields, then its place in the sequence.
    func process(_ bytes: UnsafeBufferPointer<UInt8>) {
        currentIndex = eventCount
        eventCount += 1
        guard !finished else { return }
        if fastContent(bytes) { return }
        switch reader.read(bytes, maxDepth: options.maxDepth) {
        case .event:
            break
        case .notJSON(let why, let offset):
            report(.jsonInvalid, "not valid JSON: \(why) at byte \(offset)")
            return
        case .notObject(let kind):
            report(.eventNotObject, "an event must be a JSON object, not \(kind.name)")
            return
        case .duplicate(let name):
            report(.eventDuplicateMember, "the member \"\(name)\" appears more than once", pointer: "/" + escapePointerToken(name))
            return
        }
        guard let typeSlot = reader.slot(.type) else {
            report(.eventTypeMissing, "the event has no \"type\"", pointer: "/type")
            return
        }
        guard typeSlot.kind == .string else {
            report(.fieldType, "\"type\" must be a string, not \(typeSlot.kind.name)", pointer: "/type")
            return
        }
        let type: EventType
        if !typeSlot.escaped, let t = EventType.lookup(reader.bytes(typeSlot)) {
            type = t
        } else if let name = reader.string(.type), let t = EventType(name: name) {
            type = t
        } else {
            report(.eventTypeUnknown, "unknown event type \"\(reader.string(.type) ?? "")\"", pointer: "/type")
            return
        }
        if type.isDeprecated {
            report(.eventDeprecated, "\(type.name) is deprecated: AG-UI 1.0 replaces the THINKING_* events by REASONING_*", pointer: "/type")
        }
        guard checkFields(type) else { return }
        sequenceEvent(type)
    }
}

/// Escapes a member name as a JSON Pointer token (RFC 6901).
func escapePointerToken(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return s }
    var out = ""
    for c in s {
        switch c {
        case "~": out += "~0"
        case "/": out += "~1"
        default: out.append(c)
        }
    }
    return out
}
