import Mirror
import Policy
import Testing

/// Rewrites: payload writes with checksum updates, as `nft --debug=netlink` compiles
/// `FIELD set VALUE` in the bridge family.
@Suite struct PlannerRewriteTests {
    /// The write expressions of `FIELD set VALUE` in a rule whose match implies its dependency.
    private func writeLines(_ field: Field, _ value: UInt128, match: [MatchTerm]) -> [String] {
        let plan = MirrorPlanner.plan(P.policy([P.rule("r", match, [.set(field, value)], .forward)]), ports: P.ports)
        let rule = plan.rules(in: "forward")[0]
        let lines = rule.expressions.map(\.description)
        guard let counter = lines.firstIndex(of: "[ counter pkts 0 bytes 0 ]") else { return [] }
        return Array(lines[(counter + 1)..<(lines.count - 1)])
    }

    private let ipv4 = [P.field(.ipSaddr, P.v4("198.18.0.1"))]
    private let ipv6 = [P.field(.ip6Saddr, P.v6("2001:db8::1"))]

    @Test func etherAddressWrites() {
        #expect(
            writeLines(.etherSaddr, P.mac("02:00:00:00:00:01"), match: []) == [
                "[ immediate reg 1 0x00000002 0x00000100 ]",
                "[ payload write reg 1 => 6b @ link header + 6 csum_type 0 csum_off 0 csum_flags 0x0 ]",
            ])
        #expect(
            writeLines(.etherDaddr, P.mac("02:00:00:00:00:01"), match: []).last?.contains("link header + 0") == true)
    }

    /// The write in the rule's own chain, after its 802.1Q dependency: the match reads outer tags
    /// of any TPID, nft's `vlan id set` only 802.1Q ones.
    private func chainWriteLines(_ field: Field, _ value: UInt128, match: [MatchTerm]) -> [String] {
        let plan = MirrorPlanner.plan(P.policy([P.rule("r", match, [.set(field, value)], .forward)]), ports: P.ports)
        guard let rule = plan.rules(in: "rule-r").first else { return [] }
        let lines = rule.expressions.map(\.description)
        guard
            lines.prefix(2) == ["[ payload load 2b @ link header + 12 => reg 1 ]", "[ cmp eq reg 1 0x00000081 ]"]
        else { return [] }
        return Array(lines.dropFirst(2))
    }

    @Test func vlanWritesKeepTheOtherTagBits() {
        let tagged = [P.field(.vlanID, P.value(10))]
        #expect(
            chainWriteLines(.vlanID, 20, match: tagged) == [
                "[ payload load 2b @ link header + 14 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000000f0 ) ^ 0x00001400 ]",
                "[ payload write reg 1 => 2b @ link header + 14 csum_type 0 csum_off 0 csum_flags 0x0 ]",
            ])
        #expect(
            chainWriteLines(.vlanPCP, 3, match: tagged) == [
                "[ payload load 1b @ link header + 14 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000001f ) ^ 0x00000060 ]",
                "[ payload write reg 1 => 1b @ link header + 14 csum_type 0 csum_off 0 csum_flags 0x0 ]",
            ])
    }

    @Test func ipv4WritesFixTheHeaderChecksumAndPseudoHeader() {
        #expect(
            writeLines(.ipDaddr, P.ip4("198.18.0.9"), match: ipv4) == [
                "[ immediate reg 1 0x090012c6 ]",
                "[ payload write reg 1 => 4b @ network header + 16 csum_type 1 csum_off 10 csum_flags 0x1 ]",
            ])
        #expect(
            writeLines(.ipTTL, 9, match: ipv4) == [
                "[ payload load 2b @ network header + 8 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x0000ff00 ) ^ 0x00000009 ]",
                "[ payload write reg 1 => 2b @ network header + 8 csum_type 1 csum_off 10 csum_flags 0x0 ]",
            ])
        #expect(
            writeLines(.ipDSCP, 46, match: ipv4) == [
                "[ payload load 2b @ network header + 0 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000003ff ) ^ 0x0000b800 ]",
                "[ payload write reg 1 => 2b @ network header + 0 csum_type 1 csum_off 10 csum_flags 0x0 ]",
            ])
        #expect(
            writeLines(.ipECN, 1, match: ipv4)[1] == "[ bitwise reg 1 = ( reg 1 & 0x0000fcff ) ^ 0x00000100 ]")
    }

    @Test func ipv6WritesUpdateOnlyThePseudoHeader() {
        #expect(
            writeLines(.ip6Daddr, P.ip6("2001:db8::9"), match: ipv6) == [
                "[ immediate reg 1 0xb80d0120 0x00000000 0x00000000 0x09000000 ]",
                "[ payload write reg 1 => 16b @ network header + 24 csum_type 0 csum_off 0 csum_flags 0x1 ]",
            ])
        #expect(
            writeLines(.ip6Hoplimit, 9, match: ipv6) == [
                "[ immediate reg 1 0x00000009 ]",
                "[ payload write reg 1 => 1b @ network header + 7 csum_type 0 csum_off 0 csum_flags 0x0 ]",
            ])
        #expect(
            writeLines(.ip6DSCP, 46, match: ipv6)[1] == "[ bitwise reg 1 = ( reg 1 & 0x00003ff0 ) ^ 0x0000800b ]")
    }

    @Test func portWritesFixTheL4Checksum() {
        #expect(
            writeLines(.tcpDport, 80, match: [P.field(.tcpDport, P.value(8080))]) == [
                "[ immediate reg 1 0x00005000 ]",
                "[ payload write reg 1 => 2b @ transport header + 2 csum_type 1 csum_off 16 csum_flags 0x0 ]",
            ])
        #expect(
            writeLines(.udpSport, 80, match: [P.field(.udpDport, P.value(53))]) == [
                "[ immediate reg 1 0x00005000 ]",
                "[ payload write reg 1 => 2b @ transport header + 0 csum_type 1 csum_off 6 csum_flags 0x0 ]",
            ])
    }

    @Test func rewriteWhoseDependencyTheMatchLacksJumpsToARuleChain() throws {
        let plan = MirrorPlanner.plan(
            P.policy([
                P.rule("mark-ef", [P.field(.iif, P.value(0))], [.set(.ipDSCP, 46), .set(.tcpDport, 80)], .forward)
            ]),
            ports: P.ports)
        #expect(plan.chains.map(\.name) == ["forward", "rule-mark-ef"])
        #expect(plan.chains[1].base == nil)
        let main = plan.rules(in: "forward")[0]
        #expect(main.expressions.suffix(2) == [.counter, .verdict(.jump("rule-mark-ef"))])
        #expect(main.text == "meta iifname \"pa\" counter jump rule-mark-ef")
        let chain = plan.rules(in: "rule-mark-ef")
        #expect(chain.map(\.text) == ["ip dscp set 46", "tcp dport set 80", "accept"])
        #expect(
            Array(chain[0].expressions.map(\.description).prefix(2)) == [
                "[ meta load protocol => reg 1 ]", "[ cmp eq reg 1 0x00000008 ]",
            ])
        #expect(chain.allSatisfy { $0.comment == nil && $0.origin?.name == "mark-ef" })
        // The rule matches tagged frames too, but their IP header is where nft's writes cannot fix it.
        #expect(
            plan.notes.map(\.message) == [
                "its rewrites are left out of frames whose L3 header lies behind two or more VLAN tags or a 0x9100 "
                    + "tag (the kernel can only write there as raw payload, without fixing checksums)"
            ])
    }

    @Test func rewriteThatCanNeverApplyIsDropped() {
        let plan = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.ip6Saddr, P.v6("2001:db8::1"))], [.set(.ipTTL, 9)], .forward)]),
            ports: P.ports)
        #expect(!plan.chains.contains { $0.name.hasPrefix("rule-") })
        #expect(plan.rules(in: "forward").map(\.text) == ["ip6 saddr 2001:db8::1 counter accept"])
    }
}
