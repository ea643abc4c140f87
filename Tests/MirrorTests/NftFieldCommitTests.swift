import Foundation
import Policy
import TestSupport
import Testing

@testable import Mirror

/// The mirror of nft's match fields, committed over netlink and as nft text into two
/// namespaces: the kernel must hold the same rules and sets both ways (`nft -j list ruleset`).
@Suite(.serialized) struct NftFieldCommitTests {
    static let policy = """
        version 1
        default forward
        rule "from-lan" {
            match iifname "pa" tcp dport { ssh, https }
            drop
        }
        rule "to-lan" {
            match oifname { "pa" } udp dport ntp
            drop
        }
        rule "dns" {
            match th dport domain ip daddr 198.18.0.53
            forward
        }
        rule "not-dns" {
            match th sport != { domain, 5353 } ip saddr 198.18.0.53
            drop
        }
        rule "v6" {
            match meta nfproto ipv6 meta pkttype multicast
            drop
        }
        rule "broadcast" {
            match meta pkttype broadcast ether type arp
            forward
        }
        rule "bare-syn" {
            match tcp flags & (fin|syn|rst|ack) == syn tcp dport http
            drop
        }
        rule "syn-or-ack" {
            match tcp flags & (syn|ack) != 0 tcp dport 9090
            log prefix "sa " level warn flags all
            drop
        }
        rule "pairs" {
            match ip saddr . tcp dport { 198.18.0.1 . 22, 198.18.0.0/24 . 443 } ip ttl 64
            drop
        }
        rule "arp-spoof" {
            match arp operation reply arp saddr ip { 198.18.0.1, 198.18.0.254 } arp saddr ether != 02:00:00:00:00:fe
            drop
        }
        rule "arp-probe" {
            match arp daddr ip 198.18.5.0/24 arp daddr ether 02:00:00:00:00:99
            drop
        }
        """

    @Test func commitMatchesWhatNftMakesOfTheText() throws {
        let checked = PolicyReader.parse(text: Self.policy, path: "t.policy", ports: PortInterfaces(a: "pa", b: "pb"))
        let policy = try #require(checked.policy, "\(checked.diagnostics.map(\.rendered))")
        let plan = MirrorPlanner.plan(policy, ports: P.ports)
        #expect(
            plan.mirroredRuleNames == [
                "from-lan", "to-lan", "dns", "not-dns", "v6", "broadcast", "bare-syn", "syn-or-ack", "pairs",
                "arp-spoof", "arp-probe",
            ])
        let viaNetlink = try NetworkNamespace("fnl")
        defer { viaNetlink.delete() }
        let viaText = try NetworkNamespace("ftx")
        defer { viaText.delete() }
        try viaNetlink.run { try NftablesConnection().commit(plan) }
        let loaded = viaText.exec(["nft", "-f", "-"], input: NftText.render(plan))
        try #require(loaded.succeeded, "\(loaded.errors)")
        let netlinkCode = try NftListing.bytecode(viaNetlink, table: "bridgekeeper")
        let textCode = try NftListing.bytecode(viaText, table: "bridgekeeper")
        #expect(netlinkCode.values.reduce(0) { $0 + $1.count } > 10, "the listing was parsed")
        if let difference = NftListing.difference(netlinkCode, textCode) {
            Issue.record("netlink and text differ: \(difference)")
        }
        let netlinkJSON = try #require(try NftListing.canonical(viaNetlink, table: "bridgekeeper"))
        let textJSON = try #require(try NftListing.canonical(viaText, table: "bridgekeeper"))
        #expect(netlinkJSON == textJSON)
    }
}
