import AGCore
import AGJSON
import CZlib
import CZstd

/// A compressed event or delta that a receiver can recognise without guessing: which codec, the original
/// size, a checksum, then the bytes.
///
/// Binary form (all integers little-endian):
///
///     offset  size  field
///     0       4     magic "AGSE"
///     4       1     format version, 1
///     5       1     codec: 0 identity (stored), 1 gzip, 2 zlib, 3 deflate, 4 zstd
///     6       2     reserved, 0
///     8       8     original size in bytes
///     16      4     CRC-32 (ISO-HDLC, as zlib's crc32) of the original bytes
///     20      ...   the payload: the original bytes compressed with the codec (or as they are)
///
/// JSON form, for transports that carry text:
/// `{"envelope":"agstate/1","codec":"gzip","size":1234,"crc32":"8a9136aa","data":"<base64 payload>"}`.
public struct Envelope: Sendable, Equatable {
    public var codec: Codec
    public var originalSize: Int
    public var crc32: UInt32
    public var payload: [UInt8]

    public static let magic: [UInt8] = Array("AGSE".utf8)
    public static let headerSize = 20
    /// Data smaller than this is stored as it is.
    public static let defaultThreshold = 1024

    /// Packs `data`: compressed with `codec` when it is at least `threshold` bytes and compression saves
    /// bytes, otherwise stored (codec identity).
    public static func pack(_ data: UnsafeRawBufferPointer, codec: Codec, level: Int32 = 0,
                            threshold: Int = defaultThreshold) throws(AGError) -> Envelope {
        let checksum = crc(data)
        if codec != .identity && data.count >= threshold {
            let compressed = try Compression.compress(data, codec: codec, level: level)
            if compressed.count < data.count {
                return Envelope(codec: codec, originalSize: data.count, crc32: checksum, payload: compressed)
            }
        }
        return Envelope(codec: .identity, originalSize: data.count, crc32: checksum, payload: Array(data))
    }

    /// The original bytes, checked against the recorded size and checksum. `maxSize` bounds the output
    /// before any decompression starts (the recorded size is checked against it) and during it.
    /// `verifyingCRC` false skips the CRC-32 only: for a caller that has checked the bytes another way
    /// (an authenticated cipher's tag over the envelope), or whose payload checks itself
    /// (`carriesOwnChecksum`).
    public func unpack(maxSize: Int, verifyingCRC: Bool = true) throws(AGError) -> [UInt8] {
        guard originalSize <= maxSize else { throw Compression.tooLarge(maxSize) }
        let result = payload.withUnsafeBytes { raw in
            Result { () throws(AGError) in try Compression.decompress(raw, codec: codec, maxSize: originalSize) }
        }
        let data: [UInt8]
        do {
            data = try result.get()
        } catch where error.code == .limitExceeded {
            // The bound there is the envelope's own claim, within the caller's: the payload is damaged.
            throw AGError(.corruptData, "the payload gives more than the \(originalSize) bytes the envelope says")
        }
        guard data.count == originalSize else {
            throw AGError(.corruptData, "the envelope says \(originalSize) bytes, the payload gives \(data.count)")
        }
        guard verifyingCRC else { return data }
        let actual = data.withUnsafeBytes { Envelope.crc($0) }
        guard actual == crc32 else {
            throw AGError(.corruptData, "envelope checksum mismatch: the data is damaged")
        }
        return data
    }

    /// Whether decompressing the payload verifies the original bytes by itself: one zstd frame (as
    /// `Compression` writes it) with its content checksum, which zstd checks at the frame's end and
    /// reports as damaged data. Then the CRC-32 is a second pass over the same bytes.
    public var carriesOwnChecksum: Bool {
        guard codec == .zstd else { return false }
        return payload.withUnsafeBytes { raw in
            // Magic number 0xFD2FB528, then the frame header descriptor, whose bit 2 is the checksum flag.
            guard raw.count >= 5, raw[0] == 0x28, raw[1] == 0xB5, raw[2] == 0x2F, raw[3] == 0xFD, raw[4] & 0x04 != 0 else {
                return false
            }
            let frame = ZSTD_findFrameCompressedSize(raw.baseAddress, raw.count)
            return ZSTD_isError(frame) == 0 && frame == raw.count
        }
    }

    /// How many times smaller the payload is than the original (1 when stored).
    public var ratio: Double { payload.isEmpty ? 1 : Double(originalSize) / Double(payload.count) }

    static func crc(_ data: UnsafeRawBufferPointer) -> UInt32 {
        var value = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < data.count {
            let n = min(data.count - offset, Int(UInt32.max))
            value = CZlib.crc32(value, data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: value)
    }

    // MARK: binary form

    public var bytes: [UInt8] {
        var out = Envelope.magic + [1, UInt8(codec.rawValue), 0, 0]
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(originalSize) >> (8 * UInt64(i)))) }
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: crc32 >> (8 * UInt32(i)))) }
        return out + payload
    }

    public init(codec: Codec, originalSize: Int, crc32: UInt32, payload: [UInt8]) {
        self.codec = codec
        self.originalSize = originalSize
        self.crc32 = crc32
        self.payload = payload
    }

    /// Reads an envelope in either form: JSON when it starts with `{`, binary otherwise.
    public init(reading data: UnsafeRawBufferPointer) throws(AGError) {
        if data.first == UInt8(ascii: "{") {
            try self.init(json: try JSONParser.parse(data))
            return
        }
        guard data.count >= Envelope.headerSize, Array(data[0..<4]) == Envelope.magic else {
            throw AGError(.corruptData, "not an agstate envelope (no \"AGSE\" header)")
        }
        guard data[4] == 1 else { throw AGError(.corruptData, "envelope format version \(data[4]) is not supported (1 is)") }
        guard let codec = Codec(rawValue: Int32(data[5])) else { throw AGError(.corruptData, "unknown codec id \(data[5]) in the envelope") }
        var size: UInt64 = 0
        for i in 0..<8 { size |= UInt64(data[8 + i]) << (8 * UInt64(i)) }
        var checksum: UInt32 = 0
        for i in 0..<4 { checksum |= UInt32(data[16 + i]) << (8 * UInt32(i)) }
        guard size <= UInt64(Int.max) else { throw AGError(.corruptData, "the envelope's size field is out of range") }
        self.init(codec: codec, originalSize: Int(size), crc32: checksum, payload: Array(data[Envelope.headerSize...]))
    }

    // MARK: JSON form

    public var json: JSONValue {
        var o = JSONObject()
        o["envelope"] = "agstate/1"
        o["codec"] = .string(codec.name)
        o["size"] = .int(Int64(originalSize))
        let hex = String(crc32, radix: 16)
        o["crc32"] = .string(String(repeating: "0", count: 8 - hex.count) + hex)
        o["data"] = .string(Base64.encode(payload))
        return .object(o)
    }

    public init(json value: JSONValue) throws(AGError) {
        func bad(_ what: String) -> AGError { AGError(.corruptData, "not an agstate envelope: \(what)") }
        guard case .object(let o) = value, o["envelope"] == "agstate/1" else { throw bad("no \"envelope\":\"agstate/1\"") }
        guard case .string(let codecName)? = o["codec"] else { throw bad("no \"codec\"") }
        guard case .number(let sizeNumber)? = o["size"], let size = sizeNumber.int64Value, size >= 0 else { throw bad("no valid \"size\"") }
        guard case .string(let hex)? = o["crc32"], hex.utf8.count == 8, let checksum = UInt32(hex, radix: 16) else {
            throw bad("no valid \"crc32\" (8 hex digits)")
        }
        guard case .string(let data)? = o["data"], let payload = Base64.decode(data) else { throw bad("no valid base64 \"data\"") }
        let codec: Codec
        do { codec = try Codec(name: codecName) } catch { throw bad("unknown codec \"\(codecName)\"") }
        self.init(codec: codec, originalSize: Int(size), crc32: checksum, payload: payload)
    }
}
