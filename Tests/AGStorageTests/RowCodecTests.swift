import Testing
import AGCodec
import AGCore
import AGJSON
@testable import AGStorage

@Suite struct RowCodecTests {
    /// A change row made straight from the operations has the bytes of the general encoding (serialize
    /// the patch's tree, pack it in an envelope, seal it in the clear), and reads back to the same patch.
    @Test func changeRowMatchesTheGeneralEncoding() throws {
        let codec = RowCodec(sealer: try RowSealer(current: nil, old: []))
        let texts = [
            #"[{"op":"replace","path":"/items/item1/price","value":12.5}]"#,
            #"[{"op":"add","path":"/a~1b/~0c","value":{"x":[1,"\u00e9",null,true]}},{"op":"remove","path":"/q"}]"#,
            #"[{"op":"move","from":"/a","path":"/b"},{"op":"copy","from":"/b","path":"/c"},{"op":"test","path":"","value":"\"quoted\"\n"}]"#,
            "[]",
        ]
        for text in texts {
            let operations = try JSONPatch(parsing: try JSONParser.parse(text)).operations
            let general = try codec.encode(json: JSONSerializer.serialize(JSONPatch(operations).json),
                                           store: "s", version: 7, kind: RowFormat.change)
            let direct = try codec.encodeChange(operations, store: "s", version: 7)
            #expect(direct == general)
            let back = try codec.decode(direct, store: "s", version: 7, kind: RowFormat.change)
            #expect(try JSONPatch(parsing: try JSONParser.parse(back)).operations == operations)
            let authored = try codec.encodeChange(operations, author: "ana", store: "s", version: 7)
            let authoredText = try codec.decode(authored, store: "s", version: 7, kind: RowFormat.change)
            #expect(authoredText == ChangeRow.text(operations, author: "ana"))
        }
    }

    /// A change too large to be stored as it is still goes through the envelope's compression.
    @Test func largeChangeRowIsCompressed() throws {
        let codec = RowCodec(sealer: try RowSealer(current: nil, old: []))
        let value = JSONValue.string(String(repeating: "abc", count: 2000))
        let operations: [PatchOperation] = [.add(path: try JSONPointer(parsing: "/big"), value: value)]
        let row = try codec.encodeChange(operations, store: "s", version: 1)
        #expect(row.count < 1000)
        let back = try codec.decode(row, store: "s", version: 1, kind: RowFormat.change)
        #expect(back == JSONSerializer.serialize(JSONPatch(operations).json))
    }
}
