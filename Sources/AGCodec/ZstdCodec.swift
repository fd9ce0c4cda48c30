import AGCore
import CZstd

/// Zstandard through the system's libzstd. Frames carry a content checksum.
enum ZstdCodec {
    static var levels: ClosedRange<Int32> { ZSTD_minCLevel()...ZSTD_maxCLevel() }

    static func check(_ code: Int) throws(AGError) {
        if ZSTD_isError(code) != 0 {
            throw AGError(.internal, "zstd: \(String(cString: ZSTD_getErrorName(code)))")
        }
    }

    static func compress(_ input: UnsafeRawBufferPointer, level: Int32) throws(AGError) -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw AGError(.noMemory, "zstd could not start a compression context") }
        defer { ZSTD_freeCCtx(context) }
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let produced = output.withUnsafeMutableBytes { out in
            ZSTD_compress2(context, out.baseAddress, bound, input.baseAddress, input.count)
        }
        try check(produced)
        output.removeLast(bound - produced)
        return output
    }
}
