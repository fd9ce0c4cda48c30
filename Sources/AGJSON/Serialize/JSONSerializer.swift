#if canImport(Glibc)
import Glibc
#endif

/// How a value is written out.
public struct SerializeOptions: Sendable, Equatable {
    /// Two-space indentation and one member or element per line.
    public var pretty: Bool
    /// Members sorted by name (byte order of UTF-8, which is code point order): a canonical form.
    public var sortKeys: Bool

    public init(pretty: Bool = false, sortKeys: Bool = false) {
        self.pretty = pretty
        self.sortKeys = sortKeys
    }

    public static let compact = SerializeOptions()
}

/// Writes JSON values as UTF-8 into one growing byte buffer.
public struct JSONSerializer {
    public private(set) var bytes: [UInt8] = []
    private let options: SerializeOptions

    public init(options: SerializeOptions = .compact, reserving capacity: Int = 256) {
        self.options = options
        bytes.reserveCapacity(capacity)
    }

    public static func serialize(_ value: JSONValue, options: SerializeOptions = .compact) -> [UInt8] {
        var writer = JSONWriter(options: options)
        writer.write(value, indent: 0)
        return writer.out.array
    }

    /// Calls `body` with the text of `value`, which lives only as long as the call: for callers that copy
    /// it somewhere anyway (the C boundary does), this saves making an array of it first.
    public static func withSerialized<R, E: Error>(_ value: JSONValue, options: SerializeOptions = .compact,
                                                   _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var writer = JSONWriter(options: options)
        writer.write(value, indent: 0)
        return try writer.out.withBytes(body)
    }

    /// The text of `value` followed by a NUL, in a buffer from malloc that the caller owns and frees with
    /// `free`: the writer's own buffer, handed over without a copy (the C boundary's output).
    public static func mallocText(_ value: JSONValue, options: SerializeOptions = .compact) -> (text: UnsafeMutablePointer<UInt8>, count: Int) {
        var writer = JSONWriter(options: options)
        writer.write(value, indent: 0)
        return writer.takeText()
    }

    public static func string(_ value: JSONValue, options: SerializeOptions = .compact) -> String {
        String(decoding: serialize(value, options: options), as: UTF8.self)
    }

    public mutating func write(_ value: JSONValue) {
        bytes.append(contentsOf: JSONSerializer.serialize(value, options: options))
    }
}

/// The serializer's work: values in, bytes out, into a `ByteWriter`.
private struct JSONWriter: ~Copyable {
    var out = ByteWriter(capacity: 4096)
    let options: SerializeOptions
    private let smallStrings = SmallASCII.isAvailable
    private let stringBits = StringBits.isAvailable
    /// `DecimalDouble` reasons in round-to-nearest arithmetic; a thread that set another rounding mode
    /// (fesetround) gets `description`'s text for every double.
    private let decimalShortcut = fegetround() == FE_TONEAREST

    init(options: SerializeOptions) { self.options = options }

    consuming func takeText() -> (text: UnsafeMutablePointer<UInt8>, count: Int) { out.takeMallocText() }

    mutating func write(_ value: JSONValue, indent: Int) {
        withUnsafePointer(to: value) { write(at: $0, indent: indent) }
    }

    // Values are read where they lie, through pointers: binding each element of an array or object to a
    // variable made a retained copy of it (a third of the serializer's instructions were retains and
    // releases).
    private mutating func write(at value: UnsafePointer<JSONValue>, indent: Int) {
        if stringBits, case .string = value.pointee,
           writeString(words: UnsafeRawPointer(value).load(as: (UInt64, UInt64).self)) {
            return
        }
        switch value.pointee {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let n): writeNumber(n)
        case .string(let s): writeString(s)
        case .array(let a): writeArray(a, indent: indent)
        case .object(let o): writeObject(o, indent: indent)
        }
    }

    private mutating func newline(_ indent: Int) {
        out.append(0x0A)
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    private mutating func writeArray(_ array: JSONArray, indent: Int) {
        out.append(UInt8(ascii: "["))
        if array.isEmpty { out.append(UInt8(ascii: "]")); return }
        var first = true
        array.forEachChunk { elements in
            guard let start = elements.baseAddress else { return }
            for i in 0..<elements.count {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if options.pretty { newline(indent + 1) }
                write(at: start + i, indent: indent + 1)
            }
        }
        if options.pretty { newline(indent) }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ object: JSONObject, indent: Int) {
        out.append(UInt8(ascii: "{"))
        if object.isEmpty { out.append(UInt8(ascii: "}")); return }
        if options.sortKeys {
            var first = true
            for key in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                member(key, object[key]!, first: first, indent: indent)
                first = false
            }
        } else {
            let inBuffers = object.withMemberBuffers { names, values in
                guard let nameStart = names.baseAddress, let valueStart = values.baseAddress else { return }
                if options.pretty {
                    for i in 0..<names.count {
                        if i > 0 { out.append(UInt8(ascii: ",")) }
                        newline(indent + 1)
                        writeString(at: nameStart + i)
                        out.append(UInt8(ascii: ":"))
                        out.append(0x20)
                        write(at: valueStart + i, indent: indent + 1)
                    }
                    return
                }
                for i in 0..<names.count {
                    // A short ASCII name is written with its comma and colon in one step.
                    if stringBits, let (low, high, count) = JSONWriter.plainInlineASCII(at: nameStart + i) {
                        out.appendQuoted(words: low, high, count: count, before: i > 0 ? UInt8(ascii: ",") : 0,
                                         after: UInt8(ascii: ":"))
                    } else {
                        if i > 0 { out.append(UInt8(ascii: ",")) }
                        writeString(at: nameStart + i)
                        out.append(UInt8(ascii: ":"))
                    }
                    write(at: valueStart + i, indent: indent + 1)
                }
            }
            if !inBuffers {
                var first = true
                object.forEachMember { key, value in
                    member(key, value, first: first, indent: indent)
                    first = false
                }
            }
        }
        if options.pretty { newline(indent) }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func member(_ key: String, _ value: JSONValue, first: Bool, indent: Int) {
        if !first { out.append(UInt8(ascii: ",")) }
        if options.pretty { newline(indent + 1) }
        writeString(key)
        out.append(UInt8(ascii: ":"))
        if options.pretty { out.append(0x20) }
        write(value, indent: indent + 1)
    }

    private mutating func writeNumber(_ n: JSONNumber) {
        switch n {
        case .int(let i): writeInteger(i)
        case .bigInteger(let s): writeUTF8(s)
        case .double(let d):
            // Swift prints the shortest digits that read back to the same double; its forms
            // ("1.0", "1e-07", "1e+21", "-0.0") are all valid JSON numbers. Non-finite values never get here.
            // Short decimal fractions are written the same way without a String (DecimalDouble).
            if !(decimalShortcut && DecimalDouble.write(d, to: &out)) { writeUTF8(d.description) }
        }
    }

    /// Decimal digits straight into the buffer (no String in between).
    private mutating func writeInteger(_ i: Int64) {
        if i == 0 { out.append(0x30); return }
        var magnitude = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of a UInt64
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[23 - count] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            }
            if i < 0 { count += 1; buffer[24 - count] = UInt8(ascii: "-") }
            out.append(UnsafeBufferPointer(rebasing: buffer.bindMemory(to: UInt8.self)[(24 - count)...]))
        }
    }

    private mutating func writeUTF8(_ s: String) {
        var s = s
        s.withUTF8 { out.append($0) }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    private mutating func writeString(at s: UnsafePointer<String>) {
        if stringBits, writeString(words: UnsafeRawPointer(s).load(as: (UInt64, UInt64).self)) { return }
        writeString(s.pointee)
    }

    /// Writes the string whose two words are `words` when they hold its bytes (inline ASCII or
    /// tail-allocated, see `StringBits`), without touching its reference count; false when they do not.
    @inline(__always)
    private mutating func writeString(words: (UInt64, UInt64)) -> Bool {
        let (low, high) = words
        if high >> 60 == 0xE {  // inline ASCII
            writeInlineASCII(low, high & 0x00FF_FFFF_FFFF_FFFF, count: Int(truncatingIfNeeded: (high >> 56) & 0x0F))
            return true
        }
        guard let utf8 = StringBits.utf8(low, high) else { return false }
        out.append(UInt8(ascii: "\""))
        writeEscaped(utf8)
        out.append(UInt8(ascii: "\""))
        return true
    }

    /// The bytes (two words) and count of the string at `s` when it is inline ASCII and needs no escape;
    /// nil otherwise. (Only where `StringBits.isAvailable`.)
    @inline(__always)
    private static func plainInlineASCII(at s: UnsafePointer<String>) -> (low: UInt64, high: UInt64, count: Int)? {
        let (low, high) = UnsafeRawPointer(s).load(as: (UInt64, UInt64).self)
        guard high >> 60 == 0xE else { return nil }
        let count = Int(truncatingIfNeeded: (high >> 56) & 0x0F)
        let bytes = high & 0x00FF_FFFF_FFFF_FFFF
        guard escapeFlags(low, bytes, count: count) == 0 else { return nil }
        return (low, bytes, count)
    }

    /// Nonzero when one of the first `count` bytes of the two words needs an escape.
    @inline(__always)
    private static func escapeFlags(_ low: UInt64, _ high: UInt64, count: Int) -> UInt64 {
        let lowMask: UInt64 = count >= 8 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1
        let highMask: UInt64 = count <= 8 ? 0 : (1 &<< UInt64(truncatingIfNeeded: (count &- 8) &* 8)) &- 1
        return UTF8Check.stringSpecials(low) & lowMask | UTF8Check.stringSpecials(high) & highMask
    }

    /// An inline ASCII string (its bytes in two words): checked for escapes 8 bytes at a time and, when
    /// it needs none, stored whole.
    @inline(__always)
    private mutating func writeInlineASCII(_ low: UInt64, _ high: UInt64, count: Int) {
        if JSONWriter.escapeFlags(low, high, count: count) == 0 {
            out.appendQuoted(words: low, high, count: count)
        } else {
            out.append(UInt8(ascii: "\""))
            withUnsafeBytes(of: (low.littleEndian, high.littleEndian)) {
                writeEscaped(UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[..<count]))
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    private mutating func writeString(_ s: String) {
        // Most names and many values are inline ASCII strings: their bytes are in the two words of the
        // String itself.
        if smallStrings, let (low, high, count) = SmallASCII.inlineASCII(s) {
            writeInlineASCII(low, high, count: count)
            return
        }
        out.append(UInt8(ascii: "\""))
        let written: Void? = s.utf8.withContiguousStorageIfAvailable { writeEscaped($0) }
        if written == nil {  // a bridged or otherwise non-contiguous string: make it native first
            var native = s
            native.makeContiguousUTF8()
            out.removeLast()
            writeString(native)
            return
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The bytes of a string with the characters JSON requires escaped, without the quotes.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        while true {
            // The next byte that may need an escape, found 8 bytes at a time; a byte of a multi-byte
            // character stops the scan too, and is passed over here.
            i = UTF8Check.plainRun(utf8, from: i)
            guard i < utf8.count else { break }
            let b = utf8[i]
            i += 1
            if b >= 0x80 { continue }
            out.append(UnsafeBufferPointer(rebasing: utf8[runStart..<(i - 1)]))
            runStart = i
            out.append(0x5C)
            switch b {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append("u00")
                out.append(JSONWriter.hexDigits.utf8Start[Int(b >> 4)])
                out.append(JSONWriter.hexDigits.utf8Start[Int(b & 0xF)])
            }
        }
        out.append(UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONSerializer.string(self) }
}

extension JSONSerializer {
    /// Calls `body` with the compact text of a patch made of `operations`: the same bytes as serializing
    /// `JSONPatch(operations).json`, written straight from the operations without building that tree
    /// (a durable store writes one such text per commit). The text lives only as long as the call.
    public static func withSerialized<R, E: Error>(operations: [PatchOperation],
                                                   _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var writer = JSONWriter(options: .compact)
        writer.writeOperations(operations)
        return try writer.out.withBytes(body)
    }
}

extension JSONWriter {
    /// The operations as an array of objects, members in the order of `PatchOperation.json`.
    fileprivate mutating func writeOperations(_ operations: [PatchOperation]) {
        out.append(UInt8(ascii: "["))
        for (index, operation) in operations.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append("{\"op\":")
            writeString(operation.name)
            switch operation {
            case .add(let path, let value), .replace(let path, let value), .test(let path, let value):
                out.append(",\"path\":")
                writeString(path.description)
                out.append(",\"value\":")
                write(value, indent: 0)
            case .remove(let path):
                out.append(",\"path\":")
                writeString(path.description)
            case .move(let from, let path), .copy(let from, let path):
                out.append(",\"from\":")
                writeString(from.description)
                out.append(",\"path\":")
                writeString(path.description)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }
}
