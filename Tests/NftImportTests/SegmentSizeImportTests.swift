import NftImport
import Testing

/// nft's MSS clamping and `tcp option maxseg` matches, in the JSON `nft -j list ruleset` printed
/// for them (nft 1.0.6).
@Suite struct SegmentSizeImportTests {
    typealias F = Fixture
    static let syn = F.match(F.payload("tcp", "flags"), #""syn""#, op: "in")
    static let maxseg = #"{"tcp option": {"name": "maxseg", "field": "size"}}"#
    static let option = #"{"tcp option": {"name": "maxseg"}}"#

    @Test func clampsTranslateToTheStatement() throws {
        let result = try F.imported([
            #"[\#(Self.syn), {"mangle": {"key": \#(Self.maxseg), "value": 1360}}]"#,
            #"[\#(Self.syn), {"mangle": {"key": \#(Self.maxseg), "value": {"rt": {"key": "mtu"}}}}]"#,
        ])
        #expect(
            F.rule("forward-1", in: result.policy)
                == "rule \"forward-1\" {\n    match tcp flags syn\n    tcp option maxseg size set 1360\n}")
        #expect(F.rule("forward-2", in: result.policy)?.contains("    tcp option maxseg size set rt mtu\n") == true)
        #expect(result.policy.contains("a bridge has no route"), "\(result.policy)")
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors.map(\.rendered))")
    }

    @Test func matchesKeepNftsMeaning() throws {
        let result = try F.imported([
            #"[\#(F.match(Self.maxseg, #"{"range": [1000, 1460]}"#)), \#(F.drop)]"#,
            // nft's != holds only where the option is: the policy says so.
            #"[\#(F.match(Self.maxseg, "1460", op: "!=")), \#(F.drop)]"#,
            #"[\#(F.match(Self.option, "true")), \#(F.accept)]"#,
            #"[\#(F.match(Self.option, "false")), \#(F.drop)]"#,
        ])
        #expect(F.rule("forward-1", in: result.policy)?.contains("match tcp option maxseg size 1000-1460\n") == true)
        #expect(
            F.rule("forward-2", in: result.policy)?.contains(
                "match tcp option maxseg size 0-65535 tcp option maxseg size != 1460\n") == true, "\(result.policy)")
        #expect(F.rule("forward-3", in: result.policy)?.contains("match tcp option maxseg size 0-65535\n") == true)
        #expect(F.rule("forward-4", in: result.policy)?.contains("match tcp option maxseg size != 0-65535\n") == true)
        #expect(F.check(result.policy).errors.isEmpty, "\(F.check(result.policy).errors.map(\.rendered))")
    }

    @Test func otherOptionsAndValuesAreLeftOutWithTheReason() throws {
        let result = try F.imported([
            #"[\#(F.match(#"{"tcp option": {"name": "window", "field": "count"}}"#, "7")), \#(F.drop)]"#,
            #"[\#(Self.syn), {"mangle": {"key": \#(Self.maxseg), "value": 70000}}]"#,
        ])
        #expect(
            result.leftOut.contains { $0.contains("the only TCP option in the language is maxseg") },
            "\(result.leftOut)")
        #expect(result.leftOut.contains { $0.contains("a number from 0 to 65535, or rt mtu") }, "\(result.leftOut)")
    }

    @Test func derivedTestsClampAndPass() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(Self.maxseg, #"{"range": [1, 535]}"#)), \#(F.drop)]"#,
                #"[\#(Self.syn), {"mangle": {"key": \#(Self.maxseg), "value": 1360}}, \#(F.accept)]"#,
            ], tests: true)
        let report = F.check(result.policy)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))\n\(result.policy)")
        #expect(!report.tests.isEmpty && report.tests.allSatisfy { $0.passed }, "\(result.policy)")
    }
}
