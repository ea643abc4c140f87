import Loader
import Policy
import Testing

/// `arp saddr ip` and its kin evaluated on test frames through the compiled pipeline: only
/// Ethernet/IPv4 ARP has them, through VLAN tags too, and a negated one holds for frames without.
@Suite struct ARPAddressEvaluationTests {
    static let policy = """
        version 1
        default forward
        set gateways = { 198.18.0.250, 198.18.0.254 }
        rule "gateway-spoof" {
            match arp saddr ip @gateways arp saddr ether != 02:00:00:00:00:fe
            drop
        }
        rule "probe-lan" {
            match arp operation request arp daddr ip { 198.18.5.0/24 }
            drop
        }
        rule "reply-to-honeypot" {
            match arp daddr ether 02:00:00:00:00:99
            reflect
        }
        test "the real gateway" {
            packet arp saddr ip 198.18.0.250 arp saddr ether 02:00:00:00:00:fe
            expect forward by default
        }
        test "a spoofed gateway" {
            packet arp saddr ip 198.18.0.254 arp saddr ether 02:00:00:00:00:01
            expect drop by "gateway-spoof"
        }
        test "a spoofed gateway behind a tag" {
            packet vlan id 10 arp saddr ip 198.18.0.254 arp saddr ether 02:00:00:00:00:01
            expect drop by "gateway-spoof"
        }
        test "a request into the probed net" {
            packet arp operation request arp daddr ip 198.18.5.77
            expect drop by "probe-lan"
        }
        test "a reply into the probed net" {
            packet arp operation reply arp daddr ip 198.18.5.77
            expect forward by default
        }
        test "outside the probed net" {
            packet arp operation request arp daddr ip 198.18.6.1
            expect forward by default
        }
        test "the honeypot's MAC" {
            packet arp operation reply arp daddr ether 02:00:00:00:00:99
            expect reflect by "reply-to-honeypot"
        }
        test "IPv4 has no ARP addresses" {
            packet ip saddr 198.18.0.1 ether saddr 02:00:00:00:00:01
            expect forward by default
        }
        """

    @Test func everyFrameIsJudgedAsItsTestSays() {
        let report = PolicyLoader.load(text: Self.policy, path: "/tmp/bk-arp.policy")
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(report.tests.count == 8)
        #expect(report.tests.filter { !$0.passed }.map(\.name) == [])
    }

    @Test func aTestPacketCannotBeARPAndIP() {
        let text = """
            version 1
            default forward
            test "t" {
                packet arp saddr ip 198.18.0.1 ip saddr 198.18.0.1
                expect forward
            }
            """
        let report = PolicyLoader.load(text: text, path: "/tmp/bk-arp.policy")
        #expect(
            report.errors.map(\.message) == [
                "test \"t\": a test packet cannot have both 'arp saddr ip' (arp) and 'ip saddr' (IPv4)"
            ])
    }
}
