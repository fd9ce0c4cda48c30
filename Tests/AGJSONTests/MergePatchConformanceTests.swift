import Testing
import AGJSON

/// RFC 7386 conformance: jsonp-test-suite and the jsoncons copy of RFC 7396 Appendix A.
@Suite struct MergePatchConformanceTests {
    @Test("jsonp merge patch", arguments: ["jsonp-test-suite/json-merge-patch.json", "jsonp-test-suite/rfc7396-examples.json"])
    func jsonp(file: String) throws {
        var passed = 0
        for group in try ConformanceData.records(file) {
            for case .object(let t) in group["tests"]!.arrayValue! {
                let result = MergePatch.apply(t["patch"]!, to: group["source"]!)
                #expect(result == t["target"]!, "\(t["description"]?.stringValue ?? "")")
                passed += 1
            }
        }
        #expect(passed == (file.hasSuffix("rfc7396-examples.json") ? 2 : 26))
    }

    @Test func appendixA() throws {
        var passed = 0
        for group in try ConformanceData.records("jsoncons/mergepatch-rfc7396-test-cases.json") {
            for case .object(let c) in group["cases"]!.arrayValue! {
                #expect(MergePatch.apply(c["patch"]!, to: group["given"]!) == c["result"]!)
                passed += 1
            }
        }
        #expect(passed == 15)
    }
}
