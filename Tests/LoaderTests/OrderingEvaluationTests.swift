import Loader
import Policy
import Testing

/// Orderings evaluated on test frames through the compiled pipeline, at their bounds.
@Suite struct OrderingEvaluationTests {
    static let policy = """
        version 1
        default forward
        rule "dying" {
            match ip ttl < 5
            drop
        }
        rule "high-ports" {
            match tcp dport > 1023 tcp dport <= 2000
            reflect
        }
        rule "big" {
            match meta length >= 1000
            drop
        }
        test "ttl 4 dies" {
            packet ip ttl 4 udp dport 9
            expect drop by "dying"
        }
        test "ttl 5 lives" {
            packet ip ttl 5 udp dport 9
            expect forward by default
        }
        test "1023 is not high" {
            packet tcp dport 1023
            expect forward by default
        }
        test "1024 is" {
            packet tcp dport 1024
            expect reflect by "high-ports"
        }
        test "2000 is" {
            packet tcp dport 2000
            expect reflect by "high-ports"
        }
        test "2001 is past both" {
            packet tcp dport 2001
            expect forward by default
        }
        test "udp has no tcp dport" {
            packet udp dport 1500
            expect forward by default
        }
        test "999 bytes" {
            packet meta length 999
            expect forward by default
        }
        test "1000 bytes" {
            packet meta length 1000
            expect drop by "big"
        }
        """

    @Test func everyFrameIsJudgedAsItsTestSays() {
        let report = PolicyLoader.load(text: Self.policy, path: "/tmp/bk-orderings.policy")
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(report.tests.count == 9)
        #expect(report.tests.filter { !$0.passed }.map(\.name) == [])
    }

    /// nft's words for the operators: `lt`, `gt`, `le`, `ge`, `eq` and `ne`, as the symbols.
    @Test func nftsWordsAreTheSymbols() {
        let words = Self.policy
            .replacingOccurrences(of: "ip ttl < 5", with: "ip ttl lt 5")
            .replacingOccurrences(of: "tcp dport > 1023 tcp dport <= 2000", with: "tcp dport gt 1023 tcp dport le 2000")
            .replacingOccurrences(of: "meta length >= 1000", with: "meta length ge 1000")
        #expect(words != Self.policy)
        let report = PolicyLoader.load(text: words, path: "/tmp/bk-orderings.policy")
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(report.tests.count == 9 && report.tests.allSatisfy(\.passed))
        let equality = """
            version 1
            default drop
            rule "not-ssh" {
                match tcp dport ne 22 ip ttl eq 64
                forward
            }
            test "ssh stays" {
                packet tcp dport 22 ip ttl 64
                expect drop by default
                packet tcp dport 80 ip ttl 64
                expect forward by "not-ssh"
                packet tcp dport 80 ip ttl 63
                expect drop by default
            }
            """
        let checked = PolicyLoader.load(text: equality, path: "/tmp/bk-equality.policy")
        #expect(checked.errors.isEmpty, "\(checked.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(checked.tests.count == 1 && checked.tests.allSatisfy(\.passed))
    }
}
