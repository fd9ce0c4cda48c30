import Testing
import AGCore
import AGJSON
import AGState
@testable import AGStorage

@Suite struct BackupTests {
    @Test func exportAndImportKeepStateVersionAndHistory() throws {
        let dir = temporaryDirectory()
        var options = StorageOptions()
        options.key = try StorageKey(id: 3, bytes: Array(repeating: 1, count: 32))
        options.checkpointChanges = 4
        let source = try Storage(url: "sqlite:\(dir)/a.db", options: options)
        let one = try source.openStore("one", initial: try json(#"{"n":0}"#))
        for i in 1...10 { try one.set(.int(Int64(i)), at: JSONPointer(parsing: "/n")) }
        _ = try source.openStore("two", initial: try json(#"["x"]"#))
        try source.exportBackup(ids: nil, to: "\(dir)/all.agsb")
        try source.exportBackup(ids: ["two"], to: "\(dir)/two.agsb")

        let target = try Storage(url: "sqlite:\(dir)/b.db", options: options)
        #expect(try target.importBackup(from: "\(dir)/all.agsb") == ["one", "two"])
        let copy = try target.openStore("one")
        #expect(copy.version == 10)
        #expect(text(copy.state) == #"{"n":10}"#)
        #expect(text(try copy.state(at: 3)) == #"{"n":3}"#)
        #expect(text(try target.openStore("two").state) == #"["x"]"#)
        // Importing again: every id exists, nothing is written.
        #expect { try target.importBackup(from: "\(dir)/two.agsb") } throws: { ($0 as? AGError)?.code == .conflict }
        // Without the key the backup does not open.
        let plain = try Storage(url: "sqlite:\(dir)/c.db")
        #expect { try plain.importBackup(from: "\(dir)/two.agsb") } throws: { ($0 as? AGError)?.code == .corruptData }
        #expect(try plain.list().isEmpty)
    }
}
