import Testing
import AGJSON

/// RFC 6902 conformance: json-patch-tests, jsonp-test-suite and jsoncons, every runnable case.
@Suite struct PatchConformanceTests {
    struct Outcome { var passed = 0; var failures: [String] = [] }

    /// Applies `patchValue` to `doc` as a caller would: the patch arrives as text and is read strictly.
    static func apply(_ doc: JSONValue, _ patchValue: JSONValue) throws(AGError) -> JSONValue {
        let text = JSONSerializer.serialize(patchValue)
        let read = text.withUnsafeBytes { raw in Result { () throws(AGError) in try JSONPatch(parsing: raw) } }
        return try read.get().apply(to: doc)
    }

    static func check(_ name: String, doc: JSONValue, patch: JSONValue, expected: JSONValue?, into outcome: inout Outcome) {
        do {
            let result = try apply(doc, patch)
            if let expected {
                if result == expected { outcome.passed += 1 } else { outcome.failures.append("\(name): got \(result), expected \(expected)") }
            } else {
                outcome.failures.append("\(name): applied, but an error was expected (got \(result))")
            }
        } catch {
            if expected == nil { outcome.passed += 1 } else { outcome.failures.append("\(name): \(error.message)") }
        }
    }

    @Test("json-patch-tests", arguments: ["json-patch-tests/tests.json", "json-patch-tests/spec_tests.json"])
    func jsonPatchTests(file: String) throws {
        var outcome = Outcome()
        var disabled = 0
        for (index, record) in try ConformanceData.records(file).enumerated() {
            guard let patch = record["patch"], let doc = record["doc"] else { continue } // comment-only records
            if record["disabled"] == .bool(true) { disabled += 1; continue }
            let name = "\(file)#\(index) \(record["comment"]?.stringValue ?? "")"
            #expect(record["expected"] != nil || record["error"] != nil, "\(name) has neither expected nor error")
            Self.check(name, doc: doc, patch: patch, expected: record["expected"], into: &outcome)
        }
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let runnable = file.hasSuffix("spec_tests.json") ? 16 : 92
        #expect(outcome.passed == runnable)
        #expect(disabled == (file.hasSuffix("spec_tests.json") ? 1 : 3))
    }

    /// RFC 6902 A.13: the parser sees the duplicate "op" that a map-based reader would lose.
    @Test func duplicateOpIsRejectedByTheParser() {
        let texts = [#"[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]"#,
                     #"[{ "op": "add", "path": "/baz", "value": "qux", "op": "move", "from":"/foo" }]"#]
        for text in texts {
            #expect(throws: AGError.self) { try JSONPatch(parsing: JSONParser.parse(text)) }
            do { _ = try JSONParser.parse(text); Issue.record("accepted") } catch {
                #expect(error.code == .invalidJSON)
                #expect(error.message.contains("duplicate member name \"op\""))
            }
        }
    }

    @Test("jsonp-test-suite patches", arguments: ["json-patch.json", "rfc6902-examples.json", "json-patch-malformed.json"])
    func jsonpPatches(file: String) throws {
        var outcome = Outcome()
        var skipped: [String] = []
        for record in try ConformanceData.records("jsonp-test-suite/" + file) {
            let title = record["title"]?.stringValue ?? "?"
            // A.13 as written in this file has lost its duplicate "op" (it was read into a map): what is
            // left is a valid remove with an extra member. The real A.13 is duplicateOpIsRejectedByTheParser.
            if record["skip"] == .bool(true) { skipped.append(title); continue }
            Self.check("\(file): \(title)", doc: record["json"]!, patch: record["patch"]!, expected: record["result"], into: &outcome)
        }
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.passed > 0)
        #expect(skipped.count == (file == "rfc6902-examples.json" ? 1 : 0))
    }

    @Test("jsoncons atomicity", arguments: ["jsoncons/jsonpatch-fail.jsonc", "jsoncons/jsonpatch-test.jsonc"])
    func jsoncons(file: String) throws {
        var outcome = Outcome()
        for group in try ConformanceData.records(file) {
            let given = group["given"]!
            for case .object(let c) in group["cases"]!.arrayValue! {
                let name = "\(file): \(c["comment"]?.stringValue ?? "")"
                Self.check(name, doc: given, patch: c["patch"]!, expected: c["result"], into: &outcome)
                if c["result"] == nil {
                    // All or nothing: the failed patch left the document exactly as given.
                    let doc = given
                    _ = try? PatchConformanceTests.apply(doc, c["patch"]!)
                    #expect(doc == given)
                }
            }
        }
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(outcome.passed == (file.hasSuffix("fail.jsonc") ? 4 : 2))
    }
}
