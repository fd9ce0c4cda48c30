/// What is wrong with a string, an escape or a number in JSON text, and where: the one set of verdicts and
/// messages of the readers that share `JSONGrammar` (the parser, the event scanner, the text diff). Only
/// trivial fields, so that throwing it from the hot loops costs nothing until it is thrown; the message is
/// written from the input when it is asked for.
package struct JSONSyntaxError: Error {
    package enum Reason: UInt8 {
        case unterminatedString, unterminatedEscape, controlCharacter, invalidEscape
        case truncatedUnicodeEscape, invalidHexDigit, loneHighSurrogate, highSurrogateWithoutLow, loneLowSurrogate
        case invalidUTF8Lead, truncatedUTF8, invalidUTF8
        case invalidNumber, leadingZero, digitAfterPoint, digitInExponent, numberTooLarge, numberTooSmall
    }

    package var reason: Reason
    /// The byte offset the message names: the string's opening quote, the escape's backslash, the
    /// offending byte, or the number's first character.
    package var offset: Int
    /// The offending byte, the escape's letter or the lone surrogate's value; for a number out of range,
    /// where it ends.
    package var detail: Int

    @inline(__always)
    package init(_ reason: Reason, at offset: Int, _ detail: Int = 0) {
        self.reason = reason
        self.offset = offset
        self.detail = detail
    }

    /// The message, without the offset (each reader says where in its own words).
    @inline(never)
    package func message(_ input: UnsafeBufferPointer<UInt8>) -> String {
        switch reason {
        case .unterminatedString: return "unterminated string"
        case .unterminatedEscape: return "unterminated escape"
        case .controlCharacter: return "unescaped control character 0x\(String(detail, radix: 16)) in string"
        case .invalidEscape: return "invalid escape '\\\(Character(Unicode.Scalar(UInt8(truncatingIfNeeded: detail))))' in string"
        case .truncatedUnicodeEscape: return "truncated \\u escape"
        case .invalidHexDigit: return "invalid hex digit in \\u escape"
        case .loneHighSurrogate: return "lone high surrogate \\u\(String(detail, radix: 16, uppercase: true)) in string"
        case .highSurrogateWithoutLow: return "high surrogate not followed by a low surrogate in string"
        case .loneLowSurrogate: return "lone low surrogate \\u\(String(detail, radix: 16, uppercase: true)) in string"
        case .invalidUTF8Lead: return "invalid UTF-8 byte 0x\(String(detail, radix: 16))"
        case .truncatedUTF8: return "truncated UTF-8 sequence"
        case .invalidUTF8: return "invalid UTF-8 sequence"
        case .invalidNumber: return "invalid number"
        case .leadingZero: return "leading zero in number"
        case .digitAfterPoint: return "digit expected after '.'"
        case .digitInExponent: return "digit expected in exponent"
        case .numberTooLarge: return "number \(numberText(input)) is outside the range of a double"
        case .numberTooSmall: return "number \(numberText(input)) is too small for a double (it would become 0)"
        }
    }

    private func numberText(_ input: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: input[offset..<min(detail, input.count)]), as: UTF8.self)
    }
}
