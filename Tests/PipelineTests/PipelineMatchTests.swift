import Frame
import Pipeline
import Policy
import Ruleset
import Testing

@Suite struct PipelineMatchTests {
    typealias F = Fixture

    func decide(_ policy: Policy, _ bytes: [UInt8], port: UInt8 = 0) -> (Decision, [UInt8]) {
        let pipeline = Pipeline(policy: PolicyCompiler.compile(policy))
        let box = FrameBox(bytes)
        var effects = NoEffects()
        let decision = pipeline.process(&box.frame, port: port, effects: &effects)
        return (decision, box.bytes)
    }

    @Test func firstMatchingRuleDecides() {
        let policy = F.policy([
            F.rule("web", [F.term(.tcpDport, 80)], .forward),
            F.rule("all-tcp", [F.term(.metaL4proto, 6)], .drop),
            F.rule("also-web", [F.term(.tcpDport, 80)], .drop),
        ])
        #expect(decide(policy, F.ipv4Frame(transport: F.tcp(80))).0.rule == 0)
        #expect(decide(policy, F.ipv4Frame(transport: F.tcp(81))).0.rule == 1)
        let udp = decide(policy, F.ipv4Frame(transport: F.udp(80)))
        #expect(udp.0.rule == -1)
        #expect(udp.0.verdict == .forward)
    }

    @Test func defaultVerdictAndOptionsApplyWhenNothingMatches() {
        let policy = F.policy(
            [F.rule("telnet", [F.term(.tcpDport, 23)])], default: .drop, defaults: VerdictOptions(retries: 3))
        let (decision, _) = decide(policy, F.ipv4Frame(transport: F.udp(53)))
        #expect(decision.rule == -1)
        #expect(decision.verdict == .drop)
        #expect(decision.retries == 3)
    }

    @Test func absentFieldNeverEqualsAndNegationHolds() {
        // The contract's reflect.policy idiom: everything that is not TCP or UDP.
        let notL4 = F.policy([
            F.rule(
                "reflect-non-l4", [F.term(.metaL4proto, [ValueInterval(6), ValueInterval(17)], negated: true)], .reflect
            )
        ])
        var arp = FrameBuilder()
        arp.network = .arp(FrameBuilder.ARP())
        #expect(decide(notL4, arp.build()).0.verdict == .reflect)
        var icmp = FrameBuilder.ICMP()
        icmp.type = 8
        #expect(decide(notL4, F.ipv4Frame(transport: .icmp(icmp))).0.verdict == .reflect)
        #expect(decide(notL4, F.ipv4Frame(transport: F.tcp(22))).0.verdict == .forward)
        #expect(decide(notL4, F.ipv4Frame(transport: F.udp(53))).0.verdict == .forward)
        // A positive match on a field ARP does not have never holds.
        let tcpOnly = F.policy([F.rule("tcp", [F.term(.metaL4proto, 6)], .drop)])
        #expect(decide(tcpOnly, arp.build()).0.rule == -1)
    }

    @Test func prefixesAndRangesAtTheirEdges() {
        let policy = F.policy([
            F.rule("net", [F.term(.ipSaddr, [F.prefix(F.ipv4("198.18.4.0"), 22)])], .drop),
            F.rule("ports", [F.term(.udpDport, [F.range(1000, 2000)])], .drop),
            F.rule("everything", [F.term(.ipDaddr, [F.prefix(0, 0)])], .reflect),
        ])
        let cases: [(String, UInt16, Int32)] = [
            ("198.18.3.255", 1, 2), ("198.18.4.0", 1, 0), ("198.18.7.255", 1, 0), ("198.18.8.0", 1, 2),
            ("198.19.0.1", 999, 2), ("198.19.0.1", 1000, 1), ("198.19.0.1", 2000, 1), ("198.19.0.1", 2001, 2),
        ]
        for (source, port, expected) in cases {
            let (decision, _) = decide(policy, F.ipv4Frame(source: source, transport: F.udp(port)))
            #expect(decision.rule == expected, "\(source) port \(port)")
        }
    }

    @Test func tcpFlagsAreBitMasks() {
        let policy = F.policy([F.rule("syn", [F.term(.tcpFlags, 0x02)])])
        var synAck = FrameBuilder.TCP()
        synAck.flags = 0x12
        #expect(decide(policy, F.ipv4Frame(transport: .tcp(synAck))).0.rule == 0)
        var ack = FrameBuilder.TCP()
        ack.flags = 0x10
        #expect(decide(policy, F.ipv4Frame(transport: .tcp(ack))).0.rule == -1)
    }

    @Test func iifSelectsThePort() {
        let policy = F.policy([F.rule("from-b", [F.term(.iif, 1)])])
        let frame = F.ipv4Frame(transport: F.udp(9))
        #expect(decide(policy, frame, port: 0).0.rule == -1)
        #expect(decide(policy, frame, port: 1).0.rule == 0)
    }

    @Test func ipMatchesSeeThroughVLANTags() {
        let policy = F.policy([
            F.rule("tagged-net", [F.term(.vlanID, 10), F.term(.ipDaddr, UInt128(F.ipv4("198.19.0.1")))])
        ])
        #expect(decide(policy, F.ipv4Frame(transport: F.udp(9), vlan: 10)).0.rule == 0)
        #expect(decide(policy, F.ipv4Frame(transport: F.udp(9), vlan: 11)).0.rule == -1)
        #expect(decide(policy, F.ipv4Frame(transport: F.udp(9))).0.rule == -1)
    }

    @Test func largeSetsUseHashAndIntervalSearch() {
        let exact = (0..<500).map { ValueInterval(UInt128(F.ipv4("198.18.0.0")) + UInt128($0) * 3) }
        let ranges = (0..<100).map { F.range(UInt128($0 * 100), UInt128($0 * 100 + 9)) }
        let policy = F.policy([
            F.rule("many-hosts", [F.term(.ipSaddr, exact)]),
            F.rule("many-ranges", [F.term(.udpDport, ranges)]),
        ])
        #expect(decide(policy, F.ipv4Frame(source: "198.18.0.3", transport: F.udp(5))).0.rule == 0)
        #expect(decide(policy, F.ipv4Frame(source: "198.18.0.4", transport: F.udp(5))).0.rule == 1)
        #expect(decide(policy, F.ipv4Frame(source: "198.18.0.4", transport: F.udp(15))).0.rule == -1)
        #expect(decide(policy, F.ipv4Frame(source: "198.18.0.4", transport: F.udp(9909))).0.rule == 1)
        #expect(decide(policy, F.ipv4Frame(source: "198.18.0.4", transport: F.udp(9910))).0.rule == -1)
    }

    @Test func countersCountPacketsAndBytesPerRuleAndDefault() {
        let compiled = PolicyCompiler.compile(F.policy([F.rule("telnet", [F.term(.tcpDport, 23)])]))
        let pipeline = Pipeline(policy: compiled)
        var effects = NoEffects()
        let telnet = F.ipv4Frame(transport: F.tcp(23))
        let other = F.ipv4Frame(transport: F.udp(9))
        for bytes in [telnet, telnet, other] {
            let box = FrameBox(bytes)
            _ = pipeline.process(&box.frame, port: 0, effects: &effects)
        }
        let counts = pipeline.counters.snapshot()
        #expect(counts[0] == RuleCount(packets: 2, bytes: UInt64(2 * telnet.count)))
        #expect(counts[1] == RuleCount(packets: 1, bytes: UInt64(other.count)))
    }
}
