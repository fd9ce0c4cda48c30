import Testing
@testable import AGJSON

/// Objects of the same shape, parsed from one text, share their array of member names (`ShapeCache`).
/// Sharing must be invisible: every change to one object's names leaves the others exactly as parsed.
@Suite struct ShapeSharingTests {
    static func namesStorage(_ value: JSONValue) -> UnsafeRawPointer? {
        guard case .object(let o) = value, o.largeBox == nil else { return nil }
        return o.members.keys.elements.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
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

    /// A repeated name is still found in an object whose other names match a shape seen before.
    @Test func duplicatesAreStillRejected() {
        #expect(throws: AGError.self) { try JSONParser.parse(#"[{"a":1,"b":2},{"a":1,"a":2}]"#) }
        #expect(throws: AGError.self) { try JSONParser.parse(#"[{"a":1,"b":2},{"a":1,"b":2,"b":3}]"#) }
    }
}

extension JSONArray {
    var elementsForTest: [JSONValue] { (0..<count).map { self[$0] } }
}
