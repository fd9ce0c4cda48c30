import AGCore
import CZlib
import CZstd

/// Decompresses data given in pieces, never producing (or allocating for) more than `maxSize` bytes in all.
/// Concatenated gzip members and zstd frames are read as one stream, as `gzip -d` and `zstd -d` read them.
public final class Decompressor {
    public let codec: Codec
    public let maxSize: Int
    private var zlib: ZlibStream?
    private var zstd: OpaquePointer?
    private var produced = 0
    private var consumed = 0
    private var ended = false      // the last stream (member, frame) is complete
    private var started = false    // some input was seen
    private static let chunk = 64 * 1024

    /// `maxSize` is the most output in all, from 0 to `Int.max` (no bound).
    public init(codec: Codec, maxSize: Int) throws(AGError) {
        guard maxSize >= 0 else { throw AGError(.invalidArgument, "the maximum size must not be negative") }
        self.codec = codec
        self.maxSize = maxSize
        switch codec {
        case .identity: break
        case .gzip, .zlib, .deflate: zlib = try ZlibStream(codec: codec, level: 0, inflating: true)
        case .zstd:
            guard let context = ZSTD_createDCtx() else { throw AGError(.noMemory, "zstd could not start a decompression context") }
            zstd = context
        }
    }

    deinit {
        if let zstd { ZSTD_freeDCtx(zstd) }
        if consumed > 0 { CodecStatistics.shared.record(codec, decompressed: consumed, into: produced) }
    }

    /// Makes room at the end of `output` for more data: it grows geometrically from `hint`, but never past
    /// what the limit leaves plus one byte (to notice an overflow).
    private func grow(_ output: inout ByteBuffer, hint: Int) throws(AGError) {
        guard output.room == 0 else { return }
        let wanted = output.capacity == 0 ? max(hint, 256) : max(output.capacity, Decompressor.chunk)
        try output.reserve(max(1, min(wanted, roomLeft)))
    }

    /// How much output `input` will probably give: what the stream says of itself (gzip's ISIZE trailer,
    /// zstd's frame content size), never more than deflate's largest expansion of the input (a header may
    /// lie) nor than the limit; else a few times the input.
    private func sizeHint(_ input: UnsafeRawBufferPointer) -> Int {
        var said: Int?
        if codec == .gzip && input.count >= 18 {
            let n = input.count
            said = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        } else if codec == .zstd {
            let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            if size < ZSTD_CONTENTSIZE_ERROR { said = Int(clamping: size) }
        }
        let guess = said ?? input.count.multipliedReportingOverflow(by: 4).partialValue
        let bound = input.count.multipliedReportingOverflow(by: 1032)
        let likely = min(guess, bound.overflow ? Int.max : bound.partialValue, maxSize - produced)
        return likely == Int.max ? likely : likely + 1
    }

    /// What the limit leaves plus one byte (to notice an overflow), saturated: `maxSize` may be `Int.max`,
    /// "no bound".
    private var roomLeft: Int {
        let left = maxSize - produced  // never negative: `accept` fails as soon as `produced` passes `maxSize`
        return left == Int.max ? Int.max : left + 1
    }

    private func accept(_ count: Int) throws(AGError) {
        // `count` never passes `roomLeft`, which keeps `produced` within `maxSize` plus one.
        produced += count
        if produced > maxSize { throw Compression.tooLarge(maxSize) }
    }

    /// Decompresses `input` and returns the output it completes.
    public func write(_ input: UnsafeRawBufferPointer) throws(AGError) -> [UInt8] {
        if input.isEmpty { return [] }
        if !started {
            started = true
            // Data of another codec gets a clear message; a first piece too short to tell is left to the codec.
            if input.count >= 4 { try codec.checkFraming(input) }
        }
        consumed += input.count
        switch codec {
        case .identity:
            try accept(input.count)
            return Array(input)
        case .zstd: return try writeZstd(input)
        default: return try writeZlib(input)
        }
    }

    /// Checks that the data ended where its codec says it ends; fails with `corruptData` when it was cut short.
    public func finish() throws(AGError) {
        if codec == .identity { return }
        guard started else { throw AGError(.corruptData, "\(codec.name) data is empty") }
        guard ended else { throw AGError(.corruptData, "\(codec.name) data is truncated: it ends before the end of its stream") }
    }

    private func writeZlib(_ input: UnsafeRawBufferPointer) throws(AGError) -> [UInt8] {
        let z = zlib!
        let stream = z.stream
        var offset = 0
        var output = ByteBuffer()
        let hint = sizeHint(input)
        while offset < input.count {
            if ended {
                // Another gzip member may follow; anything else is trailing garbage.
                let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
                guard codec == .gzip, rest.count < 2 || Codec.sniff(rest) == .gzip else {
                    throw AGError(.corruptData, "\(input.count - offset) bytes of trailing data after the end of the \(codec.name) stream")
                }
                inflateReset(stream)
                ended = false
            }
            try grow(&output, hint: hint)
            let base = input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
            stream.pointee.avail_in = uInt(min(input.count - offset, Int(UInt32.max)))
            let before = Int(stream.pointee.avail_in)
            let room = min(output.room, Int(UInt32.max))
            stream.pointee.next_out = output.end.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let rc = inflate(stream, Z_NO_FLUSH)
            let count = room - Int(stream.pointee.avail_out)
            offset += before - Int(stream.pointee.avail_in)
            output.count += count
            try accept(count)
            switch rc {
            case Z_STREAM_END: ended = true
            case Z_OK: break
            case Z_BUF_ERROR: if count == 0 && stream.pointee.avail_in == 0 { return output.array() }
            case Z_MEM_ERROR: throw AGError(.noMemory, "zlib ran out of memory")
            case Z_NEED_DICT: throw AGError(.corruptData, "\(codec.name) data needs a preset dictionary, which agstate does not use")
            default:
                let detail = z.message
                if detail.contains("incorrect data check") || detail.contains("incorrect length check") {
                    throw AGError(.corruptData, "\(codec.name) checksum mismatch: the data is damaged (\(detail))")
                }
                throw AGError(.corruptData, "damaged \(codec.name) data: \(detail)")
            }
        }
        return output.array()
    }

    private func writeZstd(_ input: UnsafeRawBufferPointer) throws(AGError) -> [UInt8] {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var output = ByteBuffer()
        let hint = sizeHint(input)
        while true {
            try grow(&output, hint: hint)
            let room = output.room
            var outBuffer = ZSTD_outBuffer(dst: output.end, size: room, pos: 0)
            let result = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
            let count = outBuffer.pos
            if ZSTD_isError(result) != 0 {
                let name = String(cString: ZSTD_getErrorName(result))
                if ended && name.contains("Unknown frame descriptor") {
                    throw AGError(.corruptData, "trailing data after the end of the zstd stream")
                }
                if name.lowercased().contains("checksum") {
                    throw AGError(.corruptData, "zstd checksum mismatch: the data is damaged (\(name))")
                }
                throw AGError(.corruptData, "damaged zstd data: \(name)")
            }
            output.count += count
            try accept(count)
            if result == 0 {
                ended = true
            } else if count > 0 || inBuffer.pos < inBuffer.size {
                ended = false
            }
            // Done when the input is used up and zstd has nothing more to give for it.
            if inBuffer.pos == inBuffer.size && (count < room || result == 0) { break }
        }
        return output.array()
    }
}
