import AGCore
import CZlib

/// gzip, zlib and raw deflate through the system's zlib.
enum ZlibCodec {
    static func windowBits(_ codec: Codec) -> Int32 {
        switch codec {
        case .gzip: return 15 + 16
        case .deflate: return -15
        default: return 15
        }
    }

    /// One call to deflate into a buffer sized by deflateBound: the same work zlib's own one-shot does.
    static func compress(_ input: UnsafeRawBufferPointer, codec: Codec, level: Int32) throws(AGError) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
        guard agstate_deflate_init(stream, level, windowBits(codec)) == Z_OK else {
            throw AGError(.noMemory, "zlib could not start a compression stream")
        }
        guard input.count <= Int(UInt32.max) else {
            throw AGError(.limitExceeded, "one-shot compression takes at most 4 GiB; use a stream")
        }
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let produced = output.withUnsafeMutableBytes { out -> Int in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(bound)
            let rc = deflate(stream, Z_FINISH)
            return rc == Z_STREAM_END ? bound - Int(stream.pointee.avail_out) : -1
        }
        guard produced >= 0 else { throw AGError(.internal, "zlib did not finish a stream within deflateBound") }
        output.removeLast(bound - produced)
        return output
    }
}

/// A zlib stream, compressing or decompressing, kept at a stable address as zlib requires.
final class ZlibStream {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    let inflating: Bool

    init(codec: Codec, level: Int32, inflating: Bool) throws(AGError) {
        self.inflating = inflating
        stream.initialize(to: z_stream())
        let rc = inflating ? agstate_inflate_init(stream, ZlibCodec.windowBits(codec))
                           : agstate_deflate_init(stream, level, ZlibCodec.windowBits(codec))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw AGError(.noMemory, "zlib could not start a stream")
        }
    }

    deinit {
        if inflating { inflateEnd(stream) } else { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    var message: String {
        stream.pointee.msg.map { String(cString: $0) } ?? "no detail"
    }
}
