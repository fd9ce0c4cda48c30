#if canImport(Glibc)
import Glibc
#endif
import Testing
import AGJSON

/// The serializer's shortcuts (short decimals without `description`, strings read from their two words,
/// members written with their punctuation in one step) give exactly the text of the plain ways.
@Suite struct SerializerTests {
    /// Doubles that are short decimal fractions, their neighbours one unit in the last place away, the
    /// edges of the shortcut's range and random bit patterns: the text is `description`'s, always.
    @Test func doublesWriteAsDescriptionDoes() throws {
        var r = Rng(state: 41)
        var samples: [Double] = [0, -0.0, 0.001, 0.000999, 0.0009999999999999998, 1e15, 999999999999999.0,
                                 999999999999999.9, 1e15 - 0.5, 0x1p52, 0x1p53, 0.1 + 0.2, 1.0 / 3.0, 123456789.123456789,
                                 5e-324, 1.7976931348623157e308, 0.5, 2.5, 1e-3 + 1e-12, 4503599627370495.5, 12345678.9]
        var powers: [Double] = [1]
        for _ in 0..<12 { powers.append(powers.last! * 10) }
        for _ in 0..<300_000 {
            let digits = 1 + r.below(17)
            var m: UInt64 = 0
            for _ in 0..<digits { m = m * 10 + UInt64(r.below(10)) }
            var d = Double(m) / powers[r.below(12)]
            if r.below(2) == 0 { d = -d }
            samples += [d, d.nextUp, d.nextDown]
            let bits = Double(bitPattern: r.next())
            if bits.isFinite { samples.append(bits) }
        }
        var wrong: [String] = []
        for d in samples {
            let text = JSONSerializer.string(.double(d))
            if text != d.description && wrong.count < 10 { wrong.append("\(d.bitPattern): \(text) vs \(d.description)") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
    }

    /// Under another rounding mode (set by the host for its own thread) the text is still `description`'s:
    /// the shortcut reasons in round-to-nearest arithmetic and stands aside.
    @Test func doublesWriteAsDescriptionDoesUnderAnyRoundingMode() {
        var r = Rng(state: 53)
        var powers: [Double] = [1]
        for _ in 0..<12 { powers.append(powers.last! * 10) }
        var samples: [Double] = []
        for _ in 0..<50_000 {
            var m: UInt64 = 0
            for _ in 0..<(1 + r.below(16)) { m = m * 10 + UInt64(r.below(10)) }
            let d = Double(m) / powers[r.below(12)]
            samples += [d, d.nextUp, d.nextDown]
        }
        let modes: [Int32] = [FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD]
        for mode in modes {
            let saved = fegetround()
            fesetround(mode)
            var wrong: [String] = []
            for d in samples {
                let text = JSONSerializer.string(.double(d))
                if text != d.description && wrong.count < 5 { wrong.append("\(d.bitPattern): \(text) vs \(d.description)") }
            }
            fesetround(saved)
            #expect(wrong.isEmpty, "mode \(mode): \(wrong)")
        }
    }

    /// Strings made every way a program makes them (literals, decoded bytes, appends into spare capacity,
    /// slices, repetitions, case changes), written as values, as names of small, indexed and large
    /// objects and in arrays, compact, pretty and sorted: the text reads back to the same value, and the
    /// compact text is what a plain escaper writes.
    @Test func stringsOfEveryOriginWriteTheSame() throws {
        #if arch(x86_64) || arch(arm64)
        #expect(StringBits.isAvailable, "the serializer's string shortcut is off on this platform")
        #endif
        var r = Rng(state: 43)
        let alphabet: [String] = ["a", "Z", "0", " ", "~", "\"", "\\", "\n", "\u{1}", "é", "日", "😀"]
        var strings: [String] = ["", "a string literal longer than fifteen bytes", "short literal", "tab\there",
                                 "literal with \"quotes\" and \\ and \u{1F} past sixteen"]
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 200] {
            var s = ""
            for _ in 0..<length { s += alphabet[r.below(r.below(3) == 0 ? alphabet.count : 4)] }
            strings.append(s)
            strings.append(String(decoding: Array(s.utf8), as: UTF8.self))
            var roomy = String()
            roomy.reserveCapacity(400)
            roomy += s
            strings.append(roomy)
            strings.append(String(("<" + s + ">").dropFirst().dropLast()))
            strings.append(s.uppercased())
        }
        strings.append(String(repeating: "ab\"", count: 11))
        func reference(_ s: String) -> String {
            var out: [UInt8] = [0x22]
            for b in s.utf8 {
                switch b {
                case 0x22: out += Array("\\\"".utf8)
                case 0x5C: out += Array("\\\\".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0x08: out += Array("\\b".utf8)
                case 0x0C: out += Array("\\f".utf8)
                case 0..<0x20: out += Array(("\\u00" + (b < 0x10 ? "0" : "1") + String(b & 0xF, radix: 16)).utf8)
                default: out.append(b)
                }
            }
            return String(decoding: out + [0x22], as: UTF8.self)
        }
        for width in [3, 20, 300] {
            var object = JSONObject()
            var expected = "{"
            var array: [JSONValue] = []
            for i in 0..<width {
                let name = strings[i % strings.count] + (i < strings.count ? "" : String(i))
                let value = strings[(i * 7 + 3) % strings.count]
                if object[name] != nil { continue }
                object[name] = .string(value)
                expected += (expected.count > 1 ? "," : "") + reference(name) + ":" + reference(value)
                array.append(.string(name))
            }
            let value = JSONValue.object(object)
            #expect(JSONSerializer.string(value) == expected + "}", "width \(width)")
            let list = JSONValue.array(JSONArray(array))
            #expect(JSONSerializer.string(list) == "[" + array.map { reference($0.stringValue!) }.joined(separator: ",") + "]")
            for options in [SerializeOptions(pretty: true), SerializeOptions(sortKeys: true), SerializeOptions(pretty: true, sortKeys: true)] {
                #expect(try JSONParser.parse(JSONSerializer.serialize(value, options: options)) == value)
                #expect(try JSONParser.parse(JSONSerializer.serialize(list, options: options)) == list)
            }
            // The C boundary's path: the writer's own buffer handed over, NUL-terminated.
            let (text, count) = JSONSerializer.mallocText(value)
            #expect(text[count] == 0)
            #expect(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self) == expected + "}")
            free(text)
        }
    }
}
