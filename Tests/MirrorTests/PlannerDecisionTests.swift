import Mirror
import Policy
import Testing

/// The decisions about what is mirrored, what is left out, and the notes that say so.
@Suite struct PlannerDecisionTests {
    private func plan(
        _ rules: [Rule], default verdict: DefaultVerdict = .forward, defaults: VerdictOptions = VerdictOptions()
    )
        -> MirrorPlan
    {
        MirrorPlanner.plan(P.policy(rules, default: verdict, defaults: defaults), ports: P.ports)
    }

    @Test func chainPolicyFollowsTheDefault() {
        #expect(plan([], default: .forward).chains[0].base?.policy == .accept)
        #expect(plan([], default: .drop).chains[0].base?.policy == .drop)
        let base = plan([]).chains[0]
        #expect(base.name == "forward" && base.base?.hook == 2 && base.base?.priority == 0)
    }

    @Test func rulesKeepPolicyOrder() {
        let result = plan([
            P.rule("one", [P.field(.tcpDport, P.value(1))]), P.rule("two", [P.bpf("tcp")]),
            P.rule("three", [], [], .forward),
        ])
        #expect(result.rules(in: "forward").map(\.comment) == ["one", "three"])
        #expect(result.rules(in: "forward").map { $0.origin?.number } == [1, 3])
        #expect(result.mirroredRuleNames == ["one", "three"])
        // `three` matches tagged frames too, which the tagged chains judged already.
        #expect(result.rules(in: "forward")[1].text == "meta protocol != @bk.tpids counter accept")
    }

    @Test func bpfLeavesTheWholeRuleOut() throws {
        let result = plan([
            P.rule("web-alt", [P.bpf("tcp dst port 8080"), P.field(.tcpDport, P.value(80))], [], .forward, line: 7)
        ])
        #expect(result.rules.isEmpty)
        let note = try #require(result.notes.first)
        #expect(note.code == .notMirrorable)
        #expect(note.rule == "web-alt" && note.ruleNumber == 1 && note.location == P.at(7))
        #expect(note.message == "its `bpf \"tcp dst port 8080\"` match has no nftables form")
        #expect(
            note.text == "rule \"web-alt\" is not mirrored: its `bpf \"tcp dst port 8080\"` match has no nftables form")
        #expect(note.diagnostic.severity == .warning && note.diagnostic.code == .notMirrorable)
    }

    @Test func aNegatedL4TermAloneIsEveryWayOfLackingTheField() throws {
        let result = plan([P.rule("not-telnet", [P.field(.tcpDport, P.value(23), negated: true)], [], .forward)])
        // TCP but another port; another L4 protocol; a later fragment (IPv4, IPv6); not IP.
        #expect(
            result.rules(in: "forward").map(\.text) == [
                "tcp dport != 23 counter accept", "meta l4proto != 6 counter accept",
                "ip frag-off & 0x1fff != 0 counter accept", "meta protocol ip6 frag frag-off != 0 counter accept",
                "meta protocol != { ip, vlan, ip6, 0x88a8, 0x9100 } counter accept",
            ])
        #expect(result.rules(in: "forward").allSatisfy { $0.comment == "not-telnet" })
    }

    @Test func aTermTheKernelCannotCheckIsLeftOutOfAForwardingRuleAndDroppedOnWithout() throws {
        let flags = P.field(.tcpFlags, P.value(0x12), P.value(0x11))
        let accepting = plan([P.rule("odd", [flags, P.field(.tcpDport, P.value(22))], [], .forward)])
        #expect(accepting.rules.isEmpty)
        #expect(accepting.notes.map(\.code) == [.notMirrorable])
        let dropping = plan([P.rule("odd", [flags, P.field(.tcpDport, P.value(22))])])
        #expect(dropping.rules(in: "forward").map(\.text) == ["tcp dport 22 counter drop"])
        let note = try #require(dropping.notes.first)
        #expect(note.code == .partlyMirrorable)
        #expect(
            note.message.hasPrefix("the kernel drops the frames this rule matches without checking a term it cannot"))
    }

    @Test func negatedTermIsExactWhenAPositiveTermNeedsTheSameDependency() {
        let result = plan([
            P.rule("r", [P.field(.tcpDport, P.value(23), negated: true), P.field(.tcpSport, P.range(1024, 65535))])
        ])
        #expect(
            result.notes.allSatisfy {
                $0.message.hasPrefix("the kernel drops frames whose L4 header")
                    || $0.message.hasPrefix("the kernel drops every frame with more than 2 VLAN tags")
            })
        #expect(
            Array(result.rules[0].expressions.map(\.description).prefix(4)) == [
                "[ meta load l4proto => reg 1 ]", "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]", "[ cmp neq reg 1 0x00001700 ]",
            ])
    }

    @Test func negatedFieldsWithoutDependencyAreAlwaysExact() {
        let result = plan([
            P.rule(
                "r",
                [
                    P.field(.etherType, P.value(0x0806), negated: true), P.field(.iif, P.value(1), negated: true),
                    P.field(.etherSaddr, P.value(P.mac("02:00:00:00:00:01")), negated: true),
                ])
        ])
        #expect(
            result.notes.map(\.message) == [
                "the kernel drops every frame with more than 2 VLAN tags by this rule, the policy's first that drops "
                    + "(the mirror reads fields exactly only 2 tags deep)"
            ])
        // `ether type` is the EtherType after every tag: the tagged chains read it at their offsets.
        #expect(
            result.rules(in: "forward").map(\.text) == [
                "meta protocol != @bk.tpids meta protocol != arp meta iifname != \"pb\" ether saddr != 02:00:00:00:00:01 "
                    + "counter drop"
            ])
        #expect(result.rules(in: "tags-2").first?.text.hasPrefix("@ll,160,16 != 0x0806") == true)
    }

    @Test func negatedL4protoNeedsAnIPMatch() {
        // reflect.policy's rule: the frames with another L4 protocol, later fragments, and not IP.
        let alone = plan([
            P.rule("reflect-non-l4", [P.field(.metaL4proto, P.value(6), P.value(17), negated: true)], [], .reflect)
        ])
        #expect(
            alone.rules(in: "forward").map(\.text) == [
                "meta l4proto != { 6, 17 } counter drop", "ip frag-off & 0x1fff != 0 counter drop",
                "meta protocol ip6 frag frag-off != 0 counter drop",
                "meta protocol != { ip, vlan, ip6, 0x88a8, 0x9100 } counter drop",
            ])
        #expect(alone.notes.allSatisfy { $0.code == .partlyMirrorable })
        let withIP = plan([
            P.rule(
                "r",
                [
                    P.field(.metaL4proto, P.value(6), P.value(17), negated: true),
                    P.field(.ip6Saddr, P.v6("2001:db8::/32")),
                ])
        ])
        #expect(
            withIP.rules(in: "forward").map(\.text) == [
                "meta l4proto != { 6, 17 } ip6 saddr 2001:db8::/32 counter drop",
                "meta protocol ip6 frag frag-off != 0 ip6 saddr 2001:db8::/32 counter drop",
            ])
    }

    @Test func contradictoryTermsNeverMatchAndAreLeftOut() {
        let result = plan([
            P.rule("r", [P.field(.ipSaddr, P.v4("198.18.0.1")), P.field(.ip6Saddr, P.v6("2001:db8::1"))])
        ])
        #expect(result.rules.isEmpty)
        #expect(result.notes.first?.message == "it never matches: its terms need protocols no frame has together")
        let l4 = plan([P.rule("r", [P.field(.metaL4proto, P.value(17)), P.field(.tcpDport, P.value(80))])])
        #expect(l4.rules.isEmpty)
    }

    @Test func reflectBecomesDropWithANote() throws {
        let result = plan([P.rule("to-host", [P.field(.etherType, P.value(0x0806))], [], .reflect)])
        #expect(result.rules[0].expressions.last == .verdict(.drop))
        let note = try #require(result.notes.first)
        #expect(note.code == .partlyMirrorable)
        #expect(
            note.text
                == "rule \"to-host\" is mirrored in part: `reflect` becomes `drop`: the kernel bridge cannot hand frames to Bridgekeeper's host port"
        )
        let both = plan([P.rule("both", [], [], .reflectForward)])
        #expect(both.rules[0].expressions.last == .verdict(.accept))
        #expect(both.notes.first?.message.hasPrefix("`reflect forward` becomes `accept`") == true)
    }

    @Test func optionsAndInspectionStatementsAreLeftOut() {
        let result = plan([
            P.rule(
                "slow", [P.field(.udpDport, P.value(53))],
                [.log(prefix: "dns"), .pcap(path: "/tmp/x.pcap"), .mirror(interface: "mon0")],
                .forward, options: VerdictOptions(delay: 25_000_000, jitter: 5_000_000, retries: 5))
        ])
        #expect(result.rules(in: "forward").count == 1)
        #expect(
            result.notes.map(\.message).prefix(4) == [
                "`log` is left out: only Bridgekeeper writes its log lines",
                "`pcap \"/tmp/x.pcap\"` is left out: the kernel cannot write pcap files",
                "`mirror \"mon0\"` is left out: nftables cannot copy frames to another interface in the bridge family",
                "`delay 25ms jitter 5ms retries 5` is left out: the kernel bridge forwards at once and does not retry a failed send",
            ])
        #expect(result.notes.allSatisfy { $0.code == .partlyMirrorable })
    }

    @Test func defaultsOptionsGetOnePolicyWideNote() throws {
        let result = plan(
            [P.rule("a", [], [], .forward), P.rule("b", [P.field(.tcpDport, P.value(1))], [], .forward)],
            defaults: VerdictOptions(retries: 2))
        #expect(result.notes.filter { $0.rule == nil }.count == 1)
        let note = try #require(result.notes.first)
        #expect(note.rule == nil && note.ruleNumber == nil)
        #expect(
            note.text.hasPrefix(
                "the policy is mirrored in part: `retries 2` in `defaults` is left out of every mirrored rule"))
    }

    @Test func vlanMatchesAndRewritesNoteTheirLimitToDot1Q() {
        // The match reads any outer tag; nft's `vlan id set` needs an 802.1Q one (a chain of its own).
        let result = plan([P.rule("v", [P.field(.vlanID, P.value(10))], [.set(.vlanID, 20)], .forward)])
        #expect(result.rules(in: "forward").map(\.text) == ["ether type @bk.tpids @ll,116,12 10 counter jump rule-v"])
        #expect(result.rules(in: "rule-v").map(\.text) == ["vlan id set 20", "accept"])
        #expect(
            result.notes.map(\.message) == [
                "nft's `vlan id set` only rewrites 802.1Q (0x8100) outer tags, so frames whose outer tag is 802.1ad "
                    + "(0x88a8 or 0x9100) keep theirs"
            ])
    }

    @Test func vlanPushLeavesOutLaterTagRewrites() {
        let result = plan([P.rule("p", [P.field(.vlanID, P.value(10))], [.vlanPush(30), .set(.vlanPCP, 5)], .forward)])
        #expect(
            result.notes.map(\.message).contains("`vlan pcp set 5` is left out because the `vlan push 30` before it is")
        )
        #expect(!result.rules.contains { $0.text.contains("vlan pcp set") })
    }

    @Test func anInterfaceNameTheKernelCannotHaveLeavesIifRulesOut() {
        let ports = MirrorPorts(a: "a-name-that-is-far-too-long", b: "eth1")
        let result = MirrorPlanner.plan(
            P.policy([P.rule("from-a", [P.field(.iif, P.value(0))]), P.rule("from-b", [P.field(.iif, P.value(1))])]),
            ports: ports)
        // A dropping rule goes on without the term it cannot check (the kernel drops more).
        #expect(result.mirroredRuleNames == ["from-a", "from-b"])
        #expect(result.rules(in: "forward").map(\.text) == ["counter drop", "meta iifname \"eth1\" counter drop"])
        #expect(
            result.notes.map(\.message) == [
                "the kernel drops the frames this rule matches without checking a term it cannot: port a has no valid "
                    + "interface name (\"a-name-that-is-far-too-long\") for `meta iifname`"
            ])
        let forwarding = MirrorPlanner.plan(
            P.policy([P.rule("from-a", [P.field(.iif, P.value(0))], [], .forward)]), ports: ports)
        #expect(forwarding.mirroredRuleNames.isEmpty)
    }
}
