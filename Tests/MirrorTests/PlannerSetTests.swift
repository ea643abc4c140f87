import Foundation
import Mirror
import Policy
import Testing

/// Anonymous and named sets: flags, element encoding, lookups.
@Suite struct PlannerSetTests {
    /// Elements as `nft --debug=netlink` prints them: `element 000012c6  : 0 [end]`.
    private func elementLines(_ set: NftSet) -> [String] {
        set.elements.map { element in
            let words = NftExpression.immediate(element.key).description
                .replacingOccurrences(of: "[ immediate reg 1 ", with: "")
                .replacingOccurrences(of: " ]", with: "")
                .replacingOccurrences(of: "0x", with: "")
            return "element \(words)  : \(element.isIntervalEnd ? 1 : 0) [end]"
        }
    }

    @Test func severalPortsAreAConstantAnonymousSet() throws {
        let plan = MirrorPlanner.plan(
            P.policy([P.rule("web", [P.field(.tcpDport, P.value(443), P.value(22), P.value(80))], [], .forward)]),
            ports: P.ports)
        let set = try #require(plan.policySets.first)
        #expect(set.isAnonymous && set.name == "__set0" && set.flags == 3)
        #expect(set.keyType == .inetService && set.keyLength == 2)
        #expect(
            elementLines(set) == [
                "element 00001600  : 0 [end]", "element 00005000  : 0 [end]", "element 0000bb01  : 0 [end]",
            ])
        #expect(
            plan.rules[0].expressions.map(\.description).contains("[ lookup reg 1 set __set0 ]"))
        #expect(plan.rules[0].text == "tcp dport { 22, 80, 443 } counter accept")
    }

    @Test func prefixesMakeAnIntervalSetWithEndElements() throws {
        let plan = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.ipSaddr, P.v4("192.168.0.0/16"), P.v4("10.0.0.0/8"))])]), ports: P.ports)
        let set = try #require(plan.policySets.first)
        #expect(set.flags == 7)
        #expect(
            elementLines(set) == [
                "element 00000000  : 1 [end]", "element 0000000a  : 0 [end]", "element 0000000b  : 1 [end]",
                "element 0000a8c0  : 0 [end]", "element 0000a9c0  : 1 [end]",
            ])
        #expect(plan.rules[0].text.hasPrefix("ip saddr { 10.0.0.0/8, 192.168.0.0/16 }"))
    }

    @Test func intervalsStartingAtZeroOrRunningToTheMaximum() throws {
        let fromZero = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.tcpDport, P.range(0, 10), P.value(20))])]), ports: P.ports)
        #expect(
            elementLines(fromZero.policySets[0]) == [
                "element 00000000  : 0 [end]", "element 00000b00  : 1 [end]", "element 00001400  : 0 [end]",
                "element 00001500  : 1 [end]",
            ])
        let toMax = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.tcpDport, P.value(20), P.range(60000, 65535))])]), ports: P.ports)
        #expect(
            elementLines(toMax.policySets[0]) == [
                "element 00000000  : 1 [end]", "element 00001400  : 0 [end]", "element 00001500  : 1 [end]",
                "element 000060ea  : 0 [end]",
            ])
        #expect(toMax.policySets[0].elements.last?.isOpenInterval == true)
        // Shifted fields put the end one past the shifted value and are never open (as nft does).
        let dscp = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.ipDSCP, P.value(1), P.range(60, 63))])]), ports: P.ports)
        #expect(
            elementLines(dscp.policySets[0]) == [
                "element 00000000  : 1 [end]", "element 00000004  : 0 [end]", "element 00000005  : 1 [end]",
                "element 000000f0  : 0 [end]", "element 000000fd  : 1 [end]",
            ])
    }

    @Test func overlappingAndTouchingValuesAreMerged() throws {
        let plan = MirrorPlanner.plan(
            P.policy([P.rule("r", [P.field(.ipSaddr, P.v4("198.18.0.0/16"), P.v4("198.19.0.0/16"))])]),
            ports: P.ports)
        // Two /16s that touch are one /15: a single masked compare, no set.
        #expect(plan.policySets.isEmpty)
        #expect(plan.rules[0].text.hasPrefix("ip saddr 198.18.0.0/15"))
    }

    @Test func negatedSetIsAnInvertedLookup() {
        let plan = MirrorPlanner.plan(
            P.policy([
                P.rule(
                    "r",
                    [
                        P.field(.metaL4proto, P.value(6), P.value(17), negated: true),
                        P.field(.ipSaddr, P.v4("198.18.0.1")),
                    ], [], .drop)
            ]), ports: P.ports)
        #expect(plan.rules[0].expressions.map(\.description).contains("[ lookup reg 1 set __set0 0x1 ]"))
        #expect(plan.rules[0].text.hasPrefix("meta l4proto != { 6, 17 }"))
    }

    @Test func namedSetsAreSharedAndTyped() throws {
        let blocked = NamedSet(
            name: "blocked", elements: [P.v4("192.0.2.0/24"), P.v4("198.51.100.0/24")], valueKind: .ipv4,
            location: P.at(2))
        let voip = NamedSet(
            name: "voip", elements: [P.value(5060), P.range(10000, 20000)], valueKind: .integer, location: P.at(3))
        let rules = [
            P.rule("a", [P.fieldValues(.ipSaddr, blocked.elements, set: "blocked")]),
            P.rule(
                "b",
                [
                    P.fieldValues(.ipDaddr, blocked.elements, negated: true, set: "blocked"),
                    P.field(.ipSaddr, P.v4("198.18.0.1")),
                ]),
            P.rule("c", [P.fieldValues(.udpDport, voip.elements, set: "voip")], [], .forward),
            // Used with a field nft has no named type for: written inline.
            P.rule("d", [P.fieldValues(.ipDSCP, [P.value(46), P.value(10)], set: "marks")], [], .forward),
        ]
        let plan = MirrorPlanner.plan(P.policy(rules, sets: [blocked, voip]), ports: P.ports)
        let named = plan.policySets.filter { !$0.isAnonymous }
        #expect(named.map(\.name) == ["blocked", "voip"])
        #expect(named[0].keyType == .ipv4Address && named[0].isInterval && named[0].flags == 4)
        #expect(named[1].keyType == .inetService && named[1].isInterval)
        #expect(plan.rules[0].expressions.map(\.description).contains("[ lookup reg 1 set blocked ]"))
        #expect(plan.rules[1].expressions.map(\.description).contains("[ lookup reg 1 set blocked 0x1 ]"))
        #expect(plan.rules[0].text.hasPrefix("ip saddr @blocked"))
        #expect(plan.rules[3].text.hasPrefix("ip dscp { 10, 46 }"))
        #expect(plan.policySets.filter(\.isAnonymous).count == 1)
        // One id per set, lookups point at them.
        #expect(Set(plan.policySets.map(\.id)).count == plan.policySets.count)
    }

    @Test func aSetUsedWithTwoTypesBecomesTwoNftSets() {
        let ports = NamedSet(
            name: "ports", elements: [P.value(6), P.value(17)], valueKind: .integer, location: P.at(2))
        let plan = MirrorPlanner.plan(
            P.policy(
                [
                    P.rule("a", [P.fieldValues(.tcpDport, ports.elements, set: "ports")]),
                    P.rule("b", [P.fieldValues(.metaL4proto, ports.elements, set: "ports")]),
                ], sets: [ports]), ports: P.ports)
        #expect(plan.policySets.map(\.name) == ["ports", "ports-inet_proto"])
        #expect(plan.rules[1].text.hasPrefix("meta l4proto @ports-inet_proto"))
    }

    @Test func aLeftOutRuleLeavesNoSetsBehind() {
        let plan = MirrorPlanner.plan(
            P.policy([
                P.rule(
                    "odd-flags",
                    [P.field(.tcpDport, P.value(1), P.value(5)), P.field(.tcpFlags, P.value(0x03), P.value(0x05))], [],
                    .forward),
                P.rule("kept", [P.field(.udpDport, P.value(1), P.value(5))]),
            ]), ports: P.ports)
        #expect(plan.notes.filter { $0.rule == "odd-flags" }.map(\.code) == [.notMirrorable])
        // The first rule's anonymous set was made before its flags turned out to have no nft form.
        #expect(plan.policySets.count == 1)
        #expect(plan.policySets.first?.id == 1 && plan.policySets.first?.keyType == .inetService)
        #expect(plan.mirroredRuleNames == ["kept"])
    }
}
