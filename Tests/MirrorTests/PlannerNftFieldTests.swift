import Mirror
import Policy
import Testing

/// The mirror of nft's match fields a ported ruleset uses, planned from policy text: each
/// becomes what the language field it stands for becomes (`iifname` is `meta iifname` of the
/// port, `meta pkttype` is `ether daddr`), and masked `tcp flags` its own mask and comparison.
@Suite struct PlannerNftFieldTests {
    /// The policy `match LINE; VERDICT`, with ports a and b named pa and pb.
    static func plan(
        _ line: String, verdict: String = "drop", sourceLocation: Testing.SourceLocation = #_sourceLocation
    )
        -> MirrorPlan
    {
        let text = "version 1\ndefault forward\nrule \"r\" {\n    match \(line)\n    \(verdict)\n}\n"
        let result = PolicyReader.parse(text: text, path: "t.policy", ports: PortInterfaces(a: "pa", b: "pb"))
        guard let policy = result.policy else {
            Issue.record(
                Comment(rawValue: result.diagnostics.map(\.rendered).joined(separator: "\n")),
                sourceLocation: sourceLocation)
            return MirrorPlanner.plan(P.policy([]), ports: P.ports)
        }
        return MirrorPlanner.plan(policy, ports: P.ports)
    }

    /// The rule's forward-chain expressions without the counter and verdict.
    private func matchLines(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
        let rule = Self.plan(line, sourceLocation: sourceLocation).rules(in: "forward").first
        return Array((rule?.expressions.map(\.description) ?? []).dropLast(2))
    }

    private func text(_ line: String) -> String? { Self.plan(line).rules(in: "forward").first?.text }

    @Test func interfaceNamesAreTheirPortsInterfaces() {
        #expect(!matchLines(#"iifname "pa""#).isEmpty)
        #expect(matchLines(#"iifname "pa""#) == matchLines("iif a"))
        #expect(text(#"iifname "pa""#) == #"meta iifname "pa" counter drop"#)
        // Leaving by pa is arriving on pb.
        #expect(matchLines(#"oifname "pa""#) == matchLines("iif b"))
        #expect(text(#"oifname != "pa""#) == #"meta iifname != "pb" counter drop"#)
    }

    @Test func nfprotoIsMetaProtocol() {
        #expect(matchLines("meta nfproto ipv6") == ["[ meta load protocol => reg 1 ]", "[ cmp eq reg 1 0x0000dd86 ]"])
        #expect(matchLines("meta nfproto ipv4") == matchLines("ether type ip"))
        #expect(matchLines("ether type 8021q") == matchLines("ether type vlan"))
    }

    @Test func pkttypeIsTheDestinationMAC() throws {
        #expect(
            matchLines("meta pkttype broadcast") == [
                "[ payload load 6b @ link header + 0 => reg 1 ]", "[ cmp eq reg 1 0xffffffff 0x0000ffff ]",
            ])
        let plan = Self.plan("meta pkttype multicast")
        let lines = plan.rules(in: "forward").first?.expressions.map(\.description) ?? []
        #expect(lines.first == "[ payload load 6b @ link header + 0 => reg 1 ]")
        #expect(lines.dropFirst().first?.hasPrefix("[ lookup reg 1 set ") == true)
        let set = try #require(plan.sets.first { $0.isAnonymous })
        #expect(set.isInterval && set.keyType.name == "ether_addr")
        // Each run of odd first octets is a /8 prefix, the last one stops short of broadcast.
        #expect(set.elementsText.hasPrefix("{ 01:00:00:00:00:00/8, 03:00:00:00:00:00/8, "))
        #expect(set.elementsText.contains("ff:00:00:00:00:00-ff:ff:ff:ff:ff:fe"))
        #expect(!set.elementsText.contains("02:00:00:00:00:00"))
    }

    @Test func maskedFlagsAreAMaskAndOneComparison() {
        let tcp = ["[ meta load l4proto => reg 1 ]", "[ cmp eq reg 1 0x00000006 ]"]
        #expect(
            matchLines("tcp flags & (fin|syn|rst|ack) == syn") == tcp + [
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x00000017 ) ^ 0x00000000 ]", "[ cmp eq reg 1 0x00000002 ]",
            ])
        #expect(text("tcp flags & (fin|syn|rst|ack) == syn") == "tcp flags & 0x17 == 0x02 counter drop")
        #expect(matchLines("tcp flags syn / fin,syn,rst,ack") == matchLines("tcp flags & (fin|syn|rst|ack) == syn"))
        // `!=` is still a positive term: only TCP frames, after the same dependency.
        #expect(
            matchLines("tcp flags & (syn|ack) != 0") == tcp + [
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x00000012 ) ^ 0x00000000 ]", "[ cmp neq reg 1 0x00000000 ]",
            ])
    }

    @Test func serviceNamesAreTheirPorts() {
        #expect(matchLines("tcp dport https") == matchLines("tcp dport 443"))
        #expect(text("udp dport { domain, ntp }") == "udp dport { 53, 123 } counter drop")
    }

    /// nft's `th` reads any transport header: the mirror checks the protocol first, and a
    /// negated one is its TCP and its UDP term, each holding also for frames without them.
    @Test func thPortsAreTCPOrUDPPorts() throws {
        let plan = Self.plan("th dport 53")
        let lines = Array((plan.rules(in: "forward").first?.expressions.map(\.description) ?? []).dropLast(2))
        #expect(lines.count == 4)
        #expect(lines.first == "[ meta load l4proto => reg 1 ]")
        #expect(lines.dropFirst().first?.hasPrefix("[ lookup reg 1 set ") == true)
        #expect(
            Array(lines.dropFirst(2)) == [
                "[ payload load 2b @ transport header + 2 => reg 1 ]", "[ cmp eq reg 1 0x00003500 ]",
            ])
        #expect(text("th dport 53") == "meta l4proto { 6, 17 } th dport 53 counter drop")
        let protocols = try #require(plan.sets.first { $0.isAnonymous })
        #expect(protocols.elementsText == "{ 6, 17 }")
        #expect(text("th sport { domain, ntp }") == "meta l4proto { 6, 17 } th sport { 53, 123 } counter drop")
        let negated = Self.plan("th dport != 53 ip saddr 198.18.0.1").rules(in: "forward").map(\.text)
        let split = Self.plan("tcp dport != 53 udp dport != 53 ip saddr 198.18.0.1").rules(in: "forward").map(\.text)
        #expect(!negated.isEmpty && negated == split)
    }
}
