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
        var s = JSONSerializer(options: options)
        s.write(value, indent: 0)
        return s.bytes
    }

    public static func string(_ value: JSONValue, options: SerializeOptions = .compact) -> String {
        String(decoding: serialize(value, options: options), as: UTF8.self)
    }

    public mutating func write(_ value: JSONValue) { write(value, indent: 0) }

    private mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: appendASCII("null")
        case .bool(let b): appendASCII(b ? "true" : "false")
        case .number(let n): writeNumber(n)
        case .string(let s): writeString(s)
        case .array(let a): writeArray(a, indent: indent)
        case .object(let o): writeObject(o, indent: indent)
        }
    }

    private mutating func appendASCII(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        for _ in 0..<indent { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func writeArray(_ array: JSONArray, indent: Int) {
        bytes.append(UInt8(ascii: "["))
        if array.isEmpty { bytes.append(UInt8(ascii: "]")); return }
        var first = true
        for element in array.elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            if options.pretty { newline(indent + 1) }
            write(element, indent: indent + 1)
        }
        if options.pretty { newline(indent) }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ object: JSONObject, indent: Int) {
        bytes.append(UInt8(ascii: "{"))
        if object.isEmpty { bytes.append(UInt8(ascii: "}")); return }
        var first = true
        func member(_ key: String, _ value: JSONValue) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            if options.pretty { newline(indent + 1) }
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
            if options.pretty { bytes.append(0x20) }
            write(value, indent: indent + 1)
        }
        if options.sortKeys {
            for key in object.members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                member(key, object.members[key]!)
            }
        } else {
            for (key, value) in object.members { member(key, value) }
        }
        if options.pretty { newline(indent) }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeNumber(_ n: JSONNumber) {
        switch n {
        case .int(let i): bytes.append(contentsOf: String(i).utf8)
        case .bigInteger(let s): bytes.append(contentsOf: s.utf8)
        case .double(let d):
            // Swift prints the shortest digits that read back to the same double; its forms
            // ("1.0", "1e-07", "1e+21", "-0.0") are all valid JSON numbers. Non-finite values never get here.
            bytes.append(contentsOf: d.description.utf8)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                bytes.append(0x5C)
                switch b {
                case 0x22: bytes.append(0x22)
                case 0x5C: bytes.append(0x5C)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30,
                                              JSONSerializer.hexDigits[Int(b >> 4)], JSONSerializer.hexDigits[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONSerializer.string(self) }
}
