import AGCodec
import AGJSON
import AGState

// Compression (include/agstate.h).

let compressors = HandleTable<Compressor>(kind: 0x5E, name: "compressor")
let decompressors = HandleTable<Decompressor>(kind: 0x5F, name: "decompressor")
let flushFlag: UInt32 = 0x800
let envelopeJSONFlag: UInt32 = 0x400

func maxSize(_ value: Int) -> Int { value < 0 ? Int.max : value } // a size_t beyond Int.max means "no bound"

@_cdecl("ags_compress")
public func ags_compress(_ codec: Int32, _ level: Int32, _ data: CText, _ length: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let input = try bytes(data, length, "the data")
        try write(bytes: try Compression.compress(input, codec: try Codec(id: codec), level: level), out, outLength)
    }
}

@_cdecl("ags_decompress")
public func ags_decompress(_ codec: Int32, _ data: CText, _ length: Int, _ limit: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let input = try bytes(data, length, "the data")
        try write(bytes: try Compression.decompress(input, codec: try Codec(id: codec), maxSize: maxSize(limit)), out, outLength)
    }
}

@_cdecl("ags_compressor_open")
public func ags_compressor_open(_ codec: Int32, _ level: Int32, _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let handle = try require(handle, "compressor")
        handle.pointee = try compressors.insert(try Compressor(codec: try Codec(id: codec), level: level))
    }
}

@_cdecl("ags_compressor_write")
public func ags_compressor_write(_ handle: OpaquePointer?, _ data: CText, _ length: Int, _ flags: UInt32,
                                 _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        guard flags & ~flushFlag == 0 else { throw AGError(.invalidArgument, "unknown flags 0x\(String(flags & ~flushFlag, radix: 16))") }
        let compressor = try compressors.object(handle)
        try write(bytes: try compressor.write(try bytes(data, length, "the data"), flush: flags & flushFlag != 0), out, outLength)
    }
}

@_cdecl("ags_compressor_finish")
public func ags_compressor_finish(_ handle: OpaquePointer?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        try write(bytes: try compressors.object(handle).finish(), out, outLength)
    }
}

@_cdecl("ags_compressor_close")
public func ags_compressor_close(_ handle: OpaquePointer?) { compressors.remove(handle) }

@_cdecl("ags_decompressor_open")
public func ags_decompressor_open(_ codec: Int32, _ limit: Int, _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run { () throws(AGError) in
        let handle = try require(handle, "decompressor")
        handle.pointee = try decompressors.insert(try Decompressor(codec: try Codec(id: codec), maxSize: maxSize(limit)))
    }
}

@_cdecl("ags_decompressor_write")
public func ags_decompressor_write(_ handle: OpaquePointer?, _ data: CText, _ length: Int, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let decompressor = try decompressors.object(handle)
        try write(bytes: try decompressor.write(try bytes(data, length, "the data")), out, outLength)
    }
}

@_cdecl("ags_decompressor_finish")
public func ags_decompressor_finish(_ handle: OpaquePointer?) -> Int32 {
    run { () throws(AGError) in try decompressors.object(handle).finish() }
}

@_cdecl("ags_decompressor_close")
public func ags_decompressor_close(_ handle: OpaquePointer?) { decompressors.remove(handle) }

@_cdecl("ags_pack")
public func ags_pack(_ codec: Int32, _ level: Int32, _ threshold: Int, _ data: CText, _ length: Int, _ flags: UInt32,
                     _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        guard flags & ~envelopeJSONFlag == 0 else { throw AGError(.invalidArgument, "unknown flags 0x\(String(flags & ~envelopeJSONFlag, radix: 16))") }
        let envelope = try Envelope.pack(try bytes(data, length, "the data"), codec: try Codec(id: codec), level: level,
                                         threshold: maxSize(threshold))
        try write(bytes: flags & envelopeJSONFlag != 0 ? JSONSerializer.serialize(envelope.json) : envelope.bytes, out, outLength)
    }
}

@_cdecl("ags_unpack")
public func ags_unpack(_ data: CText, _ length: Int, _ limit: Int, _ codec: UnsafeMutablePointer<Int32>?,
                       _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let envelope = try Envelope(reading: try bytes(data, length, "the envelope"))
        try write(bytes: try envelope.unpack(maxSize: maxSize(limit)), out, outLength)
        codec?.pointee = envelope.codec.rawValue
    }
}

@_cdecl("ags_codec_stats")
public func ags_codec_stats(_ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        try write(CodecStatistics.shared.json, .compact, try require(out, "out"), outLength)
    }
}

@_cdecl("ags_codec_stats_reset")
public func ags_codec_stats_reset() { CodecStatistics.shared.reset() }
