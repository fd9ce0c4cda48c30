import AGCore
import CZlib
import CZstd

/// Compresses data given in pieces. `write` returns what is ready; with `flush`, everything written so
/// far becomes decodable by the receiver (a sync flush: how an SSE response sends each event at once).
public final class Compressor {
    public let codec: Codec
    private var zlib: ZlibStream?
    private var zstd: OpaquePointer?
    private var finished = false
    private var bytesIn = 0
    private var bytesOut = 0
    private static let chunk = 64 * 1024

    public init(codec: Codec, level: Int32 = 0) throws(AGError) {
        self.codec = codec
        let level = try codec.resolveLevel(level)
        switch codec {
        case .identity: break
        case .gzip, .zlib, .deflate: zlib = try ZlibStream(codec: codec, level: level, inflating: false)
        case .zstd:
            guard let context = ZSTD_createCCtx() else { throw AGError(.noMemory, "zstd could not start a compression context") }
            zstd = context
            try ZstdCodec.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
            try ZstdCodec.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
        }
    }

    deinit {
        if let zstd { ZSTD_freeCCtx(zstd) }
        if bytesIn > 0 || bytesOut > 0 { CodecStatistics.shared.record(codec, compressed: bytesIn, into: bytesOut) }
    }

    /// Compresses `input` and returns the output that is ready; with `flush`, all of it.
    public func write(_ input: UnsafeRawBufferPointer, flush: Bool = false) throws(AGError) -> [UInt8] {
        guard !finished else { throw AGError(.closed, "the compression stream is finished") }
        bytesIn += input.count
        let out = try run(input, mode: flush ? .flush : .none)
        bytesOut += out.count
        return out
    }

    /// Ends the stream and returns the rest of the output (trailer and checksum included).
    public func finish() throws(AGError) -> [UInt8] {
        guard !finished else { throw AGError(.closed, "the compression stream is finished") }
        finished = true
        let out = try run(UnsafeRawBufferPointer(start: nil, count: 0), mode: .end)
        bytesOut += out.count
        return out
    }

    private enum Mode { case none, flush, end }

    private func run(_ input: UnsafeRawBufferPointer, mode: Mode) throws(AGError) -> [UInt8] {
        switch codec {
        case .identity: return Array(input)
        case .zstd: return try runZstd(input, mode: mode)
        default: return try runZlib(input, mode: mode)
        }
    }

    private func runZlib(_ input: UnsafeRawBufferPointer, mode: Mode) throws(AGError) -> [UInt8] {
        let stream = zlib!.stream
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        let flush: Int32 = mode == .end ? Z_FINISH : mode == .flush ? Z_SYNC_FLUSH : Z_NO_FLUSH
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: Compressor.chunk)
        while true {
            let (rc, produced) = buffer.withUnsafeMutableBytes { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                let rc = deflate(stream, flush)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            output.append(contentsOf: buffer[0..<produced])
            if rc == Z_STREAM_END { break }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw AGError(.internal, "zlib: \(zlib!.message)") }
            // Done when all input is taken and zlib had room to spare (nothing more is pending).
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 && mode != .end { break }
        }
        return output
    }

    private func runZstd(_ input: UnsafeRawBufferPointer, mode: Mode) throws(AGError) -> [UInt8] {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let directive = mode == .end ? ZSTD_e_end : mode == .flush ? ZSTD_e_flush : ZSTD_e_continue
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: Compressor.chunk)
        while true {
            let (remaining, produced) = buffer.withUnsafeMutableBytes { out -> (Int, Int) in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let remaining = ZSTD_compressStream2(zstd, &outBuffer, &inBuffer, directive)
                return (remaining, outBuffer.pos)
            }
            try ZstdCodec.check(remaining)
            output.append(contentsOf: buffer[0..<produced])
            if mode == .none ? inBuffer.pos == inBuffer.size : remaining == 0 { break }
        }
        return output
    }
}
