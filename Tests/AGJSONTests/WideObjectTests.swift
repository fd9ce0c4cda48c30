import Testing
@testable import AGJSON

/// Objects of more than 65,536 members read once (`persistentContainers` off, as the stateless
/// functions read them) stay in the indexed form, whose name table must number every member: past 16
/// bits of positions a table loses members, so that lookups miss, equality fails, duplicates pass and
/// changes land on the wrong member.
@Suite struct WideObjectTests {
    static let width = 70_000
    static let once = ParseOptions(persistentContainers: false)

    /// `{"k0":0,"k1":1,...}` with `width` members, plus whatever `extra` adds at the end.
    static func text(_ width: Int = WideObjectTests.width, extra: String = "") -> String {
        var s = "{"
        for i in 0..<width { s += "\"k\(i)\":\(i)," }
        s += extra
        if s.last == "," { s.removeLast() }
        return s + "}"
    }

    static func wide(_ width: Int = WideObjectTests.width) throws -> JSONObject {
        let value = try JSONParser.parse(text(width), options: once)
        return try #require(value.objectValue)
    }

    @Test func everyMemberIsFound() throws {
        let object = try WideObjectTests.wide()
        #expect(object.count == WideObjectTests.width)
        var missed = 0
        for i in 0..<WideObjectTests.width where object["k\(i)"] != .int(Int64(i)) { missed += 1 }
        #expect(missed == 0)
        #expect(object["absent"] == nil)
        #expect(try JSONValue.object(object).value(at: JSONPointer(parsing: "/k65536")) == .int(65_536))
    }

    @Test func aWideObjectEqualsItself() throws {
        let a = try WideObjectTests.wide(), b = try WideObjectTests.wide()
        #expect(a == b)
        #expect(JSONValue.object(a) == JSONValue.object(a))
    }

    @Test(arguments: [1, 65_535, 65_536, 65_537, 69_999])
    func aDuplicateNameIsRejectedWherever(at position: Int) {
        let text = WideObjectTests.text(extra: "\"k\(position)\":0")
        #expect(throws: AGError.self) { try JSONParser.parse(text, options: WideObjectTests.once) }
    }

    @Test func sortedKeysAreEveryKeyInOrder() throws {
        let object = try WideObjectTests.wide()
        let sorted = JSONSerializer.string(.object(object), options: SerializeOptions(pretty: false, sortKeys: true))
        let reread = try #require(try JSONParser.parse(sorted).objectValue)
        #expect(reread.count == WideObjectTests.width)
        #expect(reread.keys == object.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    @Test func patchAddReplacesTheMemberNamed() throws {
        let document = JSONValue.object(try WideObjectTests.wide())
        for name in ["k0", "k65535", "k65536", "k69999"] {
            let patch = try JSONPatch(parsing: try JSONParser.parse("[{\"op\":\"add\",\"path\":\"/\(name)\",\"value\":\"new\"}]"))
            let result = try #require(try patch.apply(to: document).objectValue)
            #expect(result.count == WideObjectTests.width, "\(name)")
            #expect(result[name] == "new", "\(name)")
        }
    }

    @Test func mergePatchNullRemovesTheMember() throws {
        let document = JSONValue.object(try WideObjectTests.wide())
        let patch = try JSONParser.parse(#"{"k65536":null,"k3":"x","fresh":1}"#, options: WideObjectTests.once)
        let result = try #require(MergePatch.apply(patch, to: document).objectValue)
        #expect(result["k65536"] == nil)
        #expect(result["k3"] == "x" && result["fresh"] == 1)
        #expect(result.count == WideObjectTests.width)
    }

    @Test func mergeDiffOfWideObjects() throws {
        let a = JSONValue.object(try WideObjectTests.wide())
        var changed = try WideObjectTests.wide()
        changed["k65540"] = "changed"
        changed["k2"] = nil
        let diff = try MergePatch.diff(a, .object(changed))
        #expect(JSONSerializer.string(diff) == #"{"k2":null,"k65540":"changed"}"#)
        #expect(MergePatch.apply(diff, to: a) == .object(changed))
    }

    /// Removing every member one at a time, and the merge diff to a small object (which removes them all
    /// to check itself), each member's removal costing O(log n): both were quadratic in the width (a name
    /// table rebuilt per removal, the tallest member looked for over every member), so this test did not
    /// finish in minutes at this width.
    @Test func removingEveryMemberOneAtATime() throws {
        var object = try WideObjectTests.wide()
        for i in 0..<WideObjectTests.width { #expect(object.removeValue(forKey: "k\(i)") != nil) }
        #expect(object.count == 0 && object.height == 1)
        let diff = try MergePatch.diff(.object(try WideObjectTests.wide()), ["a": 1])
        #expect(diff.objectValue?.count == WideObjectTests.width + 1)
    }

    /// A large object's height follows its tallest member as members come, change and go.
    @Test func aLargeObjectsHeightFollowsItsTallestMember() throws {
        var object = try #require(try JSONParser.parse(WideObjectTests.text(1_000)).objectValue)
        #expect(object.height == 1)  // scalars have height 0
        object["deep"] = try JSONParser.parse(#"{"a":{"b":[1]}}"#)
        #expect(object.height == 4)
        object.modify("deep") { $0 = try! JSONParser.parse(#"{"a":1}"#) }
        #expect(object.height == 2)
        object["deep2"] = try JSONParser.parse(#"[[[[]]]]"#)
        #expect(object.height == 5)
        object["deep2"] = nil
        #expect(object.height == 2)
        object["deep"] = 1
        #expect(object.height == 1)
        object["deep"] = [[1]]
        #expect(object.height == 3)
        for i in 0..<1_000 { object["k\(i)"] = nil }
        #expect(object.height == 3 && object.count == 1)
        object["deep"] = nil
        #expect(object.height == 1)
    }

    /// The list itself, with positions past 16 bits.
    @Test func nameListNumbersEveryPosition() {
        var list = NameList(uncheckedUniqueElements: (0..<66_000).map { "n\($0)" })
        list.append("last")
        #expect(list.firstIndex(of: "n65535") == 65_535)
        #expect(list.firstIndex(of: "n65536") == 65_536)
        #expect(list.firstIndex(of: "last") == 66_000)
        var missed = 0
        for i in 0..<66_000 where list.firstIndex(of: "n\(i)") != i { missed += 1 }
        #expect(missed == 0)
        let names = (0..<66_000).map { "n\($0)" } + ["n65537"]
        let (none, repeated) = NameList.checking(names)
        #expect(none == nil && repeated == 66_000)
        let (built, _) = NameList.checking(Array(names.dropLast()))
        #expect(built?.firstIndex(of: "n65999") == 65_999 && built?.count == 66_000)
    }
}
