import AGCore

/// A compression format. The raw values are the C ABI's `AGS_CODEC_*`.
public enum Codec: Int32, Sendable, CaseIterable {
    /// No compression (used by the envelope for data not worth compressing).
    case identity = 0
    /// gzip (RFC 1952) through zlib.
    case gzip = 1
    /// zlib (RFC 1950) through zlib.
    case zlib = 2
    /// Raw deflate (RFC 1951) through zlib: no header, no checksum.
    case deflate = 3
    /// Zstandard (RFC 8878) through libzstd, with its content checksum.
    case zstd = 4

    public var name: String {
        switch self {
        case .identity: return "identity"
        case .gzip: return "gzip"
        case .zlib: return "zlib"
        case .deflate: return "deflate"
        case .zstd: return "zstd"
        }
    }

    public init(name: String) throws(AGError) {
        guard let codec = Codec.allCases.first(where: { $0.name == name }) else {
            throw AGError(.invalidArgument, "unknown codec \"\(name)\" (gzip, zlib, deflate, zstd)")
        }
        self = codec
    }

    public init(id: Int32) throws(AGError) {
        guard let codec = Codec(rawValue: id) else { throw AGError(.invalidArgument, "unknown codec id \(id)") }
        self = codec
    }

    /// The level used when the caller gives 0: 6 for the zlib formats, 3 for zstd.
    public var defaultLevel: Int32 { self == .zstd ? 3 : 6 }

    /// Checks a level: 1 to 9 for the zlib formats, zstd's own range (negative fast levels to 22) for zstd.
    /// 0 means the default level.
    public func resolveLevel(_ level: Int32) throws(AGError) -> Int32 {
        if level == 0 { return defaultLevel }
        switch self {
        case .identity: return 0
        case .gzip, .zlib, .deflate:
            guard (1...9).contains(level) else {
                throw AGError(.invalidArgument, "\(name) levels are 1 to 9 (0 for the default, 6), not \(level)")
            }
        case .zstd:
            let range = ZstdCodec.levels
            guard range.contains(level) else {
                throw AGError(.invalidArgument, "zstd levels are \(range.lowerBound) to \(range.upperBound) (0 for the default, 3), not \(level)")
            }
        }
        return level
    }

    /// The codec whose framing `bytes` starts with, when it has one (raw deflate has none).
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> Codec? {
        guard bytes.count >= 2 else { return nil }
        if bytes[0] == 0x1F && bytes[1] == 0x8B { return .gzip }
        if bytes.count >= 4 && bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD { return .zstd }
        if bytes[0] & 0x0F == 8 && (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 { return .zlib }
        return nil
    }

    /// Fails unless `bytes` starts like this codec's data, naming what it looks like instead.
    func checkFraming(_ bytes: UnsafeRawBufferPointer) throws(AGError) {
        guard self == .gzip || self == .zlib || self == .zstd, !bytes.isEmpty else { return }
        let found = Codec.sniff(bytes)
        if found == self { return }
        if bytes.count < 2 || (self == .zstd && bytes.count < 4 && found == nil) {
            throw AGError(.corruptData, "\(name) data is truncated (only \(bytes.count) bytes)")
        }
        let looks = found.map { "it looks like \($0.name) data" } ?? "its first bytes match no known codec"
        throw AGError(.corruptData, "not \(name) data: \(looks)")
    }
}

/// Compression and decompression over one codec, one-shot or in pieces.
public enum Compression {
    /// Compresses `input` at `level` (0 for the codec's default).
    public static func compress(_ input: UnsafeRawBufferPointer, codec: Codec, level: Int32 = 0) throws(AGError) -> [UInt8] {
        let level = try codec.resolveLevel(level)
        let start = monotonicNanoseconds()
        let output: [UInt8]
        switch codec {
        case .identity: output = Array(input)
        case .gzip, .zlib, .deflate: output = try ZlibCodec.compress(input, codec: codec, level: level)
        case .zstd: output = try ZstdCodec.compress(input, level: level)
        }
        ProcessMetrics.compressionLatency.observe(nanoseconds: monotonicNanoseconds() &- start)
        CodecStatistics.shared.record(codec, compressed: input.count, into: output.count)
        return output
    }

    /// Decompresses `input`, failing with `limitExceeded` as soon as the output would pass `maxSize` bytes,
    /// without allocating beyond it. Truncated input, a bad checksum, trailing bytes and data of another
    /// codec fail with `corruptData`, each with its own message.
    public static func decompress(_ input: UnsafeRawBufferPointer, codec: Codec, maxSize: Int) throws(AGError) -> [UInt8] {
        guard maxSize >= 0 else { throw AGError(.invalidArgument, "the maximum size must not be negative") }
        let start = monotonicNanoseconds()
        defer { ProcessMetrics.decompressionLatency.observe(nanoseconds: monotonicNanoseconds() &- start) }
        let output: [UInt8]
        switch codec {
        case .identity:
            guard input.count <= maxSize else { throw Compression.tooLarge(maxSize) }
            output = Array(input)
        case .gzip, .zlib, .deflate, .zstd:
            let stream = try Decompressor(codec: codec, maxSize: maxSize)
            output = try stream.write(input)
            try stream.finish()
        }
        return output
    }

    static func tooLarge(_ maxSize: Int) -> AGError {
        AGError(.limitExceeded, "the decompressed data is larger than the limit of \(maxSize) bytes")
    }
}
