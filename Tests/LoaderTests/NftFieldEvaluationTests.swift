import Loader
import Policy
import Testing

/// nft's match fields evaluated on frames: each `test` block is a frame the compiled policy
/// must judge as the block expects (a wrong meaning fails the block, and the load).
@Suite struct NftFieldEvaluationTests {
    static let policy = """
        version 1
        default forward
        rule "lan-to-wan-ssh" {
            match iifname "lan0" oifname "wan0" tcp dport ssh
            drop
        }
        rule "dns-any-transport" {
            match th dport domain
            drop
        }
        rule "v4-broadcast" {
            match meta pkttype broadcast meta nfproto ipv4
            drop
        }
        rule "v6-multicast" {
            match meta pkttype multicast meta nfproto ipv6
            drop
        }
        rule "bare-syn" {
            match tcp flags & (fin|syn|rst|ack) == syn tcp dport 8080
            drop
        }
        rule "syn-or-ack" {
            match tcp flags & (syn|ack) != 0 tcp dport 9090
            drop
        }
        rule "old-style-syn" {
            match tcp flags syn / fin,syn,rst,ack tcp dport 7070
            drop
        }
        rule "logged" {
            match udp dport ntp
            log prefix "ntp " level notice flags all
            drop
        }
        test "ssh from lan" {
            packet iif a tcp dport 22
            expect drop by "lan-to-wan-ssh"
        }
        test "ssh from wan" {
            packet iif b tcp dport 22
            expect forward by default
        }
        test "dns over udp" {
            packet udp dport 53
            expect drop by "dns-any-transport"
        }
        test "dns over tcp" {
            packet tcp sport 53 tcp dport 53
            expect drop by "dns-any-transport"
        }
        test "icmp has no transport ports" {
            packet ip saddr 198.18.0.1 icmp type echo-request
            expect forward by default
        }
        test "v4 broadcast" {
            packet ether daddr ff:ff:ff:ff:ff:ff ip saddr 198.18.0.1 udp dport 9
            expect drop by "v4-broadcast"
        }
        test "v4 unicast" {
            packet ether daddr 02:00:00:00:00:01 ip saddr 198.18.0.1 udp dport 9
            expect forward by default
        }
        test "v6 multicast" {
            packet ether daddr 33:33:00:00:00:01 ip6 saddr 2001:db8::1 udp dport 9
            expect drop by "v6-multicast"
        }
        test "v6 broadcast is not multicast" {
            packet ether daddr ff:ff:ff:ff:ff:ff ip6 saddr 2001:db8::1 udp dport 9
            expect forward by default
        }
        test "bare syn" {
            packet tcp dport 8080 tcp flags syn|psh
            expect drop by "bare-syn"
        }
        test "syn ack is not bare" {
            packet tcp dport 8080 tcp flags syn|ack
            expect forward by default
        }
        test "an ack has syn or ack" {
            packet tcp dport 9090 tcp flags ack
            expect drop by "syn-or-ack"
        }
        test "a fin has neither" {
            packet tcp dport 9090 tcp flags fin
            expect forward by default
        }
        test "not-equal holds only for tcp" {
            packet udp dport 9090
            expect forward by default
        }
        test "nft 1.0 syn" {
            packet tcp dport 7070 tcp flags syn
            expect drop by "old-style-syn"
        }
        test "nft 1.0 syn rst" {
            packet tcp dport 7070 tcp flags syn|rst
            expect forward by default
        }
        test "ntp" {
            packet udp dport 123
            expect drop by "logged"
        }
        """

    @Test func everyFrameIsJudgedAsItsTestSays() {
        let report = PolicyLoader.load(
            text: Self.policy, path: "/tmp/bk-nft-fields.policy", ports: PortInterfaces(a: "lan0", b: "wan0"))
        #expect(report.errors.isEmpty, "\(report.errors.map(\.rendered).joined(separator: "\n"))")
        #expect(report.tests.count == 17)
        #expect(report.tests.filter { !$0.passed }.map(\.name) == [])
        #expect(report.loaded?.compiled.logLevels == [.notice])
    }

    /// The same policy with the ports the other way round: `iifname "lan0"` is now port b, so
    /// the first two tests swap outcomes and fail.
    @Test func interfaceNamesFollowThePorts() {
        let report = PolicyLoader.load(
            text: Self.policy, path: "/tmp/bk-nft-fields.policy", ports: PortInterfaces(a: "wan0", b: "lan0"))
        #expect(report.tests.filter { !$0.passed }.map(\.name) == ["ssh from lan", "ssh from wan"])
    }
}
