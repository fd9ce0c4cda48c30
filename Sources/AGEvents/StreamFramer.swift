#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into events: NDJSON (one event a line) or Server-Sent Events (`data:` lines,
/// joined with newlines, an event ending at a blank line; comments, `event:`, `id:` and `retry:` lines
/// ignored; `\n`, `\r\n` and `\r` line endings). A frame may be split across feeds at any byte: the
/// unfinished part is kept (bounded by `maxFrameBytes`) until the next feed completes it.
struct StreamFramer {
    enum Format { case auto, ndjson, sse }

    enum Piece {
        case event(UnsafeBufferPointer<UInt8>)
        case tooLarge(Int)
    }

    private(set) var format: Format
    let maxFrameBytes: Int
    /// The unfinished line carried over from the previous feed.
    private var carry: [UInt8] = []
    private var carryOverflow = false
    /// SSE: the data of the event being assembled.
    private var data: [UInt8] = []
    private var dataLines = 0
    private var dataOverflow = false
    /// SSE: the previous feed ended with `\r`, so a leading `\n` belongs to that line ending.
    private var pendingCR = false

    init(format: Format, maxFrameBytes: Int) {
        self.format = format
        self.maxFrameBytes = maxFrameBytes
    }

    /// Whether anything is held back waiting for more input.
    var hasPartialFrame: Bool { !carry.isEmpty || dataLines > 0 || carryOverflow }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Piece) -> Void) {
        var start = 0
        if format == .auto {
            var i = 0
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            if i == bytes.count && carry.isEmpty { return }
            let first = i < bytes.count ? bytes[i] : carry.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } ?? 0
            format = (first == UInt8(ascii: "{") || first == UInt8(ascii: "[")) ? .ndjson : .sse
        }
        if format == .sse && pendingCR && !bytes.isEmpty {
            pendingCR = false
            if bytes[0] == 0x0A { start = 1 }
        }
        var lineStart = start
        var i = start
        let n = bytes.count
        let base = bytes.baseAddress
        while i < n {
            if format == .ndjson {
                // memchr finds the next line end many bytes at a time.
                guard let hit = memchr(base! + i, 0x0A, n - i) else { break }
                i = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base!
            }
            let b = bytes[i]
            if b != 0x0A && !(b == 0x0D && format == .sse) { i += 1; continue }
            // A line ends at i.
            var lineEnd = i
            if b == 0x0D {
                if i + 1 < n { if bytes[i + 1] == 0x0A { i += 1 } } else { pendingCR = true }
            } else if format == .ndjson, lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D {
                lineEnd -= 1
            }
            let piece = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if carry.isEmpty && !carryOverflow {
                line(piece, emit)
            } else {
                appendCarry(piece)
                if format == .ndjson, carry.last == 0x0D { carry.removeLast() }
                let overflow = carryOverflow
                let whole = carry
                carry.removeAll(keepingCapacity: true)
                carryOverflow = false
                if overflow { emit(.tooLarge(whole.count)) } else { whole.withUnsafeBufferPointer { line($0, emit) } }
            }
            i += 1
            lineStart = i
        }
        if lineStart < n { appendCarry(UnsafeBufferPointer(rebasing: bytes[lineStart..<n])) }
    }

    /// Ends the stream: a last NDJSON line without a newline is an event; an SSE event whose blank
    /// line never came is dispatched too (and reported as truncated by the caller).
    mutating func finish(_ emit: (Piece) -> Void) -> Bool {
        var truncated = false
        if !carry.isEmpty || carryOverflow {
            let overflow = carryOverflow
            let whole = carry
            carry.removeAll()
            carryOverflow = false
            if overflow { emit(.tooLarge(whole.count)) } else { whole.withUnsafeBufferPointer { line($0, emit) } }
            if format == .sse { truncated = true }
        }
        if format == .sse && dataLines > 0 {
            truncated = true
            dispatch(emit)
        }
        pendingCR = false
        return truncated
    }

    private mutating func appendCarry(_ piece: UnsafeBufferPointer<UInt8>) {
        if carryOverflow { return }
        if carry.count + piece.count > maxFrameBytes {
            carryOverflow = true
            carry.removeAll()
            return
        }
        carry.append(contentsOf: piece)
    }

    private mutating func line(_ text: UnsafeBufferPointer<UInt8>, _ emit: (Piece) -> Void) {
        if format == .ndjson {
            var k = 0
            while k < text.count, text[k] == 0x20 || text[k] == 0x09 || text[k] == 0x0D { k += 1 }
            if k < text.count { emit(.event(text)) }
            return
        }
        if text.isEmpty {
            if dataLines > 0 { dispatch(emit) }
            return
        }
        if text[0] == UInt8(ascii: ":") { return }  // comment
        // field name up to the first colon; the value after it, less one leading space
        var colon = 0
        while colon < text.count, text[colon] != UInt8(ascii: ":") { colon += 1 }
        let isData = colon == 4 && text[0] == UInt8(ascii: "d") && text[1] == UInt8(ascii: "a")
            && text[2] == UInt8(ascii: "t") && text[3] == UInt8(ascii: "a")
        guard isData else { return }
        var valueStart = min(colon + 1, text.count)
        if valueStart < text.count, text[valueStart] == 0x20 { valueStart += 1 }
        if dataLines > 0 { appendData(CollectionOfOne(0x0A)) }
        appendData(UnsafeBufferPointer(rebasing: text[valueStart...]))
        dataLines += 1
    }

    private mutating func appendData(_ piece: some Collection<UInt8>) {
        if dataOverflow { return }
        if data.count + piece.count > maxFrameBytes {
            dataOverflow = true
            data.removeAll()
            return
        }
        data.append(contentsOf: piece)
    }

    private mutating func dispatch(_ emit: (Piece) -> Void) {
        if dataOverflow {
            emit(.tooLarge(maxFrameBytes))
        } else if !data.isEmpty {  // an event whose data is empty is not dispatched (SSE)
            data.withUnsafeBufferPointer { emit(.event($0)) }
        }
        data.removeAll(keepingCapacity: true)
        dataLines = 0
        dataOverflow = false
    }
}
