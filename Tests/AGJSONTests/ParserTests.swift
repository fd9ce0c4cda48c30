import Testing
import AGJSON

/// Strict RFC 8259 reading, and the serializer's forms.
@Suite struct ParserTests {
    static func rejects(_ bytes: [UInt8], _ code: AGErrorCode = .invalidJSON, limits: JSONLimits = .default) -> Bool {
        do { _ = try JSONParser.parse(bytes, options: ParseOptions(limits: limits)); return false } catch {
            return error.code == code
        }
    }

    @Test(arguments: ["", " ", "[1,]", "{\"a\":1,}", "// c\n1", "/* c */1", "NaN", "Infinity", "-Infinity",
                      "01", "1.", ".5", "+1", "1e", "0x10", "'a'", "\"abc", "[1 2]", "{\"a\" 1}", "{a:1}",
                      "tru", "nul", "[", "]", "{\"a\":1}x", "\"\\x\"", "\"\\u12\"", "\"\t\"",
                      "\"\\uD800\"", "\"\\uDC00\"", "\"\\uD800\\u0041\"", "{\"a\":1,\"a\":2}"])
    func rejectsMalformedText(text: String) {
        #expect(Self.rejects(Array(text.utf8)), "\(text)")
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [[UInt8]] = [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                                [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
                                [0xEF, 0xBB, 0xBF, 0x31]]
        for bytes in cases { #expect(Self.rejects(bytes), "\(bytes)") }
    }

    @Test func acceptsUnicodeAndEscapes() throws {
        let text = #"{"k\u00e9y":"\ud83d\ude00 \u0000 é 😀 \"\\\/\b\f\n\r\t"}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?["kéy"]?.stringValue == "😀 \u{0} é 😀 \"\\/\u{8}\u{c}\n\r\t")
        // Serialized with the short escapes, NUL as \u0000, everything else as UTF-8.
        #expect(JSONSerializer.string(value) == #"{"kéy":"😀 \u0000 é 😀 \"\\/\b\f\n\r\t"}"#)
    }

    @Test func duplicateKeysOnlyByName() throws {
        let text = #"{"a":1,"a":2}"#
        #expect(Self.rejects(Array(text.utf8)))
        #expect(try JSONParser.parse(text, options: ParseOptions(allowDuplicateKeys: true)) == ["a": 2])
    }

    /// Objects of every width find their first repeated name the same way (pairwise up to 16 members, a
    /// set up to the large form, the large form's trie beyond): same message, same offset, and with
    /// duplicates allowed the last value wins in the first one's place.
    @Test(arguments: [3, 40, 600])
    func duplicateKeysAtEveryWidth(width: Int) throws {
        let members = (0..<width).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = "{" + members + ",\"k1\":\"again\",\"k2\":0}"
        let offset = text.utf8.count - #""k1":"again","k2":0}"#.utf8.count
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted a repeated name")
        } catch {
            #expect(error.offset == offset)
            #expect(error.message == "invalid JSON at byte \(offset): duplicate member name \"k1\"")
        }
        let lastWins = try JSONParser.parse(text, options: ParseOptions(allowDuplicateKeys: true))
        #expect(lastWins.objectValue?.count == width)
        #expect(lastWins.objectValue?["k1"] == "again")
        #expect(lastWins.objectValue?.keys.prefix(3) == ["k0", "k1", "k2"])
    }

    @Test func depthIsBounded() throws {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(Self.rejects(deep, .limitExceeded))
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSONParser.parse(ok).height == 512)
        let over = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(Self.rejects(Array(over.utf8), .limitExceeded))
        #expect(Self.rejects(Array("[[[]]]".utf8), .limitExceeded, limits: JSONLimits(maxDepth: 2)))
    }

    @Test func inputSizeIsBounded() {
        #expect(Self.rejects(Array("[1,2,3]".utf8), .limitExceeded, limits: JSONLimits(maxInputBytes: 4)))
    }

    @Test func errorsNameTheOffset() {
        do { _ = try JSONParser.parse("[1, 2, x]"); Issue.record("accepted") } catch {
            #expect(error.offset == 7)
            #expect(error.message.contains("byte 7"))
        }
    }

    @Test func serializerForms() throws {
        let value = try JSONParser.parse(#"{"b":[1,{"z":null,"a":true}],"a":"x","c":{}}"#)
        #expect(JSONSerializer.string(value) == #"{"b":[1,{"z":null,"a":true}],"a":"x","c":{}}"#)
        #expect(JSONSerializer.string(value, options: SerializeOptions(sortKeys: true)) == #"{"a":"x","b":[1,{"a":true,"z":null}],"c":{}}"#)
        #expect(JSONSerializer.string(try JSONParser.parse("[1,[]]"), options: SerializeOptions(pretty: true)) == "[\n  1,\n  []\n]")
    }

    @Test func memberOrderKeptEqualityIgnoresIt() throws {
        let a = try JSONParser.parse(#"{"x":1,"y":2}"#)
        let b = try JSONParser.parse(#"{"y":2,"x":1}"#)
        #expect(a == b)
        #expect(JSONSerializer.string(b) == #"{"y":2,"x":1}"#)
    }

    @Test func patchDepthIsBounded() throws {
        let limits = JSONLimits(maxDepth: 3)
        let doc: JSONValue = ["a": ["b": [:]]]
        let patch = JSONPatch([.add(path: try JSONPointer(parsing: "/a/b/c"), value: [1])])
        do { _ = try patch.apply(to: doc, limits: limits); Issue.record("accepted") } catch {
            #expect(error.code == .limitExceeded)
            #expect(error.operationIndex == 0)
        }
        let copy = JSONPatch([.copy(from: try JSONPointer(parsing: "/a"), path: try JSONPointer(parsing: "/a/b/c"))])
        #expect(throws: AGError.self) { try copy.apply(to: doc, limits: limits) }
    }

    @Test func patchErrorsNameOperationAndPath() throws {
        let doc: JSONValue = ["a": [1, 2]]
        let patch = try JSONPatch(parsing: JSONParser.parse(#"[{"op":"test","path":"/a/0","value":1},{"op":"remove","path":"/a/5"}]"#))
        do { _ = try patch.apply(to: doc); Issue.record("applied") } catch {
            #expect(error.code == .pathNotFound)
            #expect(error.operationIndex == 1)
            #expect(error.pointer == "/a/5")
        }
        let malformed: [(String, AGErrorCode)] = [
            (#"{}"#, .invalidPatch), (#"[1]"#, .invalidPatch), (#"[{"op":1,"path":""}]"#, .invalidPatch),
            (#"[{"op":"add","path":1,"value":1}]"#, .invalidPatch), (#"[{"op":"add","path":"a","value":1}]"#, .invalidPointer),
            (#"[{"op":"move","path":"/a"}]"#, .invalidPatch), (#"[{"op":"test","path":"/a"}]"#, .invalidPatch),
        ]
        for (text, code) in malformed {
            do { _ = try JSONPatch(parsing: JSONParser.parse(text)); Issue.record("\(text) accepted") } catch {
                #expect(error.code == code, "\(text)")
            }
        }
    }

    /// Strings mixing plain runs, multi-byte characters and every kind of escape, in random order and
    /// lengths (short enough to be stored inline and long enough not to be): the parser's three ways of
    /// reading a string (plain, UTF-8 without escapes, escapes) must all give the text that was written.
    @Test func stringsOfEveryMixReadBack() throws {
        let pieces: [(text: String, json: String)] = [
            ("a", "a"), ("plain words ", "plain words "), ("é", "é"), ("日本", "日本"), ("😀", "😀"),
            ("\"", "\\\""), ("\\", "\\\\"), ("/", "\\/"), ("\n", "\\n"), ("\t", "\\t"), ("\u{8}", "\\b"),
            ("\u{0}", "\\u0000"), ("é", "\\u00e9"), ("😀", "\\ud83d\\ude00"), ("{\"k\":[1,2]}", "{\\\"k\\\":[1,2]}"),
        ]
        var r = Rng(state: 11)
        for _ in 0..<2_000 {
            var text = "", json = "\""
            for _ in 0..<r.below(12) {
                let piece = pieces[r.below(pieces.count)]
                text += piece.text
                json += piece.json
            }
            json += "\""
            let value = try JSONParser.parse(json)
            #expect(value.stringValue == text, "\(json)")
            // The same string as a member name, and inside an array, must read the same.
            let wrapped = try JSONParser.parse("[{\(json):\(json)}]")
            #expect(wrapped.arrayValue?[0].objectValue?[text]?.stringValue == text, "\(json)")
        }
    }

    /// An invalid byte is reported at its own offset, whatever came before it in the string.
    @Test func invalidUTF8IsReportedWhereItIs() {
        let prefixes: [[UInt8]] = [Array("\"".utf8), Array("\"abc".utf8), Array("\"é".utf8), Array("\"a\\n".utf8),
                                   Array("\"é\\\"é".utf8), Array("\"0123456789abcdef日".utf8)]
        for prefix in prefixes {
            let bytes = prefix + [0xFF] + Array("x\"".utf8)
            do { _ = try JSONParser.parse(bytes); Issue.record("accepted \(bytes)") } catch {
                #expect(error.offset == prefix.count, "\(bytes)")
            }
        }
    }

    /// The serializer's ways of writing a string (inline ASCII from its two words, runs between escapes,
    /// multi-byte characters passed through) against a plain byte-by-byte escaper, at every length around
    /// the 15 bytes of an inline string and the 8 of a word.
    @Test func stringsSerializeAsAPlainEscaperWould() throws {
        func reference(_ s: String) -> String {
            var out = "\""
            for b in s.utf8 {
                switch b {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                case 0..<0x20: out += "\\u00" + (b < 0x10 ? "0" : "1") + String(b & 0xF, radix: 16)
                default: out += String(decoding: [b], as: UTF8.self)
                }
            }
            return out + "\""
        }
        let alphabet: [String] = ["a", "b", "Z", "0", " ", "~", "\u{7F}", "\"", "\\", "\n", "\t", "\u{1}", "\u{1F}", "é", "日", "😀"]
        var r = Rng(state: 23)
        for length in 0..<40 {
            for _ in 0..<60 {
                var s = ""
                for _ in 0..<length { s += alphabet[r.below(r.below(4) == 0 ? alphabet.count : 5)] }
                let text = JSONSerializer.string(.string(s))
                if s.unicodeScalars.allSatisfy({ $0.value < 0x80 }) {
                    #expect(text == reference(s), "\(Array(s.utf8))")
                }
                #expect(try JSONParser.parse(text).stringValue == s, "\(Array(s.utf8))")
                // As a member name too, and through the C boundary's path (bytes handed to a closure).
                var members = JSONObject()
                members[s] = .int(1)
                let object = JSONValue.object(members)
                let viaClosure = JSONSerializer.withSerialized(object) { String(decoding: $0, as: UTF8.self) }
                #expect(viaClosure == JSONSerializer.string(object))
                #expect(try JSONParser.parse(viaClosure).objectValue?[s] == .int(1))
            }
        }
    }
}
