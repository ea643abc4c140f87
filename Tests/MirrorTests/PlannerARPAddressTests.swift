import Mirror
import Policy
import Testing

/// `arp saddr ip` and its kin in the kernel: what `nft --debug=netlink` shows for
/// `meta protocol arp arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ip ...` (nft 1.0.6):
/// the format check the policy's fields imply, merged the way nft merges it, then the address.
@Suite struct PlannerARPAddressTests {
    private func rules(_ line: String) -> [(lines: [String], text: String)] {
        PlannerNftFieldTests.plan(line).rules(in: "forward").map {
            (Array($0.expressions.map(\.description).dropLast(2)), $0.text)
        }
    }

    static let format = [
        "[ meta load protocol => reg 1 ]", "[ cmp eq reg 1 0x00000608 ]",
        "[ payload load 4b @ network header + 0 => reg 1 ]", "[ cmp eq reg 1 0x00080100 ]",
        "[ payload load 2b @ network header + 4 => reg 1 ]", "[ cmp eq reg 1 0x00000406 ]",
    ]

    @Test func eachFieldAtItsOffsetAfterTheFormatCheck() {
        #expect(
            rules("arp saddr ip 198.18.0.1").map(\.lines) == [
                Self.format + ["[ payload load 4b @ network header + 14 => reg 1 ]", "[ cmp eq reg 1 0x010012c6 ]"]
            ])
        #expect(
            rules("arp saddr ip 198.18.0.1").first?.text
                == "meta protocol arp arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ip 198.18.0.1 counter drop"
        )
        #expect(
            rules("arp daddr ether 02:00:00:00:00:01").map(\.lines) == [
                Self.format + [
                    "[ payload load 6b @ network header + 18 => reg 1 ]", "[ cmp eq reg 1 0x00000002 0x00000100 ]",
                ]
            ])
        #expect(
            rules("arp saddr ether 02:00:00:00:00:01").first?.lines.suffix(2) == [
                "[ payload load 6b @ network header + 8 => reg 1 ]", "[ cmp eq reg 1 0x00000002 0x00000100 ]",
            ])
        #expect(
            rules("arp daddr ip 198.18.0.0/24").first?.lines.suffix(2) == [
                "[ payload load 3b @ network header + 24 => reg 1 ]", "[ cmp eq reg 1 0x000012c6 ]",
            ])
    }

    /// nft merges `arp hlen 6 arp plen 4` with `arp operation 1` into one 4-byte comparison.
    @Test func theOperationMergesWithTheLengths() {
        #expect(
            rules("arp operation request arp saddr ip 198.18.0.1").map(\.lines) == [
                Array(Self.format.prefix(4)) + [
                    "[ payload load 4b @ network header + 4 => reg 1 ]", "[ cmp eq reg 1 0x01000406 ]",
                    "[ payload load 4b @ network header + 14 => reg 1 ]", "[ cmp eq reg 1 0x010012c6 ]",
                ]
            ])
    }

    /// A negated address also holds for frames without one: not ARP, or ARP of another format.
    @Test func aNegatedAddressCoversFramesWithoutOne() {
        let planned = rules("arp saddr ip != 198.18.0.1")
        #expect(planned.count == 4)
        #expect(
            planned.map(\.text) == [
                "meta protocol arp arp htype 1 arp ptype ip arp hlen 6 arp plen 4 arp saddr ip != 198.18.0.1 counter drop",
                // Frames with two tags are the tagged chains' (see TaggedRulePlanner).
                "meta protocol != @bk.tpids meta protocol != arp counter drop",
                "meta protocol arp @nh,0,32 != 0x00010800 counter drop",
                "meta protocol arp arp htype 1 arp ptype ip @nh,32,16 != 0x0604 counter drop",
            ])
        #expect(
            planned[2].lines == [
                "[ meta load protocol => reg 1 ]", "[ cmp eq reg 1 0x00000608 ]",
                "[ payload load 4b @ network header + 0 => reg 1 ]", "[ cmp neq reg 1 0x00080100 ]",
            ])
    }

    @Test func aNamedSetOfAddressesIsTyped() throws {
        let text = """
            version 1
            default forward
            set gateways = { 198.18.0.1, 198.18.0.254 }
            rule "r" {
                match arp saddr ip @gateways
                drop
            }
            """
        let policy = try #require(PolicyReader.parse(text: text, path: "t.policy").policy)
        let plan = MirrorPlanner.plan(policy, ports: P.ports)
        let set = try #require(plan.sets.first { !$0.isAnonymous && $0.name.contains("gateways") })
        #expect(set.keyType.name == "ipv4_addr")
        #expect(plan.rules(in: "forward").first?.text.contains("arp saddr ip @") == true)
    }
}
