import Policy
import Testing

@Suite("Rules parse to the right AST")
struct RuleParsingTests {
    @Test func matchTermsHaveExactValuesAndLocations() throws {
        let text = wrapped(
            """
            rule "r1" {
                match iif b ether saddr 02:00:00:00:00:01 ip saddr 10.0.0.0/8 tcp dport != { 22, 1000-2000 }
                drop
            }
            """)
        let rule = try #require(policy(text)?.rules.first)
        #expect(rule.name == "r1")
        #expect(rule.location == at(3, 1))
        #expect(
            fieldMatches(rule) == [
                FieldMatch(field: .iif, values: [ValueInterval(1)], location: at(4, 11)),
                FieldMatch(field: .etherSaddr, values: [ValueInterval(0x02_00_00_00_00_01)], location: at(4, 17)),
                FieldMatch(
                    field: .ipSaddr, values: [ValueInterval(lo: 0x0A00_0000, hi: 0x0AFF_FFFF)], location: at(4, 47)),
                FieldMatch(
                    field: .tcpDport, negated: true, values: [ValueInterval(22), ValueInterval(lo: 1000, hi: 2000)],
                    location: at(4, 67)),
            ])
        #expect(rule.statements.isEmpty)
        #expect(rule.verdict == Verdict(kind: .drop, location: at(5, 5)))
    }

    @Test func equalsOperatorIsTheDefault() throws {
        let text = wrapped("rule \"r\" { match tcp dport == 22 udp sport 53; forward }\n")
        let rule = try #require(policy(text)?.rules.first)
        #expect(fieldMatches(rule).map(\.negated) == [false, false])
        #expect(fieldMatches(rule).map(\.values) == [[ValueInterval(22)], [ValueInterval(53)]])
    }

    @Test func ipv6ValuesAndPrefixes() throws {
        let text = wrapped(
            """
            rule "v6" {
                match ip6 saddr 2001:db8::/32 ip6 daddr ::1 ip6 nexthdr icmpv6
                forward
            }
            """)
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        let base: UInt128 = 0x2001_0db8 << 96
        #expect(matches[0].values == [ValueInterval(lo: base, hi: base | (UInt128(1) << 96 - 1))])
        #expect(matches[1].values == [ValueInterval(1)])
        #expect(matches[2].values == [ValueInterval(58)])
        #expect(matches.map(\.location) == [at(4, 11), at(4, 35), at(4, 49)])
    }

    @Test func ruleWithoutMatchMatchesEverything() throws {
        let rule = try #require(policy(wrapped("rule \"all\" {\n    forward\n}\n"))?.rules.first)
        #expect(rule.match.isEmpty)
        #expect(rule.verdict?.kind == .forward)
    }

    @Test func commentIsKeptUnescaped() throws {
        let text = wrapped(
            """
            rule "c" {
                comment "say \\"hi\\" \\\\ and ip proto \\tcp"
                drop
            }
            """)
        let rule = try #require(policy(text)?.rules.first)
        #expect(rule.comment == #"say "hi" \ and ip proto \tcp"#)
    }

    @Test func commentMayFollowTheVerdict() throws {
        let rule = try #require(policy(wrapped("rule \"c\" {\n    drop\n    comment \"late\"\n}\n"))?.rules.first)
        #expect(rule.comment == "late")
    }

    @Test func statementsInOrder() throws {
        let text = wrapped(
            """
            rule "s" {
                match vlan id 10
                vlan id set 20
                ether daddr set 02:00:00:00:09:09
                ip daddr set 10.20.9.9
                ip6 saddr set 2001:db8::2
                ip dscp set ef
                ip ecn set ce
                ip ttl set 64
                ip6 hoplimit set 255
                ip6 dscp set cs1
                tcp sport set 1024
                udp dport set 53
                vlan pcp set 7
                vlan push 4095
                vlan pop
                log
                log prefix "dns"
                mirror "mon0"
                forward
            }
            """)
        let rule = try #require(policy(text)?.rules.first)
        #expect(
            rule.statements.map(\.kind) == [
                .set(.vlanID, 20), .set(.etherDaddr, 0x02_00_00_00_09_09), .set(.ipDaddr, 0x0A14_0909),
                .set(.ip6Saddr, 0x2001_0db8 << 96 | 2), .set(.ipDSCP, 46), .set(.ipECN, 3), .set(.ipTTL, 64),
                .set(.ip6Hoplimit, 255), .set(.ip6DSCP, 8), .set(.tcpSport, 1024), .set(.udpDport, 53),
                .set(.vlanPCP, 7), .vlanPush(4095), .vlanPop, .log(prefix: nil), .log(prefix: "dns"),
                .mirror(interface: "mon0"),
            ])
        #expect(rule.statements.map(\.location.line) == Array(5...21))
        #expect(rule.statements.allSatisfy { $0.location.column == 5 })
    }

    @Test func pcapPathIsRelativeToThePolicyFolder() throws {
        let text = wrapped(
            "rule \"p\" {\n    pcap \"captures/dns.pcap\"\n    pcap \"/var/tmp/x.pcap\"\n    forward\n}\n")
        let rule = try #require(policy(text, path: "/etc/bk/sub/edge.policy")?.rules.first)
        #expect(
            rule.statements.map(\.kind) == [
                .pcap(path: "/etc/bk/sub/captures/dns.pcap"), .pcap(path: "/var/tmp/x.pcap"),
            ])
    }

    @Test func relativePolicyPathGivesAnAbsolutePcapPath() throws {
        let text = wrapped("rule \"p\" {\n    pcap \"./c/d.pcap\"\n    forward\n}\n")
        let rule = try #require(policy(text, path: "pol/edge.policy")?.rules.first)
        guard case .pcap(let path) = rule.statements[0].kind else {
            Issue.record("not a pcap statement")
            return
        }
        #expect(path.hasPrefix("/"))
        #expect(path.hasSuffix("/pol/c/d.pcap"))
    }

    @Test func verdictsAndOptions() throws {
        let text = wrapped(
            """
            rule "a" { forward delay 25ms jitter 5ms retries 3; }
            rule "b" { forward retries 0 delay 1.5ms }
            rule "c" { reflect }
            rule "d" { reflect forward delay 100us }
            rule "e" { drop }
            rule "f" { forward delay 10s jitter 10s retries 100 }
            """)
        let rules = try #require(policy(text)?.rules)
        #expect(rules.map(\.verdict?.kind) == [.forward, .forward, .reflect, .reflectForward, .drop, .forward])
        #expect(rules[0].verdict?.options == VerdictOptions(delay: 25_000_000, jitter: 5_000_000, retries: 3))
        #expect(rules[1].verdict?.options == VerdictOptions(delay: 1_500_000, retries: 0))
        #expect(rules[2].verdict?.options == VerdictOptions())
        #expect(rules[3].verdict?.options == VerdictOptions(delay: 100_000))
        #expect(
            rules[5].verdict?.options == VerdictOptions(delay: 10_000_000_000, jitter: 10_000_000_000, retries: 100))
        #expect(rules[0].verdict?.location == at(3, 12))
    }

    @Test func statementsSeparatedBySemicolonsOnOneLine() throws {
        let rule = try #require(
            policy(wrapped("rule \"x\" { match tcp dport 23; log; ip ttl set 1; drop }\n"))?.rules.first)
        #expect(fieldMatches(rule).map(\.field) == [.tcpDport])
        #expect(rule.statements.map(\.kind) == [.log(prefix: nil), .set(.ipTTL, 1)])
        #expect(rule.verdict?.kind == .drop)
    }

    @Test func anonymousSetsMaySpanLines() throws {
        let text = wrapped(
            """
            rule "x" {
                match tcp dport {
                    22,
                    80, 443,
                } ip saddr 10.0.0.1
                forward
            }
            """)
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        #expect(
            matches.map(\.values) == [
                [ValueInterval(22), ValueInterval(80), ValueInterval(443)], [ValueInterval(0x0A00_0001)],
            ])
    }

    @Test func exceptionsOfTheSameFieldAreAllowed() throws {
        let text = wrapped(
            "rule \"x\" { match ip saddr 10.0.0.0/8 ip saddr != 10.1.0.0/16 ip saddr != 10.2.0.0/16; forward }\n")
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        #expect(matches.map(\.negated) == [false, true, true])
    }

    @Test func rulesOrderAndNamesAtTheEdges() throws {
        let longName = String(repeating: "a", count: 47) + "9"
        let text = wrapped("rule \"0\" { drop }\nrule \"\(longName)\" { drop }\nrule \"a-b-c\" { drop }\n")
        #expect(policy(text)?.rules.map(\.name) == ["0", longName, "a-b-c"])
    }

    @Test func defaultsAndDefaultVerdict() throws {
        let text = "version 1\ndefaults { retries 2; delay 1ms\n jitter 500us }\ndefault drop\n"
        let checked = try #require(policy(text))
        #expect(checked.version == 1)
        #expect(checked.defaultVerdict == .drop)
        #expect(checked.defaultLocation == at(4, 1))
        #expect(checked.defaults == VerdictOptions(delay: 1_000_000, jitter: 500_000, retries: 2))
        #expect(checked.sources == [SourceFile(path: "t.policy", contents: text)])
    }

    @Test func namedValuesOfEveryField() throws {
        let text = wrapped(
            """
            rule "n" {
                match ether type 8021ad arp operation inreply ip protocol udplite ip dscp af43 ip ecn ect0 icmp type address-mask-reply icmpv6 type mld2-listener-report meta l4proto ipv6-icmp tcp flags cwr|ecn|urg
                forward
            }
            """)
        let matches = fieldMatches(try #require(policy(text)?.rules.first))
        #expect(matches.map { $0.values[0].lo } == [0x88a8, 9, 136, 38, 2, 18, 143, 58, 0xE0])
    }
}
