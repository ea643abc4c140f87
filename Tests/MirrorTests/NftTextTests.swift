import Foundation
import Mirror
import Policy
import TestSupport
import Testing

/// The rendered text is accepted by `nft`, and `nft` compiles it to exactly the plan's
/// expressions and set elements.
@Suite(.serialized) struct NftTextTests {
    @Test func kitchenSinkTextIsAcceptedAndCompilesToThePlan() throws {
        let plan = MirrorPlanner.plan(KitchenSinkPolicy.policy, ports: P.ports, table: "bkcheck")
        let text = NftText.render(plan)
        let namespace = try NetworkNamespace("text")
        defer { namespace.delete() }
        let result = namespace.exec(["nft", "--debug=netlink", "-c", "-f", "-"], input: text)
        try #require(result.succeeded, "nft -c rejected the text:\n\(result.errors)\n\(text)")
        let compiled = NftListing.parseBytecode(result.output, table: "bkcheck")
        for chain in plan.chains {
            // `nft -c` prints the name template of anonymous sets; the kernel names them __set0...
            let expected = plan.rules(in: chain.name).map {
                $0.expressions.map { $0.description.replacing(#/__set\d+/#, with: "__set%d") }
            }
            let actual = compiled[chain.name] ?? []
            #expect(actual.count == expected.count, "chain \(chain.name)")
            for (index, pair) in zip(expected, actual).enumerated() where pair.0 != pair.1 {
                let rule = plan.rules(in: chain.name)[index]
                Issue.record(
                    "rule \(rule.comment ?? rule.text) differs:\nplan:\n\(pair.0.joined(separator: "\n"))\nnft:\n\(pair.1.joined(separator: "\n"))"
                )
            }
        }
        // Anonymous sets, in rule order, with nft's element encoding.
        let anonymous = plan.sets.filter(\.isAnonymous)
        let elementLines = result.output.split(separator: "\n").filter { $0.contains("\telement ") }
        let nftAnonymous = Array(elementLines.suffix(anonymous.count))
        #expect(nftAnonymous.count == anonymous.count)
        for (set, line) in zip(anonymous, nftAnonymous) {
            #expect(elements(of: line) == set.elements.map(elementText), "set \(set.elementsText)")
        }
        // The notes are in the text, at the top and beside the rules.
        for note in plan.notes {
            #expect(text.components(separatedBy: "# " + note.text).count == (note.rule == nil ? 2 : 3), "\(note.text)")
        }
    }

    /// For kernels with bridge connection tracking and `reject` (not this one: the kernel
    /// refuses these rules, but `nft --debug=netlink` prints what it sends first), the native
    /// `ct` and `reject` expressions are what `nft` makes of the same text.
    @Test func nativeConnectionTrackingAndRejectAreWhatNftMakesOfTheText() throws {
        var capabilities = KernelCapabilities.assumed
        capabilities.bridgeConntrack = true
        capabilities.bridgeReject = true
        let policy = P.policy(
            [
                P.rule("est", [StatefulPolicy.ct(2, 4)], [], .forward),
                P.rule("not-new", [StatefulPolicy.ct(8, negated: true), P.field(.tcpDport, P.value(22))]),
                P.rule("neither", [StatefulPolicy.ct(2, 4, negated: true), P.field(.udpDport, P.value(53))]),
                P.rule("reply", [P.fieldValues(.ctDirection, [P.value(1)]), P.field(.udpDport, P.value(54))]),
                P.rule("tracked", [P.fieldValues(.ctDirection, [P.value(0), P.value(1)])], [], .forward),
                StatefulPolicy.reject("auto", [P.field(.tcpDport, P.value(23))], .automatic),
                StatefulPolicy.reject("reset", [P.field(.tcpDport, P.value(24))], .tcpReset),
                StatefulPolicy.reject("icmp", [P.field(.udpDport, P.value(7))], .icmp(code: 1)),
                StatefulPolicy.reject("icmpv6", [P.field(.udpDport, P.value(9))], .icmpv6(code: 1)),
                StatefulPolicy.reject("icmpx", [P.field(.udpDport, P.value(11))], .icmpx(.adminProhibited)),
            ], default: .drop)
        let plan = MirrorPlanner.plan(policy, ports: P.ports, table: "bkcheck", capabilities: capabilities)
        #expect(plan.chains.allSatisfy { $0.base == nil || $0.base?.hook == NftBaseChain.bridgePrerouting })
        #expect(plan.flows == nil)
        let namespace = try NetworkNamespace("native")
        defer { namespace.delete() }
        let result = namespace.exec(["nft", "--debug=netlink", "-c", "-f", "-"], input: NftText.render(plan))
        let compiled = NftListing.parseBytecode(result.output, table: "bkcheck")
        let expected = plan.rules(in: "forward").map {
            $0.expressions.map { $0.description.replacing(#/__set\d+/#, with: "__set%d") }
        }
        let actual = compiled["forward"] ?? []
        #expect(actual.count == expected.count, "\(result.errors)")
        for (index, pair) in zip(expected, actual).enumerated() where pair.0 != pair.1 {
            let rule = plan.rules(in: "forward")[index]
            let planned = pair.0.joined(separator: "\n")
            let compiledByNft = pair.1.joined(separator: "\n")
            Issue.record("rule \(rule.comment ?? rule.text) differs:\nplan:\n\(planned)\nnft:\n\(compiledByNft)")
        }
    }

    @Test func renderedTextShape() {
        let policy = P.policy(
            [
                P.rule("bad-host", [P.field(.etherSaddr, P.value(P.mac("02:00:00:00:0b:ad")))], [], .drop, line: 3),
                P.rule("web-alt", [P.bpf("tcp dst port 8080")], [], .forward, line: 8),
                P.rule("mark", [P.field(.iif, P.value(0))], [.set(.ipDSCP, 46)], .forward, line: 12),
            ], default: .forward,
            sets: [])
        let text = NftText.render(MirrorPlanner.plan(policy, ports: P.ports))
        let rewriteNote =
            "rule \"mark\" is mirrored in part: its rewrites are left out of frames whose L3 header lies behind two or "
            + "more VLAN tags or a 0x9100 tag (the kernel can only write there as raw payload, without fixing checksums)"
        #expect(
            text == """
                # nftables mirror of the policy: `nft -f` of this text replaces table bridge bridgekeeper.
                # This plan assumes a kernel like the one it was developed on (not probed): \(KernelCapabilities.assumed).
                # rule "web-alt" is not mirrored: its `bpf "tcp dst port 8080"` match has no nftables form
                # \(rewriteNote)
                table bridge bridgekeeper
                delete table bridge bridgekeeper
                table bridge bridgekeeper {
                \tchain forward {
                \t\ttype filter hook forward priority 0; policy accept;
                \t\tether saddr 02:00:00:00:0b:ad counter drop comment "bad-host"
                \t\t# rule "web-alt" is not mirrored: its `bpf "tcp dst port 8080"` match has no nftables form
                \t\t# \(rewriteNote)
                \t\tmeta iifname "pa" counter jump rule-mark comment "mark"
                \t}

                \tchain rule-mark {
                \t\tip dscp set 46
                \t\taccept
                \t}
                }

                """)
    }

    private func elements(of line: Substring) -> [String] {
        line.components(separatedBy: "\telement ").dropFirst().map {
            let cut = $0.components(separatedBy: "  userdata")[0]
            return "element " + cut.trimmingCharacters(in: .whitespaces)
        }
    }

    private func elementText(_ element: NftSetElement) -> String {
        let words = NftExpression.immediate(element.key).description
            .replacingOccurrences(of: "[ immediate reg 1 ", with: "").replacingOccurrences(of: " ]", with: "")
            .replacingOccurrences(of: "0x", with: "")
        return "element \(words)  : \(element.isIntervalEnd ? 1 : 0) [end]"
    }
}
