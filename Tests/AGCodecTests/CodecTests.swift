import Testing
import AGJSON
@testable import AGCodec

func compress(_ data: [UInt8], _ codec: Codec, _ level: Int32 = 0) throws -> [UInt8] {
    try data.withUnsafeBytes { try Compression.compress($0, codec: codec, level: level) }
}

func decompress(_ data: [UInt8], _ codec: Codec, max: Int = 1 << 30) throws(AGError) -> [UInt8] {
    let result = data.withUnsafeBytes { raw in Result { () throws(AGError) in try Compression.decompress(raw, codec: codec, maxSize: max) } }
    return try result.get()
}

/// Deterministic inputs: empty, tiny, compressible JSON-like text, incompressible bytes.
enum Inputs {
    static func json(_ size: Int) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while out.count < size {
            out += Array("{\"id\":\(i),\"name\":\"item \(i)\",\"tags\":[\"a\",\"b\"],\"done\":\(i % 2 == 0)},".utf8)
            i += 1
        }
        return Array(out.prefix(size))
    }

    static func random(_ size: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<size).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static let small: [(String, [UInt8])] = [("empty", []), ("tiny", Array("a".utf8)), ("json", json(50_000)),
                                             ("incompressible", random(20_000))]
}

let zlibCodecs: [Codec] = [.gzip, .zlib, .deflate]
let allCodecs: [Codec] = [.gzip, .zlib, .deflate, .zstd]

@Suite struct RoundTripTests {
    @Test(arguments: zlibCodecs)
    func everyZlibLevel(codec: Codec) throws {
        for level in Int32(1)...9 {
            for (name, input) in Inputs.small {
                let packed = try compress(input, codec, level)
                #expect(try decompress(packed, codec) == input, "\(codec.name) level \(level) \(name)")
            }
        }
    }

    /// zstd's levels: 1 to its maximum (22), and its fast negative levels, sampled down to the minimum
    /// (-131072: the negative range is too long to try level by level).
    @Test func everyZstdLevel() throws {
        let levels = [ZstdCodec.levels.lowerBound, -1000, -50, -5, -1] + Array(1...ZstdCodec.levels.upperBound)
        for level in levels {
            for (name, input) in Inputs.small {
                let packed = try compress(input, .zstd, level)
                #expect(try decompress(packed, .zstd) == input, "zstd level \(level) \(name)")
            }
        }
    }

    /// Tens of MB, at the lowest, default and highest zlib levels and at zstd levels up to 12 (zstd's
    /// highest levels take tens of seconds on such input; they are covered on the smaller inputs above).
    @Test(arguments: [(Codec.gzip, Int32(1)), (.gzip, 6), (.gzip, 9), (.zlib, 6), (.deflate, 6),
                      (.zstd, 1), (.zstd, 3), (.zstd, 12), (.zstd, -5)])
    func large(codec: Codec, level: Int32) throws {
        let input = Inputs.json(24 << 20)
        let packed = try compress(input, codec, level)
        #expect(packed.count < input.count / 5)
        #expect(try decompress(packed, codec) == input)
        let noise = Inputs.random(4 << 20, seed: 9)
        #expect(try decompress(try compress(noise, codec, level), codec) == noise)
    }

    @Test func badLevelsAndCodecs() {
        #expect(throws: AGError.self) { try compress([1], .gzip, 10) }
        #expect(throws: AGError.self) { try compress([1], .zlib, -1) }
        #expect(throws: AGError.self) { try compress([1], .zstd, 99) }
        #expect(throws: AGError.self) { try Codec(name: "brotli") }
        #expect((try? Codec(name: "zstd")) == .zstd)
    }
}

@Suite struct HostileInputTests {
    /// A few KB that expand past the limit: an error, with no output beyond the limit ever held.
    @Test(arguments: allCodecs)
    func decompressionBombs(codec: Codec) throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let bomb = try compress(zeros, codec, codec == .zstd ? 19 : 9)
        #expect(bomb.count < 80_000)
        do { _ = try decompress(bomb, codec, max: 1 << 20); Issue.record("bomb accepted") } catch {
            #expect(error.code == .limitExceeded)
        }
        #expect(try decompress(bomb, codec, max: 64 << 20).count == 64 << 20) // exactly at the limit is fine
        do { _ = try decompress(bomb, codec, max: (64 << 20) - 1); Issue.record("one byte over accepted") } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test(arguments: allCodecs)
    func truncatedAtEveryOffset(codec: Codec) throws {
        let input = Inputs.json(3000)
        let packed = try compress(input, codec)
        for cut in 0..<packed.count {
            do {
                _ = try decompress(Array(packed[0..<cut]), codec)
                Issue.record("\(codec.name) cut at \(cut) of \(packed.count) accepted")
            } catch {
                #expect(error.code == .corruptData, "\(codec.name) cut at \(cut): \(error.message)")
            }
        }
    }

    /// Every byte flipped: codecs with a checksum always notice (gzip's MTIME, XFL and OS header bytes are
    /// informational and are skipped; raw deflate has no checksum and is not checked here).
    @Test(arguments: [Codec.gzip, .zlib, .zstd])
    func flippedBytes(codec: Codec) throws {
        let input = Inputs.json(2000)
        let packed = try compress(input, codec)
        var unnoticed: [Int] = []
        for i in 0..<packed.count where !(codec == .gzip && (4...9).contains(i)) {
            var damaged = packed
            damaged[i] ^= 0x55
            if let out = try? decompress(damaged, codec), out == input || out != input {
                unnoticed.append(i)
            }
        }
        #expect(unnoticed.isEmpty, "\(codec.name): flips at \(unnoticed) not detected")
    }

    @Test func wrongCodecTrailingDataAndChecksums() throws {
        let input = Inputs.json(5000)
        let gz = try compress(input, .gzip), zs = try compress(input, .zstd), zl = try compress(input, .zlib)
        for (data, codec, words) in [(gz, Codec.zstd, "looks like gzip"), (zs, .gzip, "looks like zstd"),
                                     (gz, .zlib, "looks like gzip"), (zl, .gzip, "looks like zlib")] {
            do { _ = try decompress(data, codec); Issue.record("wrong codec accepted") } catch {
                #expect(error.code == .corruptData && error.message.contains(words), "\(error.message)")
            }
        }
        for (data, codec) in [(gz, Codec.gzip), (zs, .zstd), (zl, .zlib)] {
            do { _ = try decompress(data + [1, 2, 3, 4, 5], codec); Issue.record("trailing data accepted") } catch {
                #expect(error.code == .corruptData && error.message.contains("trailing"), "\(codec.name): \(error.message)")
            }
        }
        var badCRC = gz
        badCRC[gz.count - 6] ^= 1 // inside the CRC-32 trailer
        do { _ = try decompress(badCRC, .gzip); Issue.record("bad checksum accepted") } catch {
            #expect(error.message.contains("checksum"), "\(error.message)")
        }
        // Concatenated gzip members read as one stream, as gzip -d reads them.
        #expect(try decompress(gz + gz, .gzip) == input + input)
        #expect(try decompress(zs + zs, .zstd) == input + input)
        do { _ = try decompress([], .gzip); Issue.record("empty accepted") } catch { #expect(error.code == .corruptData) }
    }
}

@Suite struct StreamTests {
    /// Each event written with a flush is decodable by itself, as soon as it is sent.
    @Test(arguments: allCodecs)
    func flushedEventsDecodeOneByOne(codec: Codec) throws {
        let compressor = try Compressor(codec: codec, level: 0)
        let decompressor = try Decompressor(codec: codec, maxSize: 1 << 20)
        for i in 0..<50 {
            let event = Array("data: {\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m\",\"delta\":\"part \(i) \(String(repeating: "x", count: i * 13))\"}\n\n".utf8)
            let wire = try event.withUnsafeBytes { try compressor.write($0, flush: true) }
            let decoded = try wire.withUnsafeBytes { try decompressor.write($0) }
            #expect(decoded == event, "event \(i)")
        }
        let tail = try compressor.finish()
        #expect(try tail.withUnsafeBytes { try decompressor.write($0) }.isEmpty)
        try decompressor.finish()
        #expect(throws: AGError.self) { try compressor.finish() }
    }

    @Test(arguments: allCodecs)
    func piecesOfAnySize(codec: Codec) throws {
        let input = Inputs.json(200_000)
        let compressor = try Compressor(codec: codec)
        var packed: [UInt8] = []
        var offset = 0, step = 1
        while offset < input.count {
            let end = min(input.count, offset + step)
            packed += try input[offset..<end].withUnsafeBytes { try compressor.write($0) }
            offset = end
            step = step * 3 % 10_007 + 1
        }
        packed += try compressor.finish()
        let decompressor = try Decompressor(codec: codec, maxSize: input.count)
        var output: [UInt8] = []
        for start in stride(from: 0, to: packed.count, by: 777) {
            output += try packed[start..<min(packed.count, start + 777)].withUnsafeBytes { try decompressor.write($0) }
        }
        try decompressor.finish()
        #expect(output == input)
    }
}

@Suite struct EnvelopeTests {
    @Test func packsOnlyWhatIsWorthIt() throws {
        let big = Inputs.json(10_000), small = Inputs.json(500), noise = Inputs.random(5000)
        let packedBig = try big.withUnsafeBytes { try Envelope.pack($0, codec: .gzip) }
        #expect(packedBig.codec == .gzip && packedBig.ratio > 3)
        #expect(try small.withUnsafeBytes { try Envelope.pack($0, codec: .gzip) }.codec == .identity)
        #expect(try noise.withUnsafeBytes { try Envelope.pack($0, codec: .zstd) }.codec == .identity)
        #expect(try small.withUnsafeBytes { try Envelope.pack($0, codec: .zstd, threshold: 0) }.codec == .zstd)
    }

    @Test(arguments: allCodecs)
    func bothFormsRoundTrip(codec: Codec) throws {
        let data = Inputs.json(8000)
        let envelope = try data.withUnsafeBytes { try Envelope.pack($0, codec: codec) }
        let binary = envelope.bytes
        #expect(Array(binary[0..<4]) == Array("AGSE".utf8))
        let read = try binary.withUnsafeBytes { try Envelope(reading: $0) }
        #expect(read == envelope)
        #expect(try read.unpack(maxSize: data.count) == data)
        let text = JSONSerializer.serialize(envelope.json)
        let fromText = try text.withUnsafeBytes { try Envelope(reading: $0) }
        #expect(fromText == envelope)
        #expect(try fromText.unpack(maxSize: 1 << 20) == data)
    }

    @Test func damageIsNoticed() throws {
        let data = Inputs.json(8000)
        let envelope = try data.withUnsafeBytes { try Envelope.pack($0, codec: .deflate) }
        var wrongCRC = envelope
        wrongCRC.crc32 ^= 1
        #expect(throws: AGError.self) { try wrongCRC.unpack(maxSize: 1 << 20) }
        var wrongSize = envelope
        wrongSize.originalSize -= 1
        #expect(throws: AGError.self) { try wrongSize.unpack(maxSize: 1 << 20) }
        do { _ = try envelope.unpack(maxSize: 100); Issue.record("limit ignored") } catch { #expect(error.code == .limitExceeded) }
        for junk in [[UInt8](), Array("AGSE".utf8), Array("XXXX0000000000000000000".utf8), Array("{\"envelope\":1}".utf8)] {
            #expect(throws: AGError.self) { try junk.withUnsafeBytes { try Envelope(reading: $0) } }
        }
    }

    @Test func base64() {
        for n in 0..<20 {
            let bytes = Inputs.random(n, seed: UInt64(n))
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!mFy") == nil)
        #expect(Base64.decode("Zm9") == nil)
    }
}
