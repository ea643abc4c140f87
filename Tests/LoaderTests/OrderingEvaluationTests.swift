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
}
