import AGJSON
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

    /// Room for the next output: at most what the limit leaves, and one byte past it to notice an overflow.
    private func room() -> Int { min(Decompressor.chunk, maxSize - produced + 1) }

    private func accept(_ count: Int) throws(AGError) {
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
    public func finish() throws(AGError) -> [UInt8] {
        if codec == .identity { return [] }
        guard started else { throw AGError(.corruptData, "\(codec.name) data is empty") }
        guard ended else { throw AGError(.corruptData, "\(codec.name) data is truncated: it ends before the end of its stream") }
        return []
    }

    private func writeZlib(_ input: UnsafeRawBufferPointer) throws(AGError) -> [UInt8] {
        let z = zlib!
        let stream = z.stream
        var offset = 0
        var output: [UInt8] = []
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
            let base = input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
            stream.pointee.avail_in = uInt(input.count - offset)
            var buffer = [UInt8](repeating: 0, count: room())
            let (rc, count) = buffer.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                let rc = inflate(stream, Z_NO_FLUSH)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            offset = input.count - Int(stream.pointee.avail_in)
            try accept(count)
            output.append(contentsOf: buffer[0..<count])
            switch rc {
            case Z_STREAM_END: ended = true
            case Z_OK: break
            case Z_BUF_ERROR: if count == 0 && stream.pointee.avail_in == 0 { return output }
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
        return output
    }

    private func writeZstd(_ input: UnsafeRawBufferPointer) throws(AGError) -> [UInt8] {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var output: [UInt8] = []
        while true {
            var buffer = [UInt8](repeating: 0, count: room())
            let (result, count) = buffer.withUnsafeMutableBytes { out -> (Int, Int) in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let result = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
                return (result, outBuffer.pos)
            }
            if ZSTD_isError(result) != 0 {
                let name = String(cString: ZSTD_getErrorName(result))
                if ended && inBuffer.pos == 0 || name.contains("Unknown frame descriptor") && ended {
                    throw AGError(.corruptData, "trailing data after the end of the zstd stream")
                }
                if name.lowercased().contains("checksum") {
                    throw AGError(.corruptData, "zstd checksum mismatch: the data is damaged (\(name))")
                }
                throw AGError(.corruptData, "damaged zstd data: \(name)")
            }
            try accept(count)
            output.append(contentsOf: buffer[0..<count])
            if result == 0 {
                ended = true
            } else if count > 0 || inBuffer.pos < inBuffer.size {
                ended = false
            }
            // Done when the input is used up and zstd has nothing more to give for it.
            if inBuffer.pos == inBuffer.size && (count < buffer.count || result == 0) { break }
        }
        return output
    }
}
