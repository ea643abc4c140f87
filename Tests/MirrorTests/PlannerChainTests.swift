import Foundation
import Mirror
import Policy
import TestSupport
import Testing

/// A policy with chains, a rule that goes on, `return`, `goto` and a verdict map.
enum ChainedPolicy {
    static let text = """
        version 1
        default forward
        chain lan {
            rule "no-lldp" { match ether type 0x88cc; drop }
            rule "back" { match ether saddr 02:00:00:00:00:01; return }
            rule "note" { match ether daddr 02:00:00:00:00:02 }
            rule "arp" { match ether type arp; accept }
        }
        chain other { rule "x" { match ether saddr 02:00:00:00:00:03; drop } }
        rule "to-lan" { match iif a; jump lan }
        rule "types" { ether type vmap { arp : accept, 0x88b5 : jump other } }
        rule "go" { match iif b; goto other }

        """

    static var policy: Policy { PolicyReader.parse(text: text, path: "chained.policy").policy! }

    /// The same rules as an nft user writes them (the native chains only).
    static let handWritten = """
        table bridge bkchains {
            set bk.tpids { type ether_type; elements = { vlan, 0x88a8, 0x9100 }; }
            chain forward {
                type filter hook forward priority 0; policy accept;
                meta protocol != @bk.tpids meta iifname "pa" counter jump chain-lan comment "to-lan"
                meta protocol != @bk.tpids counter jump map-types comment "types"
                meta protocol != @bk.tpids meta iifname "pb" counter goto chain-other comment "go"
            }
            chain chain-lan {
                meta protocol 0x88cc counter drop comment "lan/no-lldp"
                meta protocol != @bk.tpids ether saddr 02:00:00:00:00:01 counter return comment "lan/back"
                meta protocol != @bk.tpids ether daddr 02:00:00:00:00:02 counter comment "lan/note"
                meta protocol arp counter accept comment "lan/arp"
            }
            chain chain-other {
                meta protocol != @bk.tpids ether saddr 02:00:00:00:00:03 counter drop comment "other/x"
            }
            chain map-types {
                meta protocol arp counter accept comment "types"
                meta protocol 0x88b5 counter goto chain-other comment "types"
            }
        }

        """
}

/// How chains, jumps and maps are laid out in the mirror (no kernel needed).
@Suite struct PlannerChainTests {
    let plan = MirrorPlanner.plan(ChainedPolicy.policy, ports: P.ports)

    private func texts(_ chain: String) -> [String] { plan.rules(in: chain).map(\.text) }

    @Test func policyChainsAreNftChainsWithTheirJumps() {
        let names = plan.chains.map(\.name)
        for chain in ["forward", "chain-lan", "chain-other", "map-types", "tags-1.chain-lan", "tags-2.map-types"] {
            #expect(names.contains(chain), "\(chain) in \(names)")
        }
        #expect(
            texts("forward").map { $0.split(separator: " ").suffix(2).joined(separator: " ") }
                == ["jump chain-lan", "jump map-types", "goto chain-other"])
        #expect(plan.rules(in: "chain-lan").map(\.comment) == ["lan/no-lldp", "lan/back", "lan/note", "lan/arp"])
        #expect(texts("chain-lan")[1].hasSuffix("counter return"))
        #expect(texts("chain-lan")[2].hasSuffix("counter"), "a rule that goes on has no verdict")
        #expect(texts("map-types").map { $0.hasSuffix("goto chain-other") } == [false, true])
        // The tagged framings have their own copies, and jump to them.
        #expect(texts("tags-1").first?.hasSuffix("jump tags-1.chain-lan") == true)
        #expect(texts("tags-2.map-types").last?.hasSuffix("goto tags-2.chain-other") == true)
        #expect(
            plan.mirroredRuleNames == [
                "lan/no-lldp", "lan/back", "lan/note", "lan/arp", "other/x", "to-lan", "types", "go",
            ])
    }

    @Test func pastTheTagsReadAJumpIntoChainsThatDropDrops() {
        #expect(texts("tags-over-2") == ["counter drop"])
        #expect(plan.rules(in: "tags-over-2").first?.comment == "to-lan")
    }

    @Test func aMapsGotoAndReturnElementsBecomeDrop() throws {
        let text = """
            version 1
            default forward
            chain c { rule "a" { match ether saddr 02:00:00:00:00:03; drop } }
            rule "m" { ether type vmap { arp : goto c, 0x88b5 : return } }

            """
        let policy = try #require(PolicyReader.parse(text: text, path: "m.policy").policy)
        let plan = MirrorPlanner.plan(policy, ports: P.ports)
        #expect(plan.rules(in: "map-m").map { $0.text.hasSuffix("counter drop") } == [true, true])
        #expect(plan.notes.contains { $0.message.contains("`goto` and `return` elements become `drop`") })
    }
}

/// The mirror of the chained policy is what `nft` makes of the same rules written by hand.
@Suite(.serialized) struct NftChainTextTests {
    @Test func chainsCompileAsTheHandWrittenRules() throws {
        let plan = MirrorPlanner.plan(ChainedPolicy.policy, ports: P.ports, table: "bkchains")
        let namespace = try NetworkNamespace("chains")
        defer { namespace.delete() }
        let result = namespace.exec(["nft", "--debug=netlink", "-c", "-f", "-"], input: ChainedPolicy.handWritten)
        try #require(result.succeeded, "nft -c rejected the hand-written rules:\n\(result.errors)")
        let compiled = NftListing.parseBytecode(result.output, table: "bkchains")
        for chain in ["forward", "chain-lan", "chain-other", "map-types"] {
            let expected = plan.rules(in: chain).map { $0.expressions.map(\.description) }
            let actual = compiled[chain] ?? []
            #expect(actual.count == expected.count, "chain \(chain)")
            for (index, pair) in zip(expected, actual).enumerated() where pair.0 != pair.1 {
                Issue.record(
                    "\(chain) rule \(index) differs:\nplan:\n\(pair.0.joined(separator: "\n"))\nnft:\n\(pair.1.joined(separator: "\n"))"
                )
            }
        }
        // And the whole rendered plan, tagged copies included, is accepted by nft.
        let rendered = namespace.exec(["nft", "-c", "-f", "-"], input: NftText.render(plan))
        #expect(rendered.succeeded, "\(rendered.errors)")
    }
}
