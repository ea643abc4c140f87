import Policy
import Testing

@Suite("Several errors per file, no cascades")
struct RecoveryTests {
    @Test func independentErrorsAreAllReported() {
        let text = """
            version 1
            define V6 = 2001:db8::/32
            default forward
            rule "a" {
                match tcp dport 70000 ip saddr $V6
                drop delay 5ms
            }
            rule "b" {
                match ip dcsp ef
                frward
            }
            rule "c" {
                match ^tcp dport 22
                forward
            }
            rule "d" {
                log prefix "unterminated
                drop
            }
            rule "e" { match tcp dport 22; forward }
            rule "e" { drop }
            test "t" {
                packet tcp dport 23
                expect drop by "nope"
            }
            """
        let result = check(text)
        #expect(
            errorSummary(result) == [
                "5:21 value-out-of-range", "5:36 wrong-value-kind", "6:10 invalid-option", "9:11 unknown-field",
                "10:5 unknown-keyword", "13:11 unexpected-character", "17:16 unterminated-string",
                "21:6 duplicate-rule",
                "24:20 unknown-rule",
            ])
        #expect(result.warnings.isEmpty)
        #expect(result.policy == nil)
    }

    @Test func brokenRuleDoesNotAlsoReportAMissingVerdict() {
        #expect(errorSummary(check(wrapped("rule \"a\" {\n    match tcp dprot 22\n}\n"))) == ["4:11 unknown-field"])
    }

    @Test func brokenExpectDoesNotAlsoReportAMissingExpect() {
        #expect(
            errorSummary(check(wrapped("test \"t\" {\n    packet tcp dport 1\n    expect dorp\n}\n"))) == [
                "5:12 unexpected-token"
            ])
    }

    @Test func missingBraceDoesNotSwallowTheNextRule() throws {
        let result = check(wrapped("rule \"a\" {\n    drop\nrule \"b\" { match tcp dport 70000; drop }\n"))
        #expect(errorSummary(result) == ["3:10 unexpected-token", "5:28 value-out-of-range"])
    }

    @Test func onlyTheFirstStatementAfterTheVerdictIsReported() {
        #expect(
            errorSummary(check(wrapped("rule \"a\" {\n    drop\n    log\n    forward\n}\n"))) == [
                "5:5 statement-after-verdict"
            ])
    }

    @Test func noWarningsWhileThereAreErrors() {
        let result = check(
            wrapped("define UNUSED = 1\nrule \"all\" { forward }\nrule \"x\" { match tcp dport 70000; drop }\n"))
        #expect(result.warnings.isEmpty)
        #expect(errorSummary(result) == ["5:28 value-out-of-range"])
    }

    @Test func statementThatRunsOnIsReportedOnce() {
        #expect(
            errorSummary(check(wrapped("rule \"a\" {\n    log prefix \"x\" extra words here\n    drop\n}\n"))) == [
                "4:20 unexpected-token"
            ])
    }
}
