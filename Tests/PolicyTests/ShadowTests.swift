import Policy
import Testing

@Suite("shadowed-rule warnings")
struct ShadowTests {
    /// Names of the shadowed rules and their shadowing rules, `"later<earlier"`.
    private func shadows(_ rules: String) -> [String] {
        let result = check(wrapped(rules))
        #expect(result.errors.isEmpty, "\(result.errors.map(\.rendered))")
        return result.warnings.filter { $0.code == .shadowedRule }.map { warning in
            let names = warning.message.split(separator: "\"")
            return "\(names[1])<\(names[3])"
        }
    }

    @Test func messageNamesTheEarlierRuleAndItsPlace() throws {
        let result = check(wrapped("rule \"all\" { forward }\nrule \"ssh\" { match tcp dport 22; drop }\n"))
        let warning = try #require(result.warnings.first)
        #expect(warning.severity == .warning)
        #expect(warning.location == at(4, 1))
        #expect(
            warning.message
                == "rule \"ssh\" can never match: rule \"all\" (t.policy:3:1) comes first and matches every frame it matches"
        )
        #expect(result.policy != nil)
    }

    @Test func ruleWithoutTermsShadowsEverythingAfter() {
        #expect(
            shadows(
                "rule \"a\" { match tcp dport 1; drop }\nrule \"all\" { forward }\nrule \"b\" { drop }\nrule \"c\" { match bpf \"tcp\"; drop }\n"
            )
                == ["b<all", "c<all"])
    }

    @Test func subsetsOfValuesAreShadowed() {
        let rules = """
            rule "net" { match ip saddr 10.0.0.0/8; forward }
            rule "host" { match ip saddr 10.1.2.3; drop }
            rule "range" { match ip saddr 10.0.0.5-10.255.255.255 tcp dport 22; drop }
            rule "outside" { match ip saddr 10.0.0.0-11.0.0.0; drop }
            rule "ports" { match tcp dport { 22, 80-90 }; forward }
            rule "port-sub" { match tcp dport { 85, 22 }; drop }
            rule "port-partial" { match tcp dport { 85, 91 }; drop }
            """
        #expect(shadows(rules) == ["host<net", "range<net", "port-sub<ports"])
    }

    @Test func exceptionsNarrowTheLaterRule() {
        let rules = """
            rule "lab" { match ip saddr 10.20.7.0/24; forward }
            rule "lan-not-lab" { match ip saddr 10.20.0.0/16 ip saddr != 10.20.0.0/17; drop }
            rule "lan-except" { match ip saddr 10.20.0.0/16 ip saddr != 10.20.0.0/24 ip saddr != 10.20.8.0/21; drop }
            rule "lab-only" { match ip saddr 10.20.0.0/21 ip saddr != 10.20.0.0/22 ip saddr != 10.20.4.0/23 ip saddr != 10.20.6.0/24; drop }
            """
        // 10.20.0.0/21 less /22, /23 and 10.20.6.0/24 leaves exactly 10.20.7.0/24.
        #expect(shadows(rules) == ["lab-only<lab"])
    }

    @Test func negatedEarlierTerms() {
        let rules = """
            rule "not-tcp-udp" { match meta l4proto != { tcp, udp }; reflect }
            rule "icmp" { match meta l4proto icmp; drop }
            rule "tcp" { match meta l4proto tcp; drop }
            rule "not-tcp-udp-sctp" { match meta l4proto != { tcp, udp, sctp }; drop }
            rule "not-tcp" { match meta l4proto != tcp; drop }
            rule "no-l4" { match ether type arp; drop }
            """
        // icmp is disjoint from {tcp, udp}; "!= {tcp,udp,sctp}" excludes all of {tcp, udp};
        // "!= tcp" lets udp through; "ether type arp" says nothing about meta l4proto.
        #expect(shadows(rules) == ["icmp<not-tcp-udp", "not-tcp-udp-sctp<not-tcp-udp"])
    }

    @Test func negatedEarlierTermIsNotImpliedWhenLaterIgnoresTheField() {
        #expect(
            shadows("rule \"a\" { match tcp dport != 22; drop }\nrule \"b\" { match udp dport 53; drop }\n").isEmpty)
    }

    @Test func everyEarlierTermMustHold() {
        let rules = """
            rule "a" { match ip saddr 10.0.0.0/8 tcp dport 22; forward }
            rule "b" { match ip saddr 10.1.0.0/16; drop }
            rule "c" { match ip saddr 10.1.0.0/16 tcp dport 22 iif a; drop }
            """
        #expect(shadows(rules) == ["c<a"])
    }

    @Test func namedSetsAndDefinesAreSeenThrough() {
        let rules = """
            set web = { 80, 443, 8000-8999 }
            define ALT = 8080
            rule "web" { match tcp dport @web; forward }
            rule "alt" { match tcp dport $ALT; drop }
            rule "tls" { match tcp dport { 443 }; drop }
            rule "ssh" { match tcp dport 22; drop }
            """
        #expect(shadows(rules) == ["alt<web", "tls<web"])
    }

    @Test func differentFieldsNeverImplyEachOther() {
        let rules = """
            rule "tcp22" { match tcp dport 22; forward }
            rule "udp22" { match udp dport 22; drop }
            rule "v4" { match ip saddr 10.0.0.0/8; forward }
            rule "v4-dst" { match ip daddr 10.0.0.1; drop }
            """
        #expect(shadows(rules).isEmpty)
    }

    @Test func tcpFlagsAreComparedAsMasks() {
        let rules = """
            rule "syn" { match tcp flags syn; forward }
            rule "synack" { match tcp flags syn|ack; drop }
            rule "ack" { match tcp flags ack; drop }
            rule "either" { match tcp flags { syn, fin }; drop }
            rule "fin" { match tcp flags fin tcp dport 80; drop }
            rule "not-rst" { match tcp flags != rst; forward }
            rule "not-rst-psh" { match tcp flags != rst|psh; drop }
            rule "not-psh" { match tcp flags != psh; drop }
            """
        // syn covers syn|ack; {syn, fin} covers fin. "!= rst|psh" (not both) is not covered by
        // "!= rst" (a frame with PSH alone passes it but not "!= rst"), but "!= psh" is covered by
        // "!= rst|psh": a frame without PSH never has both. "!= psh" is not covered by "!= rst".
        #expect(shadows(rules) == ["synack<syn", "fin<either", "not-psh<not-rst-psh"])
    }

    @Test func laterNegatedMasksImplyEarlierNegatedSuperMasks() {
        let rules = """
            rule "no-synack" { match tcp flags != syn|ack; forward }
            rule "no-syn" { match tcp flags != syn; drop }
            """
        #expect(shadows(rules) == ["no-syn<no-synack"])
    }

    @Test func bpfTermsCountOnlyWhenIdentical() {
        let rules = """
            rule "b1" { match bpf "tcp port 80"; forward }
            rule "b1-more" { match bpf "tcp port 80" ip saddr 10.0.0.1; drop }
            rule "b1-neg" { match bpf != "tcp port 80"; drop }
            rule "b2" { match bpf "tcp  port 80"; drop }
            rule "b3" { match tcp dport 80; drop }
            """
        #expect(shadows(rules) == ["b1-more<b1"])
    }

    @Test func laterBPFTermsOnlyNarrow() {
        #expect(
            shadows(
                "rule \"a\" { match tcp dport 80; forward }\nrule \"b\" { match tcp dport 80 bpf \"vlan\"; drop }\n")
                == ["b<a"])
    }

    @Test func theFirstShadowingRuleIsNamed() {
        let rules = """
            rule "wide" { match tcp dport 1-1000; forward }
            rule "narrower" { match tcp dport 10-100; forward }
            rule "narrowest" { match tcp dport 50; drop }
            """
        #expect(shadows(rules) == ["narrower<wide", "narrowest<wide"])
    }

    @Test func prefixEdges() {
        let rules = """
            rule "all-v4" { match ip saddr 0.0.0.0/0; forward }
            rule "host" { match ip saddr 255.255.255.255/32; drop }
            rule "all-v6" { match ip6 saddr ::/0; forward }
            rule "one-v6" { match ip6 saddr 2001:db8::1/128; drop }
            """
        #expect(shadows(rules) == ["host<all-v4", "one-v6<all-v6"])
    }

    @Test func iifIsAFieldLikeAnyOther() {
        let rules = """
            rule "from-a" { match iif a; forward }
            rule "from-a-ssh" { match iif a tcp dport 22; drop }
            rule "from-b-ssh" { match iif b tcp dport 22; drop }
            """
        #expect(shadows(rules) == ["from-a-ssh<from-a"])
    }
}
