import AGCore
import AGJSON

/// Bytes in and out per codec, for compression and decompression, since the process started (or the last
/// reset). Updated once per call or stream, not per byte.
public final class CodecStatistics: @unchecked Sendable {
    public struct Counters: Sendable, Equatable {
        public var compressIn = 0, compressOut = 0, decompressIn = 0, decompressOut = 0
    }

    public static let shared = CodecStatistics()
    private let lock = Lock()
    private var counters: [Codec: Counters] = [:]

    func record(_ codec: Codec, compressed input: Int, into output: Int) {
        lock.withLock {
            counters[codec, default: Counters()].compressIn += input
            counters[codec, default: Counters()].compressOut += output
        }
    }

    func record(_ codec: Codec, decompressed input: Int, into output: Int) {
        lock.withLock {
            counters[codec, default: Counters()].decompressIn += input
            counters[codec, default: Counters()].decompressOut += output
        }
    }

    public func counters(for codec: Codec) -> Counters { lock.withLock { counters[codec] ?? Counters() } }

    public func reset() { lock.withLock { counters.removeAll() } }

    /// `{"gzip":{"compress":{"in":N,"out":N,"ratio":R},"decompress":{...}}, ...}`, ratio = in / out
    /// (for compression: how many times smaller the output is).
    public var json: JSONValue {
        var all = JSONObject()
        for codec in Codec.allCases where codec != .identity {
            let c = counters(for: codec)
            func part(_ inBytes: Int, _ outBytes: Int, ratio: Double) -> JSONValue {
                var o = JSONObject()
                o["in"] = .int(Int64(inBytes))
                o["out"] = .int(Int64(outBytes))
                o["ratio"] = .double(ratio)
                return .object(o)
            }
            var entry = JSONObject()
            entry["compress"] = part(c.compressIn, c.compressOut, ratio: c.compressOut > 0 ? Double(c.compressIn) / Double(c.compressOut) : 0)
            entry["decompress"] = part(c.decompressIn, c.decompressOut, ratio: c.decompressIn > 0 ? Double(c.decompressOut) / Double(c.decompressIn) : 0)
            all[codec.name] = .object(entry)
        }
        return .object(all)
    }
}
