import AGCodec
import AGJSON
import AGState
import CAgstateHeader

// Compression (include/agstate.h).

let compressors = HandleTable<Compressor>(kind: 0x5E, name: "compressor")
let decompressors = HandleTable<Decompressor>(kind: 0x5F, name: "decompressor")
let flushFlag = AGS_FLUSH.rawValue
let envelopeJSONFlag = AGS_ENVELOPE_JSON.rawValue
let defaultPackOptions = ags_pack_options(version: UInt32(AGS_PACK_OPTIONS_VERSION), codec: AGS_CODEC_GZIP, level: 0,
                                          threshold: Int(AGS_ENVELOPE_THRESHOLD), flags: 0)

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
        try checkFlags(flags, flushFlag)
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

@_cdecl("ags_pack_options_init")
public func ags_pack_options_init(_ options: UnsafeMutablePointer<ags_pack_options>?, _ version: UInt32) -> Int32 {
    initOptions(options, version, defaultPackOptions, current: AGS_PACK_OPTIONS_VERSION, "ags_pack_options")
}

@_cdecl("ags_pack")
public func ags_pack(_ data: CText, _ length: Int, _ options: UnsafePointer<ags_pack_options>?, _ out: COut, _ outLength: COutLen) -> Int32 {
    run { () throws(AGError) in
        let out = try require(out, "out")
        let raw = try readOptions(options, defaultPackOptions, current: AGS_PACK_OPTIONS_VERSION, "ags_pack_options")
        try checkFlags(raw.flags, envelopeJSONFlag)
        let envelope = try Envelope.pack(try bytes(data, length, "the data"), codec: try Codec(id: raw.codec), level: raw.level,
                                         threshold: maxSize(raw.threshold))
        try write(bytes: raw.flags & envelopeJSONFlag != 0 ? JSONSerializer.serialize(envelope.json) : envelope.bytes, out, outLength)
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
