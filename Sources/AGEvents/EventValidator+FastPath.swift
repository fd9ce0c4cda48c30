#if canImport(Glibc)
import Glibc
#endif

/// The fast path for the events that make up most of a stream: the next TEXT_MESSAGE_CONTENT of the
/// message whose content came last, or the next TOOL_CALL_ARGS of the tool call whose arguments came last,
/// written in the usual shape (`{"type":…,"messageId":…,"delta":…}`, members in that order, no others).
/// Such an event begins with exactly the bytes of the previous one up to its delta, so one comparison
/// stands for reading the type and the id, the schema check and the lookup of the open message; only the
/// delta string is scanned (escapes, UTF-8). Anything else (other members, another order, whitespace, an
/// empty delta, a closed message, a run not active, chunk mode) takes the general path, so the verdicts
/// are the same either way.
extension EventValidator {
    @inline(__always)
    func fastContent(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count > 40, sequence.runActive, sequence.chunk == .none else { return false }
        let isText: Bool
        switch bytes[10] {  // {"type":"TEXT_… or {"type":"TOOL_…
        case UInt8(ascii: "E"): isText = true
        case UInt8(ascii: "O"): isText = false
        default: return false
        }
        let matched = isText ? sequence.hotMessage.valid && startsWith(bytes, sequence.hotMessage.prefix)
                             : sequence.hotToolCall.valid && sequence.hotToolCallEntry != nil && startsWith(bytes, sequence.hotToolCall.prefix)
        guard matched else { return false }
        let quote = (isText ? sequence.hotMessage.prefix.count : sequence.hotToolCall.prefix.count) - 1
        var scanner = JSONScanner(bytes)
        scanner.position = quote
        let delta: JSONScanner.StringRange
        do throws(JSONScanner.Failure) {
            delta = try scanner.scanString()
        } catch {
            return false
        }
        guard delta.end > delta.start else { return false }
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "}") else { return false }
        scanner.position += 1
        scanner.skipWhitespace()
        guard scanner.position == bytes.count else { return false }

        let raw = UnsafeBufferPointer(rebasing: bytes[delta.start..<delta.end])
        if isText {
            if messageLog != nil {
                messageLog!.append(to: sequence.hotMessage.id) { appendDecoded(raw, escaped: delta.escaped, to: &$0) }
            }
        } else {
            if strict {
                sequence.hotToolCallEntry!.appendArgs(limit: options.maxToolCallArgsBytes) { appendDecoded(raw, escaped: delta.escaped, to: &$0) }
            }
            if messageLog != nil {
                messageLog!.appendArgs(to: sequence.hotToolCall.id) { appendDecoded(raw, escaped: delta.escaped, to: &$0) }
            }
        }
        return true
    }
}

@inline(__always)
private func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
    guard bytes.count > prefix.count else { return false }
    return prefix.withUnsafeBufferPointer { p in memcmp(p.baseAddress!, bytes.baseAddress!, p.count) == 0 }
}

@inline(__always)
private func appendDecoded(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool, to out: inout [UInt8]) {
    if escaped { JSONScanner.unescape(raw, into: &out) } else { out.append(contentsOf: raw) }
}
