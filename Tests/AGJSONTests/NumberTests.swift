import Testing
import AGJSON

/// Numbers never change value silently (DESIGN.md §3).
@Suite struct NumberTests {
    static func roundTrip(_ text: String) throws -> String {
        JSONSerializer.string(try JSONParser.parse(text))
    }

    @Test func sixtyFourBitIntegersAreExact() throws {
        for text in ["0", "-1", "9223372036854775807", "-9223372036854775808", "9007199254740993", "-9007199254740993"] {
            #expect(try Self.roundTrip(text) == text)
        }
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
    }

    @Test func integersBeyondSixtyFourBitsAreKeptExactly() throws {
        for text in ["9223372036854775808", "-9223372036854775809", "18446744073709551616",
                     "123456789012345678901234567890123456789"] {
            #expect(try JSONParser.parse(text) == .number(.bigInteger(text)))
            #expect(try Self.roundTrip(text) == text)
        }
        // Equal by value to the double of the same integral value, and only to it.
        #expect(try JSONParser.parse("18446744073709551616") == JSONParser.parse("1.8446744073709551616e19"))
        #expect(try JSONParser.parse("18446744073709551617") != JSONParser.parse("1.8446744073709551616e19"))
    }

    @Test func doublesRoundTripBitExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var samples: [Double] = [0.1, 1.0 / 3.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                                 -0.0, 1e21, 1e-7, 123456.789, 0.30000000000000004, 9007199254740993.0]
        for _ in 0..<20_000 {
            let d = Double(bitPattern: generator.next())
            if d.isFinite { samples.append(d) }
        }
        for d in samples {
            let text = JSONSerializer.string(.double(d))
            guard case .number(.double(let back)) = try JSONParser.parse(text) else {
                Issue.record("\(text) did not read back as a double"); continue
            }
            #expect(back.bitPattern == d.bitPattern, "\(d) -> \(text)")
        }
    }

    @Test func numbersCompareByValue() throws {
        #expect(try JSONParser.parse("1") == JSONParser.parse("1.0"))
        #expect(try JSONParser.parse("[100]") == JSONParser.parse("[1e2]"))
        #expect(try JSONParser.parse("1") != JSONParser.parse("1.5"))
        #expect(try JSONParser.parse("\"1\"") != JSONParser.parse("1"))
    }

    @Test func outOfRangeDoublesAreRejectedNotRounded() {
        for text in ["1e400", "-1e400", "1e-400", "-2.5e-500"] {
            do { _ = try JSONParser.parse(text); Issue.record("\(text) accepted") } catch {
                #expect(error.code == .invalidJSON, "\(text)")
            }
        }
        #expect((try? JSONParser.parse("0e-400")) == .double(0))
        #expect((try? JSONParser.parse("5e-324")) == .double(5e-324))
    }
}
