import Testing

@testable import Policy

/// nft's `tcp option maxseg size`: a match field, `set N` and `set rt mtu`, and what a mistyped
/// one says, at the place it was written.
@Suite struct SegmentSizeSyntaxTests {
    private func rule(_ body: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Rule? {
        policy(wrapped("rule \"r\" {\n\(body)\n}\n"), sourceLocation: sourceLocation)?.rules.first
    }

    /// Errors as `LINE:COL message` of a one-rule policy (the body starts on line 4).
    private func errors(_ body: String) -> [String] {
        check(wrapped("rule \"r\" {\n\(body)\n}\n")).errors.map {
            "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)"
        }
    }

    @Test func setAndRouteMTUAreStatements() throws {
        let fixed = try #require(rule("    match tcp flags syn\n    tcp option maxseg size set 1360\n    forward"))
        #expect(fixed.statements.map(\.kind) == [.set(.tcpMSS, 1360)])
        #expect(fixed.statements[0].location.line == 5 && fixed.statements[0].location.column == 5)
        #expect(fixed.hasRewrites)
        let routed = try #require(rule("    match tcp flags syn\n    tcp option maxseg size set rt mtu\n    forward"))
        #expect(routed.statements.map(\.kind) == [.segmentSizeToMTU])
        #expect(routed.hasRewrites)
        // nft puts the statement on the match line's level too: a rule with no match clamps all.
        #expect(rule("    tcp option maxseg size set 536")?.statements.map(\.kind) == [.set(.tcpMSS, 536)])
    }

    @Test func matchesTakeValuesRangesAndSets() throws {
        let matched = try #require(
            rule("    match tcp option maxseg size 1000-1460 tcp option maxseg size != 1400\n    drop"))
        let fields = fieldMatches(matched)
        #expect(fields.map(\.field) == [.tcpMSS, .tcpMSS])
        #expect(fields[0].values == [ValueInterval(lo: 1000, hi: 1460)])
        #expect(fields[1].negated)
        let set = try #require(rule("    match tcp option maxseg size { 536, 1220 }\n    drop"))
        #expect(fieldMatches(set)[0].values == [ValueInterval(536), ValueInterval(1220)])
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        #expect(
            errors("    tcp option maxseg size set 70000") == [
                "4:32 value 70000 is out of range for tcp option maxseg size (0-65535)"
            ])
        #expect(
            errors("    tcp option maxseg size set rt\n    forward").first?.hasPrefix(
                "4:32 expected 'mtu' after 'rt': tcp option maxseg size set rt mtu") == true)
        #expect(
            errors("    match tcp option window count 7\n    drop").first?.hasPrefix(
                "4:11 'tcp option window' is not supported yet") == true)
        #expect(
            errors("    match tcp option maxseg exists\n    drop") == [
                "4:11 'tcp option maxseg exists' is not supported yet; write tcp option maxseg size 0-65535, "
                    + "which holds for the same frames"
            ])
        #expect(
            errors("    match tcp option maxseg length 4\n    drop") == [
                "4:11 expected 'size' after 'tcp option maxseg', found 'length'; the field is tcp option maxseg size"
            ])
        #expect(
            errors("    match tcp option\n    drop") == [
                "4:15 'tcp option' needs an option and a field, as in tcp option maxseg size"
            ])
        // rt mtu is a value only of the MSS rewrite.
        #expect(errors("    ip ttl set rt mtu\n    forward").first == "4:16 ip ttl takes a number, not 'rt'")
    }

    @Test func aRejectedFrameIsNotClamped() {
        #expect(
            errors("    tcp option maxseg size set rt mtu\n    reject").first?.hasPrefix(
                "4:5 a rejected frame goes nowhere") == true)
    }
}
