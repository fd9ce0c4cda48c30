#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGCore
@testable import AGJSON
import AGState
@testable import AGStorage

/// Reopening a store whose changes reach past its history bound: the older ones are applied to the
/// checkpoint read as a document read once, which then takes the store's form. The result must be the
/// state an in-memory store reaches with the same changes, with its history, and a store that goes on.
@Suite struct ReopenReplayTests {
    /// A state with a wide object and a long array (past both large thresholds) and small parts.
    static func initial() throws -> JSONValue {
        var s = #"{"items":{"#
        for i in 0..<400 { s += #""item\#(i)":{"price":\#(i),"tags":["a"]},"# }
        s.removeLast()
        s += #"},"list":["#
        for i in 0..<1_200 { s += "\(i)," }
        s.removeLast()
        return try json(s + #"],"meta":{"n":0}}"#)
    }

    /// The i-th change: replaces, adds and removes in the wide object, insertions and removals in the array.
    static func change(_ i: Int) throws -> JSONPatch {
        switch i % 5 {
        case 0: return try patch(#"[{"op":"replace","path":"/items/item\#(i % 400)/price","value":\#(i)}]"#)
        case 1: return try patch(#"[{"op":"add","path":"/items/added\#(i)","value":{"i":\#(i)}}]"#)
        case 2: return try patch(#"[{"op":"remove","path":"/items/added\#(i - 1)"}]"#)
        case 3: return try patch(#"[{"op":"add","path":"/list/\#(i % 100)","value":\#(i)},{"op":"remove","path":"/list/0"}]"#)
        default: return try patch(#"[{"op":"replace","path":"/meta/n","value":\#(i)},{"op":"add","path":"/items/item1/tags/-","value":\#(i)}]"#)
        }
    }

    @Test func changesBeforeTheHistoryWindow() throws {
        let url = "sqlite:\(temporaryDirectory())/db.sqlite"
        var options = StorageOptions()
        options.durability = .normal
        options.checkpointChanges = 10_000
        let limits = StoreLimits(history: HistoryLimits(maxVersions: 40))
        let memory = try Store(try ReopenReplayTests.initial())
        do {
            let storage = try Storage(url: url, options: options)
            let store = try storage.openStore("s", initial: try ReopenReplayTests.initial(), limits: limits)
            for i in 1...300 {
                let change = try ReopenReplayTests.change(i)
                try store.apply(change)
                try memory.apply(change)
            }
            storage.close()
        }
        let storage = try Storage(url: url, options: options)
        let store = try storage.openStore("s", limits: limits)
        #expect(store.version == 300)
        #expect(store.state == memory.state)
        #expect(text(store.state) == text(memory.state))
        #expect(text(try store.state(at: 270)) == text(try memory.state(at: 270)))
        #expect(store.historyRange.oldest <= 260)
        #expect(allWideContainersAreLarge(store.state))
        // The store goes on, and so does a later reopen.
        for i in 301...320 {
            let change = try ReopenReplayTests.change(i)
            try store.apply(change)
            try memory.apply(change)
        }
        storage.close()
        let again = try Storage(url: url, options: options).openStore("s", limits: limits)
        #expect(again.version == 320 && text(again.state) == text(memory.state))
    }

    /// A checkpoint compressed with zstd is checked by zstd's content checksum (no second CRC pass): a
    /// damaged byte anywhere in it is still `corruptData` naming the store and the version.
    @Test func damagedCompressedCheckpoint() throws {
        let dir = temporaryDirectory()
        let url = "sqlite:\(dir)/db.sqlite"
        do {
            let storage = try Storage(url: url)
            _ = try storage.openStore("big", initial: try ReopenReplayTests.initial())
            storage.close()
        }
        let connection = try SQLiteConnection(path: "\(dir)/db.sqlite", busyTimeoutMilliseconds: 1000)
        let read = try connection.statement("SELECT data FROM agstate_checkpoints WHERE store = 'big' AND version = 0")
        #expect(try read.step())
        let original = read.blob(0)
        read.reset()
        // The row is in the clear, its envelope compressed with zstd (codec 4).
        #expect(original[0] == RowFormat.clear && original[1 + 5] == 4)
        // Past the format byte and the envelope's 20-byte header: the zstd frame, its middle, its checksum.
        for at in [1 + 20 + 8, original.count / 2, original.count - 2] {
            var damaged = original
            damaged[at] ^= 0x10
            let write = try connection.statement("UPDATE agstate_checkpoints SET data = ? WHERE store = 'big' AND version = 0")
            try write.bind(1, blob: damaged)
            try write.run()
            #expect {
                _ = try Storage(url: url).openStore("big")
            } throws: { error in
                guard let error = error as? AGError else { return false }
                return error.code == .corruptData && error.message.contains("\"big\" at version 0")
            }
        }
        connection.close()
    }
}

/// Every object and array in `value` past its threshold is in the large form.
func allWideContainersAreLarge(_ value: JSONValue) -> Bool {
    switch value {
    case .object(let o):
        if o.count > JSONObject.largeThreshold && o.largeBox == nil { return false }
        var ok = true
        o.forEachMember { _, member in if ok && !allWideContainersAreLarge(member) { ok = false } }
        return ok
    case .array(let a):
        if a.count > JSONArray.largeThreshold && a.largeBox == nil { return false }
        for i in 0..<a.count where !allWideContainersAreLarge(a[i]) { return false }
        return true
    default:
        return true
    }
}
