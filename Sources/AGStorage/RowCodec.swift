import AGCodec
import AGCore
import AGJSON
import AGState
import CZlib

/// The bytes of stored rows: JSON text (a change's operations, or a whole state) in an envelope
/// (zstd once it is large enough to gain, with the original size and a CRC-32), sealed when a key is set.
struct RowCodec: Sendable {
    let sealer: RowSealer
    /// zstd level 1: a checkpoint is written in a commit's path, where speed matters more than size.
    static let level: Int32 = 1

    func encode(json: [UInt8], store: String, version: UInt64, kind: UInt8) throws(AGError) -> [UInt8] {
        let envelope = try json.withUnsafeBytes { raw in
            Result { () throws(AGError) in try Envelope.pack(raw, codec: .zstd, level: RowCodec.level) }
        }.get()
        return sealer.seal(envelope.bytes, store: store, version: version, kind: kind)
    }

    /// The JSON text of a row, checked (decryption, envelope size and CRC).
    func decode(_ row: [UInt8], store: String, version: UInt64, kind: UInt8) throws(AGError) -> [UInt8] {
        // A row in the clear is read where it is, past its format byte.
        if row.first == RowFormat.clear && sealer.current == nil {
            return try unpack(row, from: 1, authenticated: false, store: store, version: version, kind: kind)
        }
        let plain = try sealer.open(row, store: store, version: version, kind: kind)
        // A sealed row's tag has authenticated every byte of its envelope: the CRC would check them again.
        return try unpack(plain, from: 0, authenticated: row.first == RowFormat.sealed, store: store, version: version, kind: kind)
    }

    private func unpack(_ bytes: [UInt8], from offset: Int, authenticated: Bool, store: String, version: UInt64,
                        kind: UInt8) throws(AGError) -> [UInt8] {
        do throws(AGError) {
            return try RowCodec.unpack(bytes, from: offset, authenticated: authenticated)
        } catch {
            let what = kind == RowFormat.checkpoint ? "checkpoint" : "change"
            throw AGError(.corruptData, "the \(what) of store \"\(store)\" at version \(version) is damaged: \(error.message)")
        }
    }

    /// Calls `body` with the JSON text of a row given where it lies (SQLite's buffer), checked as `decode`
    /// checks it. The usual change row (in the clear, stored as it is) is read in place, not copied.
    func withDecoded<R>(_ row: UnsafeRawBufferPointer, store: String, version: UInt64, kind: UInt8,
                        _ body: (UnsafeRawBufferPointer) throws(AGError) -> R) throws(AGError) -> R {
        if row.first == RowFormat.clear && sealer.current == nil {
            let stored: UnsafeRawBufferPointer?
            do throws(AGError) {
                stored = try RowCodec.storedPayload(UnsafeRawBufferPointer(rebasing: row[1...]), authenticated: false)
            } catch {
                let what = kind == RowFormat.checkpoint ? "checkpoint" : "change"
                throw AGError(.corruptData, "the \(what) of store \"\(store)\" at version \(version) is damaged: \(error.message)")
            }
            if let stored { return try body(stored) }
        }
        let text = try decode(Array(row), store: store, version: version, kind: kind)
        return try text.withUnsafeBytes { raw in Result { () throws(AGError) -> R in try body(raw) } }.get()
    }

    /// The original bytes of the envelope in `bytes` from `offset`. Most rows are small changes stored as
    /// they are (codec identity): those are checked and copied once, in place; the others go through
    /// `Envelope`. One integrity check covers every row: the CRC-32, or instead of it the tag of a sealed
    /// row (`authenticated`) or zstd's own content checksum (a checkpoint: one pass over 2 MB, not two).
    static func unpack(_ bytes: [UInt8], from offset: Int, authenticated: Bool = false) throws(AGError) -> [UInt8] {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(AGError) -> [UInt8] in
                let data = UnsafeRawBufferPointer(rebasing: raw[min(offset, raw.count)...])
                if let stored = try storedPayload(data, authenticated: authenticated) { return Array(stored) }
                let envelope = try Envelope(reading: data)
                return try envelope.unpack(maxSize: Int.max, verifyingCRC: !authenticated && !envelope.carriesOwnChecksum)
            }
        }.get()
    }

    /// The payload of an envelope stored as it is (codec identity), checked against its size and (unless
    /// `authenticated`) its CRC-32, where it lies; nil for an envelope of another codec.
    static func storedPayload(_ data: UnsafeRawBufferPointer, authenticated: Bool) throws(AGError) -> UnsafeRawBufferPointer? {
        let header = Envelope.headerSize
        guard data.count >= header, data[0] == 0x41, data[1] == 0x47, data[2] == 0x53, data[3] == 0x45,
              data[4] == 1, data[5] == UInt8(Codec.identity.rawValue) else { return nil }
        var size: UInt64 = 0
        for i in 0..<8 { size |= UInt64(data[8 + i]) << (8 * UInt64(i)) }
        var expected: UInt32 = 0
        for i in 0..<4 { expected |= UInt32(data[16 + i]) << (8 * UInt32(i)) }
        let payload = UnsafeRawBufferPointer(rebasing: data[header...])
        guard size == UInt64(payload.count) else {
            throw AGError(.corruptData, "the envelope says \(size) bytes, the payload holds \(payload.count)")
        }
        if authenticated { return payload }
        let actual = payload.isEmpty ? UInt32(truncatingIfNeeded: crc32(0, nil, 0))
            : UInt32(truncatingIfNeeded: crc32(0, payload.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(payload.count)))
        guard actual == expected else { throw AGError(.corruptData, "envelope checksum mismatch: the data is damaged") }
        return payload
    }

    /// A change's row: its operations as a JSON Patch, or `{"author":..,"patch":[..]}` when it names its
    /// author (rows of either form are read: `ChangeRow`). The usual one (no author, small, no key) is made
    /// in one buffer, straight from the operations' text: the same bytes as the general way (an envelope
    /// stored as it is, behind the clear row's format byte), without its intermediate arrays.
    func encodeChange(_ operations: [PatchOperation], author: String? = nil, store: String, version: UInt64) throws(AGError) -> [UInt8] {
        if let author {
            return try encode(json: ChangeRow.text(operations, author: author), store: store, version: version, kind: RowFormat.change)
        }
        return try JSONSerializer.withSerialized(operations: operations) { (text) throws(AGError) -> [UInt8] in
            if sealer.current == nil && text.count < Envelope.defaultThreshold { return RowCodec.clearStoredRow(text) }
            return try encode(json: Array(text), store: store, version: version, kind: RowFormat.change)
        }
    }

    /// The row in the clear of `text` in an envelope stored as it is (codec identity, see `Envelope`).
    static func clearStoredRow(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let checksum = text.isEmpty ? UInt32(truncatingIfNeeded: crc32(0, nil, 0))
            : UInt32(truncatingIfNeeded: crc32(0, text.baseAddress!, uInt(text.count)))
        let header = 1 + Envelope.headerSize
        return [UInt8](unsafeUninitializedCapacity: header + text.count) { row, count in
            row[0] = RowFormat.clear
            row[1] = 0x41; row[2] = 0x47; row[3] = 0x53; row[4] = 0x45  // "AGSE"
            row[5] = 1
            row[6] = UInt8(Codec.identity.rawValue)
            row[7] = 0; row[8] = 0
            for i in 0..<8 { row[9 + i] = UInt8(truncatingIfNeeded: UInt64(text.count) >> (8 * UInt64(i))) }
            for i in 0..<4 { row[17 + i] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(i))) }
            if let base = text.baseAddress { (row.baseAddress! + header).initialize(from: base, count: text.count) }
            count = header + text.count
        }
    }

    func encodeState(_ state: JSONValue, store: String, version: UInt64) throws(AGError) -> [UInt8] {
        try encode(json: JSONSerializer.serialize(state), store: store, version: version, kind: RowFormat.checkpoint)
    }

    static func parse(_ text: [UInt8], _ what: @autoclosure () -> String, persistent: Bool = true) throws(AGError) -> JSONValue {
        do throws(AGError) {
            return try text.withUnsafeBytes { raw in
                Result { () throws(AGError) in
                    try JSONParser.parse(raw, options: ParseOptions(limits: DefaultLimits.current.json, persistentContainers: persistent))
                }
            }.get()
        } catch {
            throw AGError(.corruptData, "\(what()) is not valid JSON: \(error.message)")
        }
    }
}


/// The JSON of a change row: a JSON Patch, or an object with the patch and the change's author.
enum ChangeRow {
    static func text(_ operations: [PatchOperation], author: String?) -> [UInt8] {
        let patch = JSONPatch(operations).json
        guard let author else { return JSONSerializer.serialize(patch) }
        var o = JSONObject()
        o["author"] = .string(author)
        o["patch"] = patch
        return JSONSerializer.serialize(.object(o))
    }

    /// True when the row's text is the object form (it names an author).
    static func hasAuthor(_ text: [UInt8]) -> Bool {
        text.withUnsafeBytes { hasAuthor($0) }
    }

    static func hasAuthor(_ text: UnsafeRawBufferPointer) -> Bool {
        text.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{")
    }

    /// The patch and author of an object-form row.
    static func read(_ value: JSONValue) -> (patch: JSONValue, author: String?)? {
        guard case .object(let o) = value, let patch = o["patch"] else { return nil }
        if case .string(let author)? = o["author"] { return (patch, author) }
        return (patch, nil)
    }
}
