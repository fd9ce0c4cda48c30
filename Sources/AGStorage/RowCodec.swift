import AGCodec
import AGCore
import AGJSON
import AGState

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
        let plain = try sealer.open(row, store: store, version: version, kind: kind)
        do throws(AGError) {
            let envelope = try plain.withUnsafeBytes { raw in Result { () throws(AGError) in try Envelope(reading: raw) } }.get()
            return try envelope.unpack(maxSize: Int.max)
        } catch {
            let what = kind == RowFormat.checkpoint ? "checkpoint" : "change"
            throw AGError(.corruptData, "the \(what) of store \"\(store)\" at version \(version) is damaged: \(error.message)")
        }
    }

    func encodeChange(_ operations: [PatchOperation], store: String, version: UInt64) throws(AGError) -> [UInt8] {
        try encode(json: JSONSerializer.serialize(JSONPatch(operations).json), store: store, version: version, kind: RowFormat.change)
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
