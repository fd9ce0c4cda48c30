import AGCore
import CSodium

/// Encryption at rest: XChaCha20-Poly1305 (libsodium) over each stored row, with the store id, the
/// version and the kind of row as associated data, so that a row moved to another store, another version
/// or another table no longer opens.
///
/// Sealed row: byte 0 = 2, bytes 1...4 the key id (little-endian), 5...28 a random nonce, then the
/// ciphertext and its 16-byte tag. A row in the clear starts with byte 1 (see `RowFormat`).
struct RowSealer: Sendable {
    let current: StorageKey?
    let keys: [UInt32: StorageKey]

    static let nonceSize = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    static let tagSize = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
    static let headerSize = 1 + 4 + nonceSize

    init(current: StorageKey?, old: [StorageKey]) throws(AGError) {
        guard sodium_init() >= 0 else { throw AGError(.internal, "libsodium failed to initialise") }
        self.current = current
        var keys: [UInt32: StorageKey] = [:]
        for key in old { keys[key.id] = key }
        if let current { keys[current.id] = current }
        self.keys = keys
    }

    static func associatedData(store: String, version: UInt64, kind: UInt8) -> [UInt8] {
        var data = Array("agstate/row/1".utf8) + [kind]
        data += Array(store.utf8)
        data.append(0)
        for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: version >> (8 * UInt64(i)))) }
        return data
    }

    /// `plain` sealed with the current key; `plain` as it is (after the marker byte) when there is none.
    func seal(_ plain: [UInt8], store: String, version: UInt64, kind: UInt8) -> [UInt8] {
        guard let key = current else { return [RowFormat.clear] + plain }
        let ad = RowSealer.associatedData(store: store, version: version, kind: kind)
        var out = [UInt8](repeating: 0, count: RowSealer.headerSize + plain.count + RowSealer.tagSize)
        out[0] = RowFormat.sealed
        for i in 0..<4 { out[1 + i] = UInt8(truncatingIfNeeded: key.id >> (8 * UInt32(i))) }
        out.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            randombytes_buf(base + 5, RowSealer.nonceSize)
            var written: UInt64 = 0
            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(base + RowSealer.headerSize, &written, plain, UInt64(plain.count),
                                                           ad, UInt64(ad.count), nil, base + 5, key.bytes)
        }
        return out
    }

    /// The plain bytes of a stored row; `corruptData` naming the store and version when the row is cut,
    /// damaged, sealed with an unknown key or with another key, or moved from elsewhere.
    func open(_ row: [UInt8], store: String, version: UInt64, kind: UInt8) throws(AGError) -> [UInt8] {
        let what = kind == RowFormat.backup ? "the backup"
            : "the \(kind == RowFormat.checkpoint ? "checkpoint" : "change") of store \"\(store)\" at version \(version)"
        guard let format = row.first else { throw AGError(.corruptData, "\(what) is empty") }
        if format == RowFormat.clear {
            // With a current key every row is written sealed: one in the clear could only have been put
            // there from outside. (With old keys only, rows are written in the clear, and read back.)
            guard current == nil else { throw AGError(.corruptData, "\(what) is stored in the clear, but this storage is encrypted") }
            return Array(row.dropFirst())
        }
        guard !keys.isEmpty else { throw AGError(.corruptData, "\(what) is encrypted, and no key was given") }
        guard format == RowFormat.sealed else { throw AGError(.corruptData, "\(what) has an unknown row format \(format)") }
        guard row.count >= RowSealer.headerSize + RowSealer.tagSize else { throw AGError(.corruptData, "\(what) is truncated") }
        var id: UInt32 = 0
        for i in 0..<4 { id |= UInt32(row[1 + i]) << (8 * UInt32(i)) }
        guard let key = keys[id] else {
            throw AGError(.corruptData, "\(what) is encrypted with key id \(id), which was not given")
        }
        let ad = RowSealer.associatedData(store: store, version: version, kind: kind)
        let cipherCount = row.count - RowSealer.headerSize
        var plain = [UInt8](repeating: 0, count: cipherCount - RowSealer.tagSize)
        var written: UInt64 = 0
        let status = row.withUnsafeBytes { raw -> Int32 in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return plain.withUnsafeMutableBufferPointer { out in
                crypto_aead_xchacha20poly1305_ietf_decrypt(out.baseAddress, &written, nil, base + RowSealer.headerSize,
                                                           UInt64(cipherCount), ad, UInt64(ad.count), base + 5, key.bytes)
            }
        }
        guard status == 0 else {
            throw AGError(.corruptData, "\(what) does not decrypt with key id \(id): a wrong key, or the row was tampered with, truncated or moved")
        }
        return plain
    }
}

/// The first byte of a stored row, and the kinds of rows (associated data).
enum RowFormat {
    static let clear: UInt8 = 1
    static let sealed: UInt8 = 2
    static let change: UInt8 = 0x43 // "C"
    static let checkpoint: UInt8 = 0x4B // "K"
    static let backup: UInt8 = 0x42 // "B"
}
