import Testing
import AGCore
@testable import AGJSON

/// A document read once, changed in place, then moved to the form a store keeps (`makePersistent`): the
/// same value, member order and height as the same changes applied to a persistent parse, and every
/// container past its threshold in the large form.
@Suite struct MakePersistentTests {
    /// 300 items (a wide object of objects), an array of 1,100 objects, and small containers around them.
    static let text: String = {
        var s = #"{"small":{"a":1,"b":[1,2]},"items":{"#
        for i in 0..<300 { s += #""item\#(i)":{"price":\#(i),"tags":["t\#(i)"],"sub":{"a":\#(i)}},"# }
        s.removeLast()
        s += #"},"list":["#
        for i in 0..<1_100 { s += #"{"n":\#(i),"deep":{"wide":[\#(i)]}},"# }
        s.removeLast()
        return s + #"],"empty":{}}"#
    }()

    static let patches = [
        #"[{"op":"replace","path":"/items/item7/price","value":70}]"#,
        #"[{"op":"add","path":"/items/new","value":{"price":1}}]"#,
        #"[{"op":"remove","path":"/items/item3"}]"#,
        #"[{"op":"add","path":"/list/5","value":{"n":-1}}]"#,
        #"[{"op":"remove","path":"/list/0"}]"#,
        #"[{"op":"move","from":"/items/item9","path":"/small/moved"}]"#,
        #"[{"op":"copy","from":"/list/10","path":"/empty/copied"}]"#,
        #"[{"op":"add","path":"/items/item1/tags/-","value":"more"}]"#,
    ]

    /// Every object and array in `value` that is past its threshold is in the large form.
    static func allWideAreLarge(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let o):
            if o.count > JSONObject.largeThreshold && o.largeBox == nil { return false }
            var ok = true
            o.forEachMember { _, member in if ok && !allWideAreLarge(member) { ok = false } }
            return ok
        case .array(let a):
            if a.count > JSONArray.largeThreshold && a.largeBox == nil { return false }
            for i in 0..<a.count where !allWideAreLarge(a[i]) { return false }
            return true
        default:
            return true
        }
    }

    @Test func sameValueAsAPersistentParse() throws {
        var once = try JSONParser.parse(MakePersistentTests.text, options: ParseOptions(persistentContainers: false))
        var persistent = try JSONParser.parse(MakePersistentTests.text)
        #expect(!MakePersistentTests.allWideAreLarge(once) || JSONObject.largeThreshold >= 300)
        for text in MakePersistentTests.patches {
            let patch = try JSONPatch(parsing: try JSONParser.parse(text))
            try patch.apply(inPlace: &once)
            try patch.apply(inPlace: &persistent)
        }
        once.makePersistent()
        #expect(once == persistent)
        #expect(JSONSerializer.string(once) == JSONSerializer.string(persistent))
        #expect(once.height == persistent.height)
        #expect(MakePersistentTests.allWideAreLarge(once))
        // Changes after the move: as on the persistent parse, and an earlier copy keeps its value.
        let before = once
        let later = try JSONPatch(parsing: try JSONParser.parse(#"[{"op":"replace","path":"/items/item8/price","value":0},{"op":"remove","path":"/list/1"}]"#))
        try later.apply(inPlace: &once)
        try later.apply(inPlace: &persistent)
        #expect(once == persistent)
        #expect(before != once)
        #expect(JSONSerializer.string(before).contains(#""item8":{"price":8"#))
    }

    @Test func scalarsAndSmallContainersAreLeftAsTheyAre() throws {
        for text in ["1", #""s""#, "null", "[]", "{}", #"{"a":[1,{"b":2}]}"#] {
            var value = try JSONParser.parse(text, options: ParseOptions(persistentContainers: false))
            value.makePersistent()
            #expect(JSONSerializer.string(value) == text)
        }
    }
}
