import Foundation
import Policy
import Testing

@testable import Mirror

/// Frames crossing a kernel bridge that enforces only the mirror.
@Suite(.serialized) struct TrafficTests {
    @Test func kernelCountersAreReadBackByRuleName() throws {
        let lab = try BridgeLab("ct")
        defer { lab.delete() }
        try lab.makeBridge()
        try lab.left.ip(["addr", "add", "198.18.0.1/24", "dev", "ea"])
        try lab.right.ip(["addr", "add", "198.18.0.2/24", "dev", "ec"])
        let policy = P.policy([
            P.rule("echo-request", [P.field(.icmpType, P.value(8))], [], .forward),
            P.rule("echo-reply", [P.field(.icmpType, P.value(0))], [], .forward),
            P.rule("never", [P.field(.tcpDport, P.value(9))]),
        ])
        let connection = try lab.bridge.run { try NftablesConnection() }
        try connection.commit(MirrorPlanner.plan(policy, ports: BridgeLab.ports))
        try lab.left.must(["ping", "-c", "3", "-i", "0.2", "-W", "1", "198.18.0.2"])
        let counters = try connection.counters(table: "bridgekeeper")
        // 64 bytes of ICMP data: 84 bytes from the IPv4 header (the kernel counts no Ethernet header).
        #expect(counters["echo-request"] == RuleCounter(packets: 3, bytes: 252))
        #expect(counters["echo-reply"] == RuleCounter(packets: 3, bytes: 252))
        #expect(counters["never"] == RuleCounter(packets: 0, bytes: 0))
        #expect(counters.count == 3)
        // The same numbers nft shows.
        let rules = try NftListing.rules(lab.bridge, table: "bridgekeeper", keepCounters: true)
        let request = try #require(rules.first { $0["comment"] as? String == "echo-request" })
        let counter = (request["expr"] as? [[String: Any]])?.compactMap { $0["counter"] as? [String: Any] }.first
        #expect(counter?["packets"] as? Int == 3)
    }

    /// The mirror alone gives the verdicts the policy gives (decided by hand below), for sets,
    /// ranges, prefixes, IPv6, VLAN-tagged frames, ARP, `iif`, and the chain policy.
    @Test func theKernelGivesThePolicysVerdicts() throws {
        let lab = try BridgeLab("eq")
        defer { lab.delete() }
        try lab.makeBridge()
        let blocked = NamedSet(
            name: "blocked", elements: [P.v4("198.18.4.0/24"), P.v4("198.18.9.9")], valueKind: .ipv4, location: P.at(2))
        let policy = P.policy(
            [
                P.rule(
                    "allow-admin", [P.field(.ipSaddr, P.v4("198.18.5.5")), P.field(.tcpDport, P.value(22))], [],
                    .forward),
                P.rule("no-ssh", [P.field(.tcpDport, P.value(22))]),
                P.rule("blocked", [P.fieldValues(.ipSaddr, blocked.elements, set: "blocked")]),
                P.rule(
                    "web",
                    [
                        P.field(.tcpDport, P.value(80), P.value(443), P.range(8000, 8080)),
                        P.field(.ipDaddr, P.v4("198.18.0.0/16")),
                    ], [], .forward),
                P.rule("no-high-udp", [P.field(.udpDport, P.range(10000, 20000))]),
                P.rule("dns-from-a", [P.field(.iif, P.value(0)), P.field(.udpDport, P.value(53))]),
                P.rule("bad-v6", [P.field(.ip6Saddr, P.v6("2001:db8:bad::/48"))]),
                P.rule("v6-ping", [P.field(.icmpv6Type, P.value(128))], [], .forward),
                P.rule("vlan-20", [P.field(.vlanID, P.value(20))]),
                P.rule("vlan-30-2222", [P.field(.vlanID, P.value(30)), P.field(.tcpDport, P.value(2222))]),
                P.rule("arp-replies", [P.field(.arpOperation, P.value(2))]),
                P.rule("arp-for-trap", [P.field(.arpDaddrIP, P.v4("198.18.0.64/28"))]),
                P.rule("bad-mac", [P.field(.etherSaddr, P.value(P.mac("02:00:00:00:0b:ad")))]),
                P.rule("not-from-b", [P.field(.iif, P.value(1), negated: true), P.field(.udpDport, P.value(7))]),
                P.rule("rest-ip", [P.field(.etherType, P.value(0x0800))], [], .forward),
                P.rule("rest-arp", [P.field(.etherType, P.value(0x0806))], [], .forward),
                P.rule("rest-v6", [P.field(.ip6Daddr, P.v6("2001:db8::/48"))], [], .forward),
            ], default: .drop, sets: [blocked])
        let plan = MirrorPlanner.plan(policy, ports: BridgeLab.ports)
        // Only the 802.1ad notes of the VLAN rules: every rule is mirrored.
        #expect(plan.notes.allSatisfy { $0.code == .partlyMirrorable })
        try lab.bridge.run { try NftablesConnection().commit(plan) }

        // Each frame, and the rule (or default) the policy decides it by.
        var cases: [(frame: TestFrame, forwarded: Bool, because: String)] = []
        func add(_ forwarded: Bool, _ because: String, _ network: TestFrame.Network, tags: [(UInt16, UInt16)] = []) {
            cases.append((TestFrame(id: UInt32(cases.count + 1), tags: tags, network: network), forwarded, because))
        }
        func v4(_ source: String, _ destination: String, _ l4: TestFrame.L4) -> TestFrame.Network {
            .ipv4(source: source, destination: destination, l4: l4)
        }
        func v6(_ source: String, _ destination: String, _ l4: TestFrame.L4) -> TestFrame.Network {
            .ipv6(source: source, destination: destination, l4: l4)
        }
        let lan = "198.18.0.2"
        add(true, "allow-admin", v4("198.18.5.5", lan, .tcp(source: 40000, destination: 22)))
        add(false, "no-ssh", v4("198.18.1.1", lan, .tcp(source: 40000, destination: 22)))
        add(false, "blocked (prefix)", v4("198.18.4.7", lan, .tcp(source: 40000, destination: 80)))
        add(false, "blocked (single)", v4("198.18.9.9", lan, .tcp(source: 40000, destination: 80)))
        add(true, "web (range)", v4("198.18.1.1", lan, .tcp(source: 40000, destination: 8080)))
        add(true, "rest-ip", v4("198.18.1.1", "198.19.0.2", .tcp(source: 40000, destination: 8081)))
        add(false, "no-high-udp", v4("198.18.1.1", lan, .udp(source: 5000, destination: 15000)))
        add(true, "rest-ip", v4("198.18.1.1", lan, .udp(source: 5000, destination: 20001)))
        add(false, "dns-from-a", v4("198.18.1.1", lan, .udp(source: 5000, destination: 53)))
        add(false, "bad-v6", v6("2001:db8:bad::1", "2001:db8::2", .udp(source: 1, destination: 1234)))
        add(true, "v6-ping", v6("2001:db8:1::1", "2001:db8::2", .icmp(type: 128)))
        add(false, "no-ssh over IPv6", v6("2001:db8:1::1", "2001:db8::2", .tcp(source: 1, destination: 22)))
        add(false, "the default", v6("2001:db8:1::1", "2001:db8:ffff::1", .udp(source: 1, destination: 9)))
        add(true, "web, through the tag", v4("198.18.1.1", lan, .tcp(source: 1, destination: 80)), tags: [(0x8100, 20)])
        add(false, "vlan-20", v4("198.18.1.1", lan, .udp(source: 1, destination: 9999)), tags: [(0x8100, 20)])
        add(false, "vlan-30-2222", v4("198.18.1.1", lan, .tcp(source: 1, destination: 2222)), tags: [(0x8100, 30)])
        add(true, "rest-ip", v4("198.18.1.1", lan, .tcp(source: 1, destination: 2222)), tags: [(0x8100, 31)])
        add(true, "rest-arp", .arp(operation: 1))
        add(false, "arp-replies", .arp(operation: 2))
        add(false, "arp-for-trap", .arp(operation: 1, target: "198.18.0.66"))
        add(true, "rest-arp, beside the trap", .arp(operation: 1, target: "198.18.0.80"))
        add(false, "arp-for-trap, through the tag", .arp(operation: 1, target: "198.18.0.66"), tags: [(0x8100, 10)])
        add(
            false, "arp-for-trap, through two tags", .arp(operation: 1, target: "198.18.0.66"),
            tags: [(0x88a8, 100), (0x8100, 10)])
        add(true, "rest-arp, through two tags", .arp(operation: 1), tags: [(0x88a8, 100), (0x8100, 10)])
        add(false, "the default", .raw(etherType: 0x88b5))
        add(true, "rest-arp, through the tag", .arp(operation: 1), tags: [(0x8100, 10)])
        add(true, "v6-ping, tagged", v6("2001:db8:1::1", "2001:db8::2", .icmp(type: 128)), tags: [(0x8100, 40)])
        add(false, "not-from-b", v4("198.18.1.1", lan, .udp(source: 1, destination: 7)))
        var badMAC = TestFrame(id: 100, network: v4("198.18.1.1", lan, .udp(source: 1, destination: 7777)))
        badMAC.source = [0x02, 0, 0, 0, 0x0b, 0xad]
        cases.append((badMAC, false, "bad-mac"))

        let crossed = try lab.crossing(cases.map(\.frame))
        for item in cases {
            #expect(
                crossed.contains(item.frame.id) == item.forwarded,
                "frame \(item.frame.id) should be \(item.forwarded ? "forwarded" : "dropped") by \(item.because)")
        }
        let counters = try lab.bridge.run { try NftablesConnection().counters(table: "bridgekeeper") }
        #expect(counters["no-ssh"]?.packets == 2)
        #expect(counters["web"]?.packets == 2)
        #expect(counters["blocked"]?.packets == 2)
    }

    @Test func rewritesAreAppliedByTheKernel() throws {
        let lab = try BridgeLab("rw")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([
            P.rule("mark", [P.field(.iif, P.value(0))], [.set(.ipDSCP, 46), .set(.udpDport, 5353)], .forward)
        ])
        try lab.bridge.run { try NftablesConnection().commit(MirrorPlanner.plan(policy, ports: BridgeLab.ports)) }
        let receiver = try lab.right.run { try PacketSocket(interface: "ec") }
        let sender = try lab.left.run { try PacketSocket(interface: "ea") }
        try sender.send(
            TestFrame(
                id: 7,
                network: .ipv4(source: "198.18.1.1", destination: "198.18.0.2", l4: .udp(source: 9, destination: 53))
            ).bytes)
        try sender.send(TestFrame(id: 8, network: .arp(operation: 1)).bytes)
        let frames = receiver.receive(for: 0.5)
        let udp = try #require(frames.first { TestFrame.ids(in: [$0]) == [7] })
        #expect(udp[15] == 46 << 2)  // TOS byte: DSCP EF
        #expect(Array(udp[36...37]) == [0x14, 0xe9])  // UDP destination port 5353
        let header = Array(udp[14..<34])
        #expect(TestFrame.checksum(header) == 0)  // the IPv4 header checksum was fixed
        #expect(frames.contains { TestFrame.ids(in: [$0]) == [8] })  // ARP passes untouched
    }
}
