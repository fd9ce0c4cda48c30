import Testing
@testable import AGJSON

/// Objects of the same shape, parsed from one text, share their array of member names (`ShapeCache`).
/// Sharing must be invisible: every change to one object's names leaves the others exactly as parsed.
@Suite struct ShapeSharingTests {
    static func namesStorage(_ value: JSONValue) -> UnsafeRawPointer? {
        guard case .object(let o) = value, o.largeBox == nil else { return nil }
        return o.smallNames?.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    static let list = #"[{"id":1,"title":"a","done":false},{"id":2,"title":"b","done":true},"#
        + #"{"id":3,"title":"c","done":false},{"title":"d","id":4,"done":true},{"id":5,"title":"e","done":false,"x":0}]"#

    @Test func sameShapesShareTheirNames() throws {
        guard JSONObject.largeThreshold >= 4 else { return }  // the suite's run with every object large
        let items = try #require(try JSONParser.parse(Self.list).arrayValue)
        let storages = (0..<5).map { Self.namesStorage(items[$0]) }
        #expect(storages[0] != nil)
        #expect(storages[1] == storages[0] && storages[2] == storages[0])
        #expect(storages[3] != storages[0], "other order, other shape")
        #expect(storages[4] != storages[0], "other count, other shape")
        // Equal and serialized as written.
        #expect(JSONSerializer.string(.array(JSONArray(items.elementsForTest))) == Self.list)
    }

    /// Every kind of change to one object, through patches: the others keep their members and order.
    @Test func changingOneObjectLeavesItsSiblings() throws {
        let patches = [
            #"[{"op":"add","path":"/1/extra","value":1}]"#,
            #"[{"op":"remove","path":"/1/title"}]"#,
            #"[{"op":"move","from":"/1/id","path":"/1/key"}]"#,
            #"[{"op":"replace","path":"/1/done","value":{"nested":true}}]"#,
            #"[{"op":"copy","from":"/0/title","path":"/1/copied"},{"op":"remove","path":"/1/id"}]"#,
        ]
        for text in patches {
            var document = try JSONParser.parse(Self.list)
            let patch = try JSONPatch(parsing: try JSONParser.parse(text))
            try patch.apply(inPlace: &document)
            let items = try #require(document.arrayValue)
            let expected = try JSONParser.parse(Self.list).arrayValue!
            for i in [0, 2, 3, 4] {
                #expect(JSONSerializer.string(items[i]) == JSONSerializer.string(expected[i]), "\(text) changed item \(i)")
            }
            // The changed item reads as the copying apply makes it.
            let copied = try patch.apply(to: try JSONParser.parse(Self.list))
            #expect(JSONSerializer.string(document) == JSONSerializer.string(copied), "\(text)")
        }
    }

    /// Shapes that share a slot, long names, and the same names in another object: all read back exactly.
    @Test func manyShapesReadBack() throws {
        var r = Rng(state: 3)
        let names = ["a", "b", "id", "title", "a name longer than fifteen bytes", "é", "x/y", "n"]
        for _ in 0..<300 {
            var text = "["
            for k in 0..<20 {
                if k > 0 { text += "," }
                var used: [String] = []
                for _ in 0..<(2 + r.below(5)) {
                    let name = names[r.below(names.count)]
                    if !used.contains(name) { used.append(name) }
                }
                text += "{" + used.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
            }
            text += "]"
            let value = try JSONParser.parse(text)
            #expect(JSONSerializer.string(value) == text)
        }
    }

    /// Names predicted from the last object in the same place (`NamePrediction`) must read exactly as
    /// parsing them would: names one byte apart, names of every length up to 16 bytes, names written
    /// with escapes where the predicted one was written plainly (and the other way round), objects with a
    /// name more or fewer, nested objects that put their shapes in the same slots, and names that end
    /// within 16 bytes of the end of the text.
    @Test func predictedNamesReadAsWritten() throws {
        var r = Rng(state: 11)
        let pool = ["id", "ie", "jd", "title", "titlf", "abcdefgh", "abcdefgi", "abcdefghabcdefg", "abcdefghabcdefh",
                    "abcdefghabcdefgh", "", "q\"q", "a\\b", "tab\there", "é", "x/y", "n"]
        // The same name as the text may write it: plainly (what must be escaped, escaped), or with a \u
        // escape for its first byte.
        func written(_ name: String, _ r: inout Rng) -> String {
            var text = ""
            for (i, c) in name.unicodeScalars.enumerated() {
                if c == "\"" || c == "\\" {
                    text += "\\" + String(c)
                } else if c.value < 0x20 || (i == 0 && c.isASCII && r.below(4) == 0) {
                    let hex = String(c.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(c)
                }
            }
            return "\"" + text + "\""
        }
        func object(_ depth: Int, _ r: inout Rng, _ shapes: [[String]]) -> String {
            var names = shapes[r.below(shapes.count)]
            if r.below(5) == 0 { names.append(pool[r.below(pool.count)]) }
            if r.below(5) == 0, !names.isEmpty { names.removeLast() }
            var seen: [String] = []
            names = names.filter { name in
                defer { seen.append(name) }
                return !seen.contains(name)
            }
            let members = names.map { name -> String in
                let value = depth < 3 && r.below(3) == 0 ? object(depth + 1, &r, shapes) : String(r.below(100))
                return written(name, &r) + ":" + value
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        for _ in 0..<400 {
            let shapes = (0..<(1 + r.below(3))).map { _ in (0..<(1 + r.below(5))).map { _ in pool[r.below(pool.count)] } }
            let items = (0..<(1 + r.below(12))).map { _ in object(0, &r, shapes) }
            let text = r.below(2) == 0 ? "[" + items.joined(separator: ",") + "]"
                : "{\"list\":[" + items.joined(separator: ",") + "],\"last\":" + items[0] + "}"
            let value = try JSONParser.parse(text)
            // The reference: each object read on its own, where nothing can be predicted.
            let reference = try JSONParser.parse("[" + items.map { "[" + $0 + "]" }.joined(separator: ",") + "]")
            let parsedItems = text.hasPrefix("[") ? value.arrayValue! : value.objectValue!["list"]!.arrayValue!
            for k in 0..<items.count {
                let alone = reference.arrayValue![k].arrayValue![0]
                #expect(JSONSerializer.string(parsedItems[k]) == JSONSerializer.string(alone), "\(items[k]) in \(text)")
            }
        }
    }

    /// An object whose names match a predicted shape up to a repeated name is still rejected, and names
    /// that differ from the prediction only after the first byte are not taken for it.
    @Test func predictionKeepsDuplicatesAndNearMisses() throws {
        #expect(throws: AGError.self) { try JSONParser.parse(#"{"l":[{"a":1,"b":2},{"a":1,"a":2}]}"#) }
        #expect(throws: AGError.self) { try JSONParser.parse(#"{"l":[{"ab":1,"b":2},{"ab":1,"b":2,"ab":3}]}"#) }
        let value = try JSONParser.parse(#"[{"name":1,"size":2},{"namf":1,"size":2},{"name":1,"sizd":2},{"name":1,"size":2}]"#)
        #expect(JSONSerializer.string(value) == #"[{"name":1,"size":2},{"namf":1,"size":2},{"name":1,"sizd":2},{"name":1,"size":2}]"#)
        // A name that reaches into the text's last 16 bytes, after the same shape earlier.
        let short = try JSONParser.parse(#"[{"k":1},{"k":2}]"#)
        #expect(JSONSerializer.string(short) == #"[{"k":1},{"k":2}]"#)
        #expect(throws: AGError.self) { try JSONParser.parse(#"[{"k":1},{"k":2]"#) }
    }

    /// A repeated name is still found in an object whose other names match a shape seen before.
    @Test func duplicatesAreStillRejected() {
        #expect(throws: AGError.self) { try JSONParser.parse(#"[{"a":1,"b":2},{"a":1,"a":2}]"#) }
        #expect(throws: AGError.self) { try JSONParser.parse(#"[{"a":1,"b":2},{"a":1,"b":2,"b":3}]"#) }
    }
}

extension JSONArray {
    var elementsForTest: [JSONValue] { (0..<count).map { self[$0] } }
}
