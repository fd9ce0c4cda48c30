#if canImport(Glibc)
import Glibc
#endif
import AGJSON
@testable import AGEvents

/// The shared event vectors in `test-vectors/events` (the same files the C, Python and Go tests read).
enum Vectors {
    static var directory: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/test-vectors/events"
    }

    static func bytes(_ relativePath: String) -> [UInt8] {
        let path = directory + "/" + relativePath
        guard let file = fopen(path, "rb") else { fatalError("vector file missing: \(path)") }
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

    struct RuleCase: CustomStringConvertible {
        var rule: String
        var profile: Profile
        var trigger: [String]
        var clean: [String]
        /// Where the trigger's finding must point, when the case says.
        var pointer: String?
        var description: String { pointer.map { "\(rule) at \($0)" } ?? rule }
    }

    static let ruleCases: [RuleCase] = {
        let doc = try! JSONParser.parse(bytes("rules.json"))
        let list = doc.objectValue!["cases"]!.arrayValue!
        return (0..<list.count).map { i in
            let o = list[i].objectValue!
            func lines(_ key: String) -> [String] {
                let a = o[key]!.arrayValue!
                return (0..<a.count).map { a[$0].stringValue! }
            }
            return RuleCase(rule: o["rule"]!.stringValue!, profile: Profile(rawValue: o["profile"]!.stringValue!)!,
                            trigger: lines("trigger"), clean: lines("clean"), pointer: o["pointer"]?.stringValue)
        }
    }()

    static let streamNames = ["agentic_chat", "tool_calls", "human_in_the_loop", "shared_state",
                              "predictive_state_updates", "multiple_runs"]
}

/// Runs lines through a fresh validator, one event each, then finishes.
func validate(_ lines: [String], profile: Profile, options: ValidatorOptions = ValidatorOptions()) -> (EventValidator, [Finding]) {
    let v = EventValidator(profile: profile, options: options)
    for line in lines {
        var text = line
        text.withUTF8 { v.feed(event: UnsafeRawBufferPointer($0)) }
    }
    v.finish()
    return (v, v.findings)
}

func feedStream(_ v: EventValidator, _ text: String) -> [Finding] {
    var text = text
    return text.withUTF8 { v.feed(stream: UnsafeRawBufferPointer($0)) }
}
