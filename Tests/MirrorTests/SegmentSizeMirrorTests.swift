import Foundation
import Policy
import TestSupport
import Testing

@testable import Mirror

/// `tcp option maxseg size`: the expressions `nft --debug=netlink` printed for the same text in
/// a scratch bridge table (nft 1.0.6), and the rules the kernel then holds, committed over
/// netlink and as nft text into two namespaces.
@Suite(.serialized) struct SegmentSizeMirrorTests {
    static let policy = """
        version 1
        default forward
        rule "clamp" {
            match tcp flags syn
            tcp option maxseg size set 1360
            forward
        }
        rule "clamp-to-port" {
            match tcp flags syn ip6 saddr 2001:db8::/32
            tcp option maxseg size set rt mtu
            forward
        }
        rule "odd-mss" {
            match tcp option maxseg size 1000-1459
            drop
        }
        rule "not-1460" {
            match tcp option maxseg size != 1460 tcp dport 9
            drop
        }
        """

    static func plan() throws -> MirrorPlan {
        let checked = PolicyReader.parse(text: Self.policy, path: "t.policy", ports: PortInterfaces(a: "pa", b: "pb"))
        let policy = try #require(checked.policy, "\(checked.diagnostics.map(\.rendered))")
        return MirrorPlanner.plan(policy, ports: P.ports)
    }

    @Test func setIsAnImmediateAndAnExthdrWriteAsNftCompilesIt() throws {
        let plan = try Self.plan()
        let lines = plan.rules(in: "forward").map { $0.expressions.map(\.description) }
        let write = [
            "[ immediate reg 1 0x00005005 ]",
            "[ exthdr write tcpopt reg 1 => 2b @ 2 + 2 ]",
        ]
        #expect(lines.contains { rule in rule.indices.contains { Array(rule[$0...].prefix(2)) == write } })
        let load = "[ exthdr load tcpopt 2b @ 2 + 2 => reg 1 ]"
        let range = ["[ cmp gte reg 1 0x0000e803 ]", "[ cmp lte reg 1 0x0000b305 ]"]
        #expect(
            lines.contains { rule in
                rule.firstIndex(of: load).map { Array(rule[($0 + 1)...].prefix(2)) == range } ?? false
            })
        #expect(plan.mirroredRuleNames.contains("clamp") && plan.mirroredRuleNames.contains("odd-mss"))
    }

    @Test func routeMTUAndNegatedMatchesAreLeftOutWithAReason() throws {
        let plan = try Self.plan()
        let notes = plan.notes.map { "\($0.rule ?? "-"): \($0.message)" }
        #expect(
            notes.contains {
                $0.hasPrefix("clamp-to-port: `tcp option maxseg size set rt mtu` is left out: the kernel refuses")
            })
        #expect(notes.contains { $0.hasPrefix("not-1460:") && $0.contains("negated `tcp option maxseg size`") })
        // No rule of the plan writes from a route.
        #expect(!plan.rules(in: "forward").contains { $0.expressions.description.contains("rt load") })
    }

    @Test func theKernelHoldsTheSameRulesBothWays() throws {
        let plan = try Self.plan()
        let viaNetlink = try NetworkNamespace("msn")
        defer { viaNetlink.delete() }
        let viaText = try NetworkNamespace("mst")
        defer { viaText.delete() }
        try viaNetlink.run { try NftablesConnection().commit(plan) }
        let loaded = viaText.exec(["nft", "-f", "-"], input: NftText.render(plan))
        try #require(loaded.succeeded, "\(loaded.errors)")
        let netlinkCode = try NftListing.bytecode(viaNetlink, table: "bridgekeeper")
        let textCode = try NftListing.bytecode(viaText, table: "bridgekeeper")
        if let difference = NftListing.difference(netlinkCode, textCode) {
            Issue.record("netlink and text differ: \(difference)")
        }
        let netlinkJSON = try #require(try NftListing.canonical(viaNetlink, table: "bridgekeeper"))
        let textJSON = try #require(try NftListing.canonical(viaText, table: "bridgekeeper"))
        #expect(netlinkJSON == textJSON)
        // nft reads the kernel's rule back as its exthdr set and match.
        let listing = viaNetlink.exec(["nft", "-j", "list", "ruleset"]).output
        #expect(
            listing.contains(
                #"{"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1360}}"#))
        #expect(
            listing.contains(
                #""left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": {"range": [1000, 1459]}"#))
    }
}

/// A kernel that reads and writes no TCP options in the bridge family gets neither, each noted.
@Suite struct SegmentSizeCapabilityTests {
    @Test func withoutTCPOptionsTheClampAndTheMatchAreLeftOut() throws {
        let checked = PolicyReader.parse(
            text: SegmentSizeMirrorTests.policy, path: "t.policy", ports: PortInterfaces(a: "pa", b: "pb"))
        let policy = try #require(checked.policy)
        var capabilities = KernelCapabilities.assumed
        capabilities.tcpOptions = false
        let plan = MirrorPlanner.plan(policy, ports: P.ports, capabilities: capabilities)
        let text = plan.rules(in: "forward").flatMap { $0.expressions.map(\.description) }.joined(separator: "\n")
        #expect(!text.contains("tcpopt"))
        let notes = plan.notes.map { "\($0.rule ?? "-"): \($0.message)" }
        #expect(notes.contains { $0.contains("the kernel writes no TCP options in the bridge family") })
        #expect(notes.contains { $0.contains("the kernel reads no TCP options") })
    }
}
