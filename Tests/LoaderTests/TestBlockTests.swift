import Loader
import Policy
import Testing

/// `test` blocks run against the compiled policy; a failing one is an error at its line.
@Suite struct TestBlockTests {
    func load(_ text: String) -> LoadReport {
        PolicyLoader.load(text: text, path: "/tmp/bk-testblocks.policy")
    }

    @Test func passingTestsLoad() {
        let report = load(
            """
            version 1
            default forward
            rule "no-telnet" {
                match tcp dport 23
                drop
            }
            rule "mark" {
                match udp dport 5060
                ip dscp set ef
                forward
            }
            test "telnet" {
                packet iif a ip saddr 198.18.0.1 tcp dport 23
                expect drop by "no-telnet"
            }
            test "sip" {
                packet udp dport 5060
                expect forward by "mark" with ip dscp ef
            }
            test "web" {
                packet tcp dport 443
                expect forward by default
            }
            """)
        #expect(report.errors.isEmpty)
        #expect(report.tests.map(\.passed) == [true, true, true])
        #expect(report.loaded?.testsRun == 3)
    }

    @Test func aFailingTestIsAnErrorAtItsLineAndStopsTheLoad() {
        let report = load(
            """
            version 1
            default forward
            rule "no-telnet" {
                match tcp dport 23
                drop
            }
            test "ssh is dropped" {
                packet tcp dport 22
                expect drop by "no-telnet"
            }
            """)
        #expect(report.loaded == nil)
        let failure = report.errors.first
        #expect(failure?.code == .testFailed)
        #expect(failure?.location?.line == 7)
        #expect(failure?.location?.column == 1)
        #expect(
            failure?.message == "test \"ssh is dropped\" failed: expected drop by \"no-telnet\", got forward by default"
        )
        #expect(failure?.rendered.contains("/tmp/bk-testblocks.policy:7:1: error:") == true)
    }

    @Test func aWrongRewriteExpectationNamesBothValues() {
        let report = load(
            """
            version 1
            default forward
            rule "mark" {
                match udp dport 5060
                ip dscp set cs3
                forward
            }
            test "sip" {
                packet udp dport 5060
                expect forward by "mark" with ip dscp ef ip ttl 64
            }
            """)
        #expect(report.errors.first?.message == "test \"sip\" failed: expected ip dscp 46, got 24")
    }

    @Test func aContradictoryTestPacketIsReported() {
        let report = load(
            """
            version 1
            default forward
            test "both" {
                packet tcp dport 1 udp dport 2
                expect forward
            }
            """)
        #expect(report.errors.first?.code == .invalidValue)
        #expect(report.errors.first?.message.contains("both 'tcp dport' (tcp) and 'udp dport' (udp)") == true)
    }

    @Test func testPacketsTakeTheirShapeFromTheirFields() {
        let report = load(
            """
            version 1
            default drop
            rule "arp" {
                match arp operation reply
                forward
            }
            rule "v6-ping" {
                match ip6 saddr 2001:db8::1 icmpv6 type echo-request
                forward
            }
            rule "tagged-long" {
                match vlan id 7 vlan pcp 5 meta length 300-400
                forward
            }
            rule "gre" {
                match ip protocol 47
                forward
            }
            test "arp" {
                packet arp operation reply
                expect forward by "arp"
            }
            test "v6" {
                packet ip6 saddr 2001:db8::1 icmpv6 type echo-request
                expect forward by "v6-ping"
            }
            test "tagged" {
                packet vlan id 7 vlan pcp 5 meta length 350
                expect forward by "tagged-long"
            }
            test "gre" {
                packet ip protocol 47
                expect forward by "gre"
            }
            test "plain" {
                packet ip saddr 198.18.0.1
                expect drop by default
            }
            """)
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered))")
        #expect(report.tests.allSatisfy { $0.passed })
    }
}
