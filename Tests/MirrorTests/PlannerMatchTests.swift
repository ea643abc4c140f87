import Mirror
import Policy
import Testing

/// Expression sequences of single-rule plans, against what `nft --debug=netlink` printed for
/// the same rule on kernel 6.18 / nft 1.0.6 (the captures in nftables-netlink.md and the
/// mirror's own probes).
@Suite struct PlannerMatchTests {
    /// The forward-chain expressions of a one-rule policy, without the trailing counter/verdict.
    private func matchLines(_ terms: [MatchTerm], sets: [NamedSet] = []) -> [String] {
        let plan = MirrorPlanner.plan(P.policy([P.rule("r", terms)], sets: sets), ports: P.ports)
        let rule = plan.rules(in: "forward").first
        let lines = rule?.expressions.map(\.description) ?? []
        return Array(lines.dropLast(2))
    }

    @Test func tcpPortIsL4protoThenTransportLoad() {
        #expect(
            matchLines([P.field(.tcpDport, P.value(23))]) == [
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]",
                "[ cmp eq reg 1 0x00001700 ]",
            ])
    }

    @Test func counterCommentAndVerdictEndEveryRule() {
        let plan = MirrorPlanner.plan(
            P.policy([P.rule("no-telnet", [P.field(.tcpDport, P.value(23))])]), ports: P.ports)
        let rule = plan.rules(in: "forward")[0]
        #expect(rule.comment == "no-telnet")
        #expect(rule.expressions.suffix(2) == [.counter, .verdict(.drop)])
        #expect(rule.text == "tcp dport 23 counter drop")
        #expect(plan.mirroredRuleNames == ["no-telnet"])
    }

    @Test func ipv4PrefixOffByteBoundaryIsMasked() {
        #expect(
            matchLines([P.field(.ipSaddr, P.v4("198.18.0.0/15"))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ payload load 4b @ network header + 12 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000feff ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x000012c6 ]",
            ])
    }

    @Test func prefixOnByteBoundaryShortensTheLoad() {
        #expect(
            matchLines([P.field(.ip6Daddr, P.v6("2001:db8::/32"))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x0000dd86 ]",
                "[ payload load 4b @ network header + 24 => reg 1 ]",
                "[ cmp eq reg 1 0xb80d0120 ]",
            ])
        #expect(
            matchLines([P.field(.ip6Saddr, P.v6("2001:db8::/48"))]).suffix(2) == [
                "[ payload load 6b @ network header + 8 => reg 1 ]",
                "[ cmp eq reg 1 0xb80d0120 0x00000000 ]",
            ])
        #expect(
            matchLines([
                P.field(.etherDaddr, ValueInterval(prefix: P.mac("02:00:00:00:00:00"), length: 24, bitWidth: 48))
            ])
                == ["[ payload load 3b @ link header + 0 => reg 1 ]", "[ cmp eq reg 1 0x00000002 ]"])
    }

    @Test func ipv6PrefixOffByteBoundaryMasksAllSixteenBytes() {
        #expect(
            matchLines([P.field(.ip6Daddr, P.v6("2001:db8::/33"))]).suffix(3) == [
                "[ payload load 16b @ network header + 24 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0xffffffff 0x00000080 0x00000000 0x00000000 ) "
                    + "^ 0x00000000 0x00000000 0x00000000 0x00000000 ]",
                "[ cmp eq reg 1 0xb80d0120 0x00000000 0x00000000 0x00000000 ]",
            ])
    }

    @Test func rangeIsTwoComparesAndNegatedRangeIsRangeNeq() {
        #expect(
            matchLines([P.field(.udpDport, P.range(5000, 5010))]).suffix(2) == [
                "[ cmp gte reg 1 0x00008813 ]", "[ cmp lte reg 1 0x00009213 ]",
            ])
        let plan = MirrorPlanner.plan(
            P.policy([
                P.rule("r", [P.field(.tcpSport, P.value(80)), P.field(.tcpDport, P.range(1, 10), negated: true)])
            ]), ports: P.ports)
        #expect(plan.rules[0].expressions.map(\.description).contains("[ range neq reg 1 0x00000100 0x00000a00 ]"))
        #expect(
            matchLines([P.field(.ipSaddr, P.range(P.ip4("198.18.0.1"), P.ip4("198.18.0.9")))]).suffix(2) == [
                "[ cmp gte reg 1 0x010012c6 ]", "[ cmp lte reg 1 0x090012c6 ]",
            ])
    }

    /// `ether type @bk.tpids @ll,116,12 10`: the outer tag of any TPID Bridgekeeper walks (nft's
    /// own `vlan id` reads only 802.1Q tags).
    @Test func vlanIDChecksTheTagFirst() {
        #expect(
            matchLines([P.field(.vlanID, P.value(10))]) == [
                "[ payload load 2b @ link header + 12 => reg 1 ]",
                "[ lookup reg 1 set bk.tpids ]",
                "[ payload load 2b @ link header + 14 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000ff0f ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000a00 ]",
            ])
        #expect(
            matchLines([P.field(.vlanPCP, P.value(3))]).suffix(3) == [
                "[ payload load 1b @ link header + 14 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000000e0 ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000060 ]",
            ])
    }

    /// After the tag check the IPv4 dependency is `meta protocol`: in the native framing the
    /// kernel took the one tag off, so it is the EtherType inside the tag.
    @Test func vlanThenIPChecksTheTypeInsideTheTag() {
        #expect(
            matchLines([P.field(.vlanID, P.value(10)), P.field(.ipSaddr, P.v4("10.1.0.0/16"))]) == [
                "[ payload load 2b @ link header + 12 => reg 1 ]",
                "[ lookup reg 1 set bk.tpids ]",
                "[ payload load 2b @ link header + 14 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000ff0f ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000a00 ]",
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ payload load 2b @ network header + 12 => reg 1 ]",
                "[ cmp eq reg 1 0x0000010a ]",
            ])
    }

    /// nft merges adjacent whole-byte equality matches (as nft 1.0.6 does for `ether daddr
    /// 02:00:00:00:00:02 ether saddr 02:00:00:00:00:01 ip saddr 1.1.1.1 tcp dport 22 tcp sport 80`).
    @Test func adjacentEqualityMatchesAreMergedAsNftDoes() {
        #expect(
            matchLines([
                P.field(.etherDaddr, P.value(P.mac("02:00:00:00:00:02"))),
                P.field(.etherSaddr, P.value(P.mac("02:00:00:00:00:01"))),
                P.field(.ipSaddr, P.v4("1.1.1.1")), P.field(.tcpDport, P.value(22)), P.field(.tcpSport, P.value(80)),
            ]) == [
                "[ payload load 12b @ link header + 0 => reg 1 ]",
                "[ cmp eq reg 1 0x00000002 0x00020200 0x01000000 ]",
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ payload load 4b @ network header + 12 => reg 1 ]",
                "[ cmp eq reg 1 0x01010101 ]",
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 4b @ transport header + 0 => reg 1 ]",
                "[ cmp eq reg 1 0x16005000 ]",
            ])
        // Two IPv4 addresses (8 bytes of network header) stay two loads, as in nft.
        #expect(
            matchLines([
                P.field(.ipTTL, P.value(5)), P.field(.ipProtocol, P.value(6)), P.field(.ipSaddr, P.v4("1.1.1.1")),
                P.field(.ipDaddr, P.v4("2.2.2.2")),
            ]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ payload load 2b @ network header + 8 => reg 1 ]",
                "[ cmp eq reg 1 0x00000605 ]",
                "[ payload load 4b @ network header + 12 => reg 1 ]",
                "[ cmp eq reg 1 0x01010101 ]",
                "[ payload load 4b @ network header + 16 => reg 1 ]",
                "[ cmp eq reg 1 0x02020202 ]",
            ])
    }

    @Test func etherTypeIsMetaProtocolAndEstablishesTheDependency() {
        #expect(
            matchLines([P.field(.etherType, P.value(0x0806))]) == [
                "[ meta load protocol => reg 1 ]", "[ cmp eq reg 1 0x00000608 ]",
            ])
        #expect(
            matchLines([P.field(.etherType, P.value(0x0800)), P.field(.ipDaddr, P.v4("198.18.0.1"))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ payload load 4b @ network header + 16 => reg 1 ]",
                "[ cmp eq reg 1 0x010012c6 ]",
            ])
    }

    @Test func arpOperationAndICMPDependOnMetaProtocol() {
        #expect(
            matchLines([P.field(.arpOperation, P.value(1))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000608 ]",
                "[ payload load 2b @ network header + 6 => reg 1 ]",
                "[ cmp eq reg 1 0x00000100 ]",
            ])
        #expect(
            matchLines([P.field(.icmpType, P.value(8))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x00000001 ]",
                "[ payload load 1b @ transport header + 0 => reg 1 ]",
                "[ cmp eq reg 1 0x00000008 ]",
            ])
        #expect(
            matchLines([P.field(.icmpv6Type, P.value(128))]) == [
                "[ meta load protocol => reg 1 ]",
                "[ cmp eq reg 1 0x0000dd86 ]",
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x0000003a ]",
                "[ payload load 1b @ transport header + 0 => reg 1 ]",
                "[ cmp eq reg 1 0x00000080 ]",
            ])
    }

    @Test func ipHeaderFieldsWithMasksCompareShiftedValues() {
        #expect(
            matchLines([P.field(.ipDSCP, P.value(46))]).suffix(3) == [
                "[ payload load 1b @ network header + 1 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x000000b8 ]",
            ])
        #expect(
            matchLines([P.field(.ipDSCP, P.range(1, 10))]).suffix(2) == [
                "[ cmp gte reg 1 0x00000004 ]", "[ cmp lte reg 1 0x00000028 ]",
            ])
        #expect(
            matchLines([P.field(.ipECN, P.value(3))]).suffix(2) == [
                "[ bitwise reg 1 = ( reg 1 & 0x00000003 ) ^ 0x00000000 ]", "[ cmp eq reg 1 0x00000003 ]",
            ])
        #expect(
            matchLines([P.field(.ip6DSCP, P.value(46))]).suffix(3) == [
                "[ payload load 2b @ network header + 0 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000c00f ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x0000800b ]",
            ])
        #expect(
            matchLines([P.field(.ipTTL, P.value(64))]).suffix(2).first
                == "[ payload load 1b @ network header + 8 => reg 1 ]")
        #expect(
            matchLines([P.field(.ipProtocol, P.value(17))]).suffix(2).first
                == "[ payload load 1b @ network header + 9 => reg 1 ]")
        #expect(
            matchLines([P.field(.ip6Nexthdr, P.value(6))]).suffix(2).first
                == "[ payload load 1b @ network header + 6 => reg 1 ]")
        #expect(
            matchLines([P.field(.ip6Hoplimit, P.value(1))]).suffix(2).first
                == "[ payload load 1b @ network header + 7 => reg 1 ]")
    }

    @Test func etherAddressesAndInterfaceNames() {
        #expect(
            matchLines([P.field(.etherSaddr, P.value(P.mac("02:00:00:00:00:01")))]) == [
                "[ payload load 6b @ link header + 6 => reg 1 ]", "[ cmp eq reg 1 0x00000002 0x00000100 ]",
            ])
        #expect(
            matchLines([P.field(.etherDaddr, P.value(P.mac("02:00:00:00:00:01")), negated: true)]) == [
                "[ payload load 6b @ link header + 0 => reg 1 ]", "[ cmp neq reg 1 0x00000002 0x00000100 ]",
            ])
        let ports = MirrorPorts(a: "veth0", b: "eth1")
        let plan = MirrorPlanner.plan(P.policy([P.rule("r", [P.field(.iif, P.value(0))])]), ports: ports)
        #expect(
            Array(plan.rules[0].expressions.map(\.description).prefix(2)) == [
                "[ meta load iifname => reg 1 ]", "[ cmp eq reg 1 0x68746576 0x00000030 0x00000000 0x00000000 ]",
            ])
        #expect(plan.rules[0].text.hasPrefix("meta iifname \"veth0\""))
    }

    @Test func tcpFlagsNeedAllBitsOfOneValue() {
        #expect(
            matchLines([P.field(.tcpFlags, P.value(0x12))]).suffix(3) == [
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x00000012 ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000012 ]",
            ])
        // Any of several single flags.
        #expect(
            matchLines([P.field(.tcpFlags, P.value(0x02), P.value(0x10))]).suffix(2) == [
                "[ bitwise reg 1 = ( reg 1 & 0x00000012 ) ^ 0x00000000 ]", "[ cmp neq reg 1 0x00000000 ]",
            ])
    }

    /// No dependency, but a transport-header load that fails on later fragments, whose L4
    /// protocol the kernel knows while the policy sees no L4 header.
    @Test func metaL4protoHasNoDependency() {
        #expect(
            matchLines([P.field(.metaL4proto, P.value(6))]) == [
                "[ meta load l4proto => reg 1 ]", "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 1b @ transport header + 0 => reg 1 ]", "[ cmp gte reg 1 0x00000000 ]",
            ])
        // A single-valued l4proto match makes the TCP dependency unnecessary, as in nft.
        #expect(
            matchLines([P.field(.metaL4proto, P.value(6)), P.field(.tcpDport, P.value(22))]) == [
                "[ meta load l4proto => reg 1 ]",
                "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]",
                "[ cmp eq reg 1 0x00001600 ]",
            ])
    }

    @Test func dependenciesAreEmittedOncePerRule() {
        let lines = matchLines([
            P.field(.ipSaddr, P.v4("198.18.0.1")), P.field(.tcpDport, P.value(22)),
            P.field(.ipDaddr, P.v4("198.18.0.2")),
            P.field(.tcpSport, P.value(1024)),
        ])
        #expect(lines.filter { $0 == "[ meta load protocol => reg 1 ]" }.count == 1)
        #expect(lines.filter { $0 == "[ meta load l4proto => reg 1 ]" }.count == 1)
    }
}
