#if canImport(Glibc)
import Glibc
#endif
import AGJSON

/// Loads the public conformance suites copied into `test-vectors/conformance` (sources and licenses there).
enum ConformanceData {
    static var directory: String {
        // #filePath is <root>/Tests/AGJSONTests/ConformanceData.swift.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/test-vectors/conformance"
    }

    static func bytes(_ relativePath: String) -> [UInt8] {
        let path = directory + "/" + relativePath
        guard let file = fopen(path, "rb") else { fatalError("conformance file missing: \(path)") }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Parses a data file. The json-patch-tests files hold records with duplicate "op" members on
    /// purpose (disabled there), so the files are read with duplicates allowed; patches under test are
    /// parsed strictly from their own text.
    static func load(_ relativePath: String) throws -> JSONValue {
        var data = bytes(relativePath)
        if relativePath.hasSuffix(".jsonc") { data = stripLineComments(data) }
        return try JSONParser.parse(data, options: ParseOptions(allowDuplicateKeys: true))
    }

    /// Removes `// ...` comments that stand outside strings (the jsoncons files have them after values).
    static func stripLineComments(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inString = false, escaped = false, i = 0
        while i < input.count {
            let b = input[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                out.append(b)
            } else if b == UInt8(ascii: "/") && i + 1 < input.count && input[i + 1] == UInt8(ascii: "/") {
                while i < input.count && input[i] != 0x0A { i += 1 }
                continue
            } else {
                if b == UInt8(ascii: "\"") { inString = true }
                out.append(b)
            }
            i += 1
        }
        return out
    }

    static func records(_ relativePath: String) throws -> [JSONObject] {
        guard case .array(let array) = try load(relativePath) else { return [] }
        return array.compactMap(\.objectValue)
    }
}

extension JSONValue {
    /// Re-serialises and parses strictly: what a caller handing us this text would see.
    var strictRoundTrip: JSONValue {
        get throws { try JSONParser.parse(JSONSerializer.serialize(self)) }
    }
}
