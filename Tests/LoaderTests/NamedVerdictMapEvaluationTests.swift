import Loader
import Policy
import Testing

/// `vmap @NAME` through the compiled pipeline: each element decides as in an inline map, a
/// `jump` element runs its chain, and one map serves two fields.
@Suite struct NamedVerdictMapEvaluationTests {
    static let policy = """
        version 1
        default forward
        map services {
            type inet_service : verdict
            flags interval
            elements = { 22 : drop, 80 : accept,
                         8000-8080 : jump web }
        }
        chain web {
            rule "alt" {
                match tcp dport 8080
                reflect
            }
        }
        rule "tcp" {
            match ip saddr 198.18.0.0/15
            tcp dport vmap @services
        }
        rule "udp" {
            udp dport vmap @services
        }
        rule "rest" {
            match meta l4proto tcp
            drop
        }
        test "ssh" {
            packet ip saddr 198.18.0.1 tcp dport 22
            expect drop by "tcp"
        }
        test "http" {
            packet ip saddr 198.18.0.1 tcp dport 80
            expect forward by "tcp"
        }
        test "8080 through the chain" {
            packet ip saddr 198.18.0.1 tcp dport 8080
            expect reflect by "web/alt"
        }
        test "8001 goes on after the chain" {
            packet ip saddr 198.18.0.1 tcp dport 8001
            expect drop by "rest"
        }
        test "not in the map" {
            packet ip saddr 198.18.0.1 tcp dport 443
            expect drop by "rest"
        }
        test "outside the source net" {
            packet ip saddr 203.0.113.1 tcp dport 22
            expect drop by "rest"
        }
        test "udp 22" {
            packet udp dport 22
            expect drop by "udp"
        }
        test "udp 53" {
            packet udp dport 53
            expect forward by default
        }
        """

    @Test func everyFrameIsJudgedAsItsTestSays() {
        let report = PolicyLoader.load(text: Self.policy, path: "/tmp/bk-vmap.policy")
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(report.tests.count == 8)
        #expect(report.tests.filter { !$0.passed }.map(\.name) == [])
    }
}
