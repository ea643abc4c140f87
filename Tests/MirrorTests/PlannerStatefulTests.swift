import Flow
import Policy
import Testing

@testable import Mirror

/// The planner's output for limits, meters, quotas, rejects and `ct` terms, per construct.
@Suite struct PlannerStatefulTests {
    private func plan(_ rules: [Rule], capabilities: KernelCapabilities = .assumed) -> MirrorPlan {
        MirrorPlanner.plan(P.policy(rules), ports: P.ports, capabilities: capabilities)
    }

    @Test func aLimitIsOneNamedBucketForEveryNftRuleOfItsRule() {
        let result = plan([
            P.rule("flood", [P.field(.tcpDport, P.value(80)), StatefulPolicy.limit(10, burst: 5, over: true)])
        ])
        #expect(
            result.objects == [
                NftObject(
                    name: "flood",
                    kind: .limit(NftLimit(rate: 10, unit: 1, burst: 5, countsBytes: false, inverted: true)),
                    origin: NftRuleOrigin(name: "flood", number: 1, location: P.at(1)))
            ])
        let rules = result.rules.filter { $0.comment == "flood" }
        #expect(rules.count > 1, "the native rule and the tagged framings' copies")
        // Every copy that reads the frame takes a token; frames deeper than the mirror reads are
        // dropped by the rule outright (the safer verdict, without a token).
        #expect(
            rules.filter { $0.chain != "tags-over-2" }.allSatisfy {
                $0.expressions.contains(.objectReference(.limit, name: "flood"))
            })
        #expect(result.rules(in: "tags-over-2").map(\.text) == ["counter drop"])
        #expect(result.rules(in: "forward")[0].text == "tcp dport 80 limit name \"flood\" counter drop")
        // After the match, before the counter: a frame the match refuses takes no token.
        let expressions = result.rules(in: "forward")[0].expressions
        #expect(expressions.suffix(3) == [.objectReference(.limit, name: "flood"), .counter, .verdict(.drop)])
    }

    @Test func aByteRateAndQuotasKeepTheirUnits() {
        let result = plan([
            P.rule("bulk", [StatefulPolicy.limit(10, bytes: .mbytes, over: true)]),
            P.rule("cap", [StatefulPolicy.quota(100, .mbytes, over: true)]),
            P.rule("allowance", [StatefulPolicy.quota(2, .kbytes, over: false)], [], .forward),
        ])
        #expect(
            result.objects.map(\.kind) == [
                .limit(NftLimit(rate: 10_485_760, unit: 1, burst: 0, countsBytes: true, inverted: true)),
                .quota(bytes: 104_857_600, over: true), .quota(bytes: 2048, over: false),
            ])
        let text = NftText.render(result)
        #expect(text.contains("\tlimit bulk {\n\t\trate over 10485760 bytes/second\n\t}"))
        #expect(text.contains("\tquota cap {\n\t\tover 104857600 bytes\n\t}"))
        #expect(text.contains("\tquota allowance {\n\t\tuntil 2048 bytes\n\t}"))
    }

    /// A meter's elements expire once idle as long as their bucket takes to refill (a new element
    /// starts full, so nothing is lost), at least a second.
    @Test func aMeterIsADynamicSetWhoseTimeoutIsTheRefillTime() throws {
        let result = plan([
            P.rule("fast", [StatefulPolicy.limit(10, burst: 5, over: true, key: [.ipSource])]),
            P.rule("slow", [StatefulPolicy.limit(1, per: .minute, burst: 30, over: true, key: [.ipSource])]),
        ])
        let fast = try #require(result.sets.first { $0.name == "meter.fast.1" })
        let slow = try #require(result.sets.first { $0.name == "meter.slow.1" })
        #expect(fast.dynamic == NftSetDynamics(size: 65536, timeout: 1000))
        #expect(slow.dynamic == NftSetDynamics(size: 65536, timeout: 1_800_000))
        #expect(fast.flags == 0x30 && fast.typeofText == "@nh,96,32" && fast.keyType == .integer)
        // The key's dependency is spelled out: nft inserts none for a raw payload.
        #expect(
            result.rules(in: "forward")[0].text
                == "meta protocol ip update @meter.fast.1 { @nh,96,32 limit rate over 10/second burst 5 packets } "
                + "counter drop")
    }

    @Test func aRejectBecomesDropWithANoteWhereTheKernelCannotReject() throws {
        let result = plan([StatefulPolicy.reject("no-telnet", [P.field(.tcpDport, P.value(23))], .automatic)])
        #expect(result.rules(in: "forward").map(\.text) == ["tcp dport 23 counter drop"])
        let note = try #require(result.notes.first { $0.message.hasPrefix("`reject` becomes `drop`") })
        #expect(note.code == .partlyMirrorable && note.rule == "no-telnet")
        #expect(!result.hooksPrerouting)
    }

    /// Bridgekeeper's plain `reject` resets TCP: nft's plain reject would send TCP an ICMP error.
    @Test func aNativeRejectResetsTCPAndAnswersTheRestWithICMP() {
        var capabilities = KernelCapabilities.assumed
        capabilities.bridgeReject = true
        let result = plan(
            [StatefulPolicy.reject("refuse", [P.field(.ipSaddr, P.v4("198.18.9.9"))], .automatic)],
            capabilities: capabilities)
        #expect(result.hooksPrerouting)
        #expect(
            result.rules(in: "forward").map(\.text) == [
                "ip saddr 198.18.9.9 meta l4proto tcp counter reject with tcp reset",
                "ip saddr 198.18.9.9 counter reject with icmpx type port-unreachable",
            ])
        #expect(result.rules(in: "forward")[0].expressions.last == .reject(type: 1, code: 0))
        // Frames with two tags are dropped without an answer (the kernel answers only native frames).
        #expect(result.rules(in: "tags-2").allSatisfy { $0.expressions.last == .verdict(.drop) })
    }

    /// Emulated `ct`: a dropping rule takes every frame whose possible states meet its own, an
    /// accepting rule only those whose possible states all are its own.
    @Test func emulatedConnectionStateTestsTheClassifiersMark() {
        let result = plan([
            P.rule("established", [StatefulPolicy.ct(2, 4)], [], .forward),
            P.rule("invalid", [StatefulPolicy.ct(1)]),
            P.rule("replies", [P.fieldValues(.ctDirection, [P.value(1)])], [], .forward),
        ])
        #expect(
            result.rules(in: "forward").map(\.text) == [
                "meta mark & 0x49 == 0 counter accept", "meta mark & 0x1 != 0 counter drop",
                "meta mark & 0x500 == 0 counter accept",
            ])
        #expect(result.flows?.table == "bridgekeeper_flows")
        #expect(result.flows?.chains.map(\.name) == ["classify", "learn"])
        #expect(result.flows?.chains.map { $0.base?.priority } == [-2, 1])
        let names = result.flows?.sets.filter { $0.dynamic != nil }.map(\.name) ?? []
        #expect(Set(names) == Set(FlowEmulation.setNames))
    }

    @Test func nativeConnectionStateNeedsNoFlowTable() {
        var capabilities = KernelCapabilities.assumed
        capabilities.bridgeConntrack = true
        let result = plan([P.rule("established", [StatefulPolicy.ct(2, 4)], [], .forward)], capabilities: capabilities)
        #expect(result.flows == nil)
        #expect(
            result.rules(in: "forward").map(\.text) == [
                "meta protocol != @bk.tpids ct state established,related counter accept"
            ])
        // The kernel's conntrack does not track frames with two tags: those get the safer verdict.
        #expect(result.chains.contains { $0.name == "tagged" })
        #expect(result.rules(in: "tags-2").isEmpty, "an accepting rule does not accept what it cannot check")
    }

    @Test func withNeitherConntrackNorFlowSetsCtRulesGetTheSaferVerdict() {
        var capabilities = KernelCapabilities.assumed
        capabilities.flowSets = false
        let result = plan(
            [
                P.rule("established", [StatefulPolicy.ct(2, 4)], [], .forward),
                P.rule("invalid", [StatefulPolicy.ct(1), P.field(.tcpDport, P.value(22))]),
            ], capabilities: capabilities)
        #expect(result.mirroredRuleNames == ["invalid"])
        #expect(result.rules(in: "forward").map(\.text) == ["tcp dport 22 counter drop"])
        #expect(result.notes.contains { $0.rule == "established" && $0.code == .notMirrorable })
    }
}

/// Kernel flows and the flow table's tuples.
@Suite struct KernelFlowTests {
    @Test func tuplesAndKernelFlowsConvertBothWays() throws {
        let tcp = FlowTuple.ipv4(
            6, source: 0xC612_0002, sourcePort: 50000, destination: 0xC612_0001, destinationPort: 22)
        let flow = try #require(KernelFlow(tcp, answered: true))
        #expect(flow.source == 0xC612_0002 && flow.destinationPort == 22 && flow.setName == "est4")
        #expect(flow.tuple == tcp)
        #expect(KernelFlow(key: flow.key, setName: "est4") == flow)
        // Echo flows keep the identifier; their request type is implied.
        let ping = FlowTuple(
            family: .ipv6, ipProtocol: 58, source: 0x2001_0db8 << 96 | 1, destination: 0x2001_0db8 << 96 | 2,
            sourcePort: 99, destinationPort: 128)
        let echo = try #require(KernelFlow(ping, answered: false))
        #expect(echo.setName == "echo-new6" && echo.tuple == ping)
        #expect(KernelFlow(key: echo.key, setName: "echo-new6") == echo)
        // Other protocols and other ICMP queries are not kept.
        #expect(KernelFlow(FlowTuple.ipv4(47, source: 1, destination: 2), answered: true) == nil)
        #expect(
            KernelFlow(FlowTuple.ipv4(1, source: 1, sourcePort: 5, destination: 2, destinationPort: 13), answered: true)
                == nil)
    }
}
