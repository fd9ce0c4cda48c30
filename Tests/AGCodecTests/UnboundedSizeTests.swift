import Testing
import AGJSON
@testable import AGCodec

/// `Int.max` as the most output means "no bound": the room left under it plus the byte that notices an
/// overflow must not be computed past `Int.max`, one-shot or streaming, and an envelope whose size field
/// claims as much must fail as damaged, not trap.
@Suite struct UnboundedSizeTests {
    @Test(arguments: allCodecs + [.identity])
    func oneShotWithNoBound(codec: Codec) throws {
        for (name, input) in Inputs.small {
            let packed = try compress(input, codec)
            #expect(try decompress(packed, codec, max: Int.max) == input, "\(name)")
        }
    }

    @Test(arguments: allCodecs + [.identity])
    func streamingWithNoBound(codec: Codec) throws {
        let input = Inputs.json(300_000)
        let packed = try compress(input, codec)
        let decompressor = try Decompressor(codec: codec, maxSize: Int.max)
        var output: [UInt8] = []
        for start in stride(from: 0, to: packed.count, by: 4_099) {
            output += try packed[start..<min(packed.count, start + 4_099)].withUnsafeBytes { try decompressor.write($0) }
        }
        try decompressor.finish()
        #expect(output == input)
    }

    @Test(arguments: allCodecs + [.identity])
    func anEnvelopeClaimingTheLargestSize(codec: Codec) throws {
        let data = Inputs.json(5_000)
        var envelope = try data.withUnsafeBytes { try Envelope.pack($0, codec: codec, threshold: 0) }
        envelope.originalSize = Int.max
        let binary = envelope.bytes
        let read = try binary.withUnsafeBytes { try Envelope(reading: $0) }
        #expect(read.originalSize == Int.max)
        do {
            _ = try read.unpack(maxSize: Int.max)
            Issue.record("a size field of 2^63-1 was believed")
        } catch {
            #expect(error.code == .corruptData)
        }
        do {
            _ = try read.unpack(maxSize: 1 << 20)
            Issue.record("the limit was ignored")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    /// A payload giving more than its envelope claims is damage, not the caller's limit passed.
    @Test(arguments: allCodecs + [.identity])
    func aPayloadLargerThanItsClaimIsDamage(codec: Codec) throws {
        let data = Inputs.json(5_000)
        var envelope = try data.withUnsafeBytes { try Envelope.pack($0, codec: codec, threshold: 0) }
        envelope.originalSize -= 1
        do {
            _ = try envelope.unpack(maxSize: Int.max)
            Issue.record("a payload larger than its claim was accepted")
        } catch {
            #expect(error.code == .corruptData, "\(error)")
        }
    }
}
