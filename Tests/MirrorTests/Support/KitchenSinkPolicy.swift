import Mirror
import Policy

/// A policy with every field, operator, set kind and rewrite the mirror handles, plus rules it
/// must leave out, for the tests that compare the mirror with what `nft` makes of its text.
enum KitchenSinkPolicy {
    static let blocked = NamedSet(
        name: "blocked", elements: [P.v4("192.0.2.0/24"), P.v4("198.51.100.0/24"), P.v4("198.18.7.7")],
        valueKind: .ipv4, location: P.at(2))
    static let voip = NamedSet(
        name: "voip", elements: [P.value(5060), P.range(10000, 20000)], valueKind: .integer, location: P.at(3))
    static let hosts = NamedSet(
        name: "hosts", elements: [P.value(P.mac("02:00:00:00:00:01")), P.value(P.mac("02:00:00:00:00:02"))],
        valueKind: .mac, location: P.at(4))
    static let nets6 = NamedSet(
        name: "nets6", elements: [P.v6("2001:db8:1::/48"), P.v6("2001:db8:2::1")], valueKind: .ipv6, location: P.at(5))
    static let protos = NamedSet(
        name: "protos", elements: [P.value(6), P.value(17)], valueKind: .integer, location: P.at(6))
    static let pings = NamedSet(
        name: "pings", elements: [P.value(0), P.value(8)], valueKind: .integer, location: P.at(7))
    static let types = NamedSet(
        name: "types", elements: [P.value(0x0806), P.value(0x88cc)], valueKind: .integer, location: P.at(8))

    static var policy: Policy {
        var line = 10
        func rule(
            _ name: String, _ match: [MatchTerm], _ statements: [StatementKind] = [], _ verdict: VerdictKind = .drop
        )
            -> Rule
        {
            line += 10
            return P.rule(name, match, statements, verdict, line: line)
        }
        let rules = [
            rule("telnet", [P.field(.tcpDport, P.value(23))]),
            rule("bench-net", [P.field(.ipSaddr, P.v4("198.18.0.0/15"))], [], .forward),
            rule("udp-range", [P.field(.udpDport, P.range(5000, 5010))]),
            rule("v6-prefix", [P.field(.ip6Daddr, P.v6("2001:db8::/32")), P.field(.tcpSport, P.range(1024, 65535))]),
            rule("v6-odd-prefix", [P.field(.ip6Saddr, P.v6("2001:db8::/33"), P.v6("2001:db8:ffff::1"))]),
            rule("vlan-one", [P.field(.vlanID, P.value(10)), P.field(.vlanPCP, P.value(3))]),
            rule("vlan-set", [P.field(.vlanID, P.value(100), P.range(200, 300))], [], .forward),
            rule("vlan-ip", [P.field(.vlanID, P.value(10)), P.field(.ipSaddr, P.v4("10.1.0.0/16"))]),
            rule(
                "arp-ops", [P.field(.etherType, P.value(0x0806)), P.field(.arpOperation, P.value(1), P.value(2))], [],
                .reflect),
            rule(
                "not-lldp",
                [
                    P.field(.etherType, P.value(0x88cc), negated: true),
                    P.field(.etherDaddr, P.range(P.mac("02:00:00:00:00:01"), P.mac("02:00:00:00:00:10"))),
                ]),
            rule(
                "oui",
                [P.field(.etherSaddr, ValueInterval(prefix: P.mac("02:42:00:00:00:00"), length: 24, bitWidth: 48))]),
            rule(
                "macs", [P.field(.etherSaddr, P.value(P.mac("02:00:00:00:00:05")), P.value(P.mac("02:00:00:00:00:06")))]
            ),
            rule(
                "ip-fields",
                [
                    P.field(.ipProtocol, P.value(17)), P.field(.ipDSCP, P.range(1, 10)), P.field(.ipECN, P.value(3)),
                    P.field(.ipTTL, P.value(1), P.value(255)),
                ]),
            rule("dscp-set", [P.field(.ipDSCP, P.value(46), P.value(10), P.range(60, 63))], [], .forward),
            rule(
                "ip6-fields",
                [
                    P.field(.ip6Nexthdr, P.value(58)), P.field(.ip6Hoplimit, P.value(255)),
                    P.field(.ip6DSCP, P.value(46), P.value(0)),
                ]),
            rule("flags", [P.field(.tcpFlags, P.value(0x12))]),
            rule("any-flag", [P.field(.tcpFlags, P.value(0x01), P.value(0x04))]),
            rule("not-syn", [P.field(.tcpFlags, P.value(0x02), negated: true), P.field(.tcpDport, P.value(443))]),
            rule("pings", [P.field(.icmpType, P.value(8), P.value(0))]),
            rule("ping-after-ip", [P.field(.ipSaddr, P.v4("198.18.0.1")), P.field(.icmpType, P.value(8))]),
            rule("ping-after-l4", [P.field(.metaL4proto, P.value(1)), P.field(.icmpType, P.value(8))]),
            rule("ping-first", [P.field(.icmpType, P.value(8)), P.field(.ipSaddr, P.v4("198.18.0.1"))]),
            rule("nd", [P.field(.icmpv6Type, P.range(133, 137))]),
            rule("l4", [P.field(.metaL4proto, P.value(132), P.value(47))]),
            rule(
                "not-tcp-udp-v4",
                [P.field(.metaL4proto, P.value(6), P.value(17), negated: true), P.field(.ipDaddr, P.v4("198.18.0.2"))],
                [], .reflectForward),
            rule("from-a", [P.field(.iif, P.value(0))], [], .forward),
            rule(
                "from-any", [P.field(.iif, P.value(0), P.value(1)), P.field(.iif, P.value(1), negated: true)], [],
                .forward),
            rule("blocked", [P.fieldValues(.ipSaddr, blocked.elements, set: "blocked")]),
            rule(
                "not-blocked",
                [
                    P.fieldValues(.ipDaddr, blocked.elements, negated: true, set: "blocked"),
                    P.field(.ipSaddr, P.v4("198.18.0.0/24")),
                ], [], .forward),
            rule("voip", [P.fieldValues(.udpDport, voip.elements, set: "voip")], [.set(.ipDSCP, 46)], .forward),
            rule(
                "hosts", [P.fieldValues(.etherSaddr, hosts.elements, set: "hosts")],
                [.set(.etherDaddr, P.mac("02:00:00:00:09:09"))], .forward),
            rule(
                "nets6", [P.fieldValues(.ip6Saddr, nets6.elements, set: "nets6")],
                [.set(.ip6Hoplimit, 9), .set(.ip6DSCP, 10)], .forward),
            rule(
                "protos",
                [P.fieldValues(.metaL4proto, protos.elements, set: "protos"), P.field(.ip6Daddr, P.v6("2001:db8::1"))]),
            rule("pings-set", [P.fieldValues(.icmpType, pings.elements, set: "pings")], [.set(.ipTTL, 9)], .forward),
            rule("types", [P.fieldValues(.etherType, types.elements, set: "types")]),
            rule(
                "redirect-dns",
                [
                    P.field(.iif, P.value(0)), P.field(.ipSaddr, P.v4("198.18.0.0/16")),
                    P.field(.udpDport, P.value(53)), P.field(.vlanID, P.value(10)),
                ],
                [
                    .set(.vlanID, 20), .set(.etherDaddr, P.mac("02:00:00:00:09:09")),
                    .set(.ipDaddr, P.ip4("198.18.9.9")), .pcap(path: "dns.pcap"),
                ], .forward),
            rule(
                "nat-ish", [P.field(.tcpDport, P.value(8080))],
                [.set(.tcpDport, 80), .set(.ipSaddr, P.ip4("198.18.1.1")), .set(.ipECN, 0)], .forward),
            rule(
                "v6-rewrite", [P.field(.ip6Daddr, P.v6("2001:db8::5")), P.field(.udpSport, P.value(53))],
                [.set(.ip6Saddr, P.ip6("2001:db8::6")), .set(.udpSport, 5353), .set(.ip6Daddr, P.ip6("2001:db8::7"))],
                .forward),
            rule(
                "mark-all-from-b", [P.field(.iif, P.value(1))],
                [
                    .set(.ipDSCP, 8), .set(.vlanPCP, 5), .set(.tcpSport, 1), .set(.udpDport, 2),
                    .set(.etherSaddr, P.mac("02:00:00:00:00:aa")),
                ], .forward),
            rule("web-alt", [P.bpf("tcp dst port 8080")], [.set(.tcpDport, 80)], .forward),
            rule("not-telnet", [P.field(.tcpDport, P.value(23), negated: true)], [], .forward),
            rule("jumbo", [P.field(.metaLength, P.range(1519, 65535))]),
            rule("everything-else-logged", [], [.log(prefix: "rest")], .forward),
        ]
        return P.policy(rules, default: .drop, sets: [blocked, voip, hosts, nets6, protos, pings, types])
    }
}
