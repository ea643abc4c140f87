import Foundation
import Policy
import Testing

@testable import Mirror

/// Limits, meters, quotas, rejects and the connection-state emulation, with real frames through
/// a kernel bridge that enforces only the mirror (as the kernel does after Bridgekeeper is gone).
@Suite(.serialized) struct StatefulTrafficTests {
    /// The mirror of `policy` for this kernel, committed in the lab's bridge namespace; returns
    /// the connection (its socket lives in that namespace).
    private func commit(_ policy: Policy, _ lab: BridgeLab) throws -> (NftablesConnection, MirrorPlan) {
        try lab.bridge.run {
            let connection = try NftablesConnection()
            let plan = MirrorPlanner.plan(policy, ports: BridgeLab.ports, capabilities: try connection.capabilities())
            try connection.commit(plan)
            return (connection, plan)
        }
    }

    /// Sends `frames` back to back from the left and returns which crossed and the seconds (on
    /// a clock that never jumps) from the first send until the last frame could have been decided: the
    /// end of the receive, since the kernel may forward a frame after its send returned.
    private func flood(_ frames: [[UInt8]], _ lab: BridgeLab) throws -> (crossed: Set<UInt32>, seconds: Double) {
        let receiver = try lab.right.run { try PacketSocket(interface: "ec") }
        let sender = try lab.left.run { try PacketSocket(interface: "ea") }
        let start = ContinuousClock.now
        for frame in frames { try sender.send(frame) }
        let crossed = TestFrame.ids(in: receiver.receive(for: 0.5))
        let elapsed = ContinuousClock.now - start
        return (crossed, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// `limit rate over 10/second burst 5 packets drop` under a ping flood: the burst crosses,
    /// then no more than the rate allows for the time the flood took.
    @Test func aLimitLetsTheBurstThenTheRateThrough() throws {
        let lab = try BridgeLab("lim")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([
            P.rule(
                "flood", [P.field(.icmpType, P.value(8)), StatefulPolicy.limit(10, burst: 5, over: true)])
        ])
        let (connection, plan) = try commit(policy, lab)
        #expect(plan.objects.map(\.name) == ["flood"])
        let frames = (1...100).map { LabFrames.echo(id: UInt32($0), fromLeft: true, type: 8, identifier: 7) }
        let (crossed, seconds) = try flood(frames, lab)
        #expect(crossed.count >= 5, "the burst crosses")
        let bound = 5 + Int((seconds * 10).rounded(.up))
        #expect(crossed.count <= bound, "then 10 a second: \(crossed.count) in \(seconds) s")
        #expect(crossed.isSuperset(of: [1, 2, 3, 4, 5]), "the first five are the burst")
        let dropped = try lab.bridge.run { try connection.counters(table: "bridgekeeper") }["flood"]?.packets
        #expect(dropped == UInt64(100 - crossed.count))
    }

    /// `limit ... per ip saddr`: two sources flooding alike each get their own allowance.
    @Test func aMeterGivesEachSourceItsOwnBucket() throws {
        let lab = try BridgeLab("met")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([
            P.rule("per-source", [StatefulPolicy.limit(10, burst: 5, over: true, key: [.ipSource])])
        ])
        let (_, plan) = try commit(policy, lab)
        #expect(plan.sets.contains { $0.name == "meter.per-source.1" && $0.dynamic != nil })
        let one: UInt32 = 0xC612_0101
        let two: UInt32 = 0xC612_0202
        var frames: [[UInt8]] = []
        for index in 0..<50 {
            frames.append(LabFrames.udp(id: UInt32(1000 + index), fromLeft: true, source: one, destinationPort: 9))
            frames.append(LabFrames.udp(id: UInt32(2000 + index), fromLeft: true, source: two, destinationPort: 9))
        }
        let (crossed, seconds) = try flood(frames, lab)
        let bound = 5 + Int((seconds * 10).rounded(.up))
        for (name, base) in [("first", UInt32(1000)), ("second", 2000)] {
            let count = crossed.filter { $0 >= base && $0 < base + 50 }.count
            #expect(count >= 5 && count <= bound, "the \(name) source: \(count) crossed (at most \(bound))")
        }
    }

    /// `quota over 1000 bytes drop`: the kernel counts each frame's bytes from the IP header; the
    /// frames up to exactly 1000 bytes cross, the rest do not.
    @Test func aQuotaLetsExactlyItsBytesThrough() throws {
        let lab = try BridgeLab("quo")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([
            P.rule("cap", [P.field(.udpDport, P.value(5000)), StatefulPolicy.quota(1000, .bytes, over: true)])
        ])
        _ = try commit(policy, lab)
        let frames = (1...20).map {
            LabFrames.udp(id: UInt32($0), fromLeft: true, destinationPort: 5000, ipLength: 100)
        }
        let crossed = try lab.crossing(frames, fromLeft: true)
        #expect(crossed == Set((1...10).map(UInt32.init)))
        // Other ports are not counted.
        #expect(
            try lab.crossing([LabFrames.udp(id: 99, fromLeft: true, destinationPort: 5001)], fromLeft: true) == [99])
    }

    /// On a kernel without bridge `reject`, a reject rule drops (with a note) and nothing answers.
    @Test func aRejectFallsBackToDropWhereTheKernelCannotReject() throws {
        let lab = try BridgeLab("rej")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([StatefulPolicy.reject("no-telnet", [P.field(.tcpDport, P.value(23))], .automatic)])
        let (connection, plan) = try commit(policy, lab)
        let capabilities = try lab.bridge.run { try connection.capabilities() }
        try #require(!capabilities.bridgeReject, "this test is for kernels without bridge reject")
        #expect(plan.notes.contains { $0.rule == "no-telnet" && $0.message.contains("becomes `drop`") })
        #expect(!plan.rules.contains { $0.expressions.contains { if case .reject = $0 { true } else { false } } })
        let answers = try lab.left.run { try PacketSocket(interface: "ea") }
        let crossed = try lab.crossing(
            [
                LabFrames.tcp(id: 1, fromLeft: true, sourcePort: 40000, destinationPort: 23, flags: 0x02),
                LabFrames.tcp(id: 2, fromLeft: true, sourcePort: 40000, destinationPort: 80, flags: 0x02),
            ], fromLeft: true)
        #expect(crossed == [2])
        // Nothing comes back to the sender: a reset would arrive on the left.
        let back = answers.receive(for: 0.2).filter { $0.count > 47 && $0[23] == 6 && $0[47] & 0x04 != 0 }
        #expect(back.isEmpty)
    }

    /// `meta length` is the whole frame's length to the policy, tags included; the kernel's
    /// counts from the network header without the tag it took off. The mirror shifts the values
    /// per framing: frames of 99 to 202 bytes, untagged and in three tagged framings, cross or
    /// not by their own length.
    @Test func frameLengthIsTheWholeFramesInEveryFraming() throws {
        let lab = try BridgeLab("len")
        defer { lab.delete() }
        try lab.makeBridge()
        let policy = P.policy([P.rule("mid", [P.field(.metaLength, P.range(100, 200))])])
        _ = try commit(policy, lab)
        var cases: [(frame: [UInt8], dropped: Bool)] = []
        for tags in [[], [0x8100], [0x88a8, 0x8100], [0x9100]] as [[UInt16]] {
            for length in [99, 100, 101, 199, 200, 201, 202] {
                // The IP packet fills the frame: a host with br_netfilter trims untagged IP frames
                // to their IP length before the mirror sees them.
                let id = UInt32(cases.count + 1)
                var frame = LabFrames.udp(
                    id: id, fromLeft: true, destinationPort: 9, ipLength: length - 14 - 4 * tags.count)
                for (index, tpid) in tags.enumerated().reversed() {
                    frame.insert(contentsOf: TestFrame.be16(tpid) + TestFrame.be16(UInt16(10 + index)), at: 12)
                }
                try #require(frame.count == length)
                cases.append((frame, (100...200).contains(length)))
            }
        }
        let crossed = try lab.crossing(cases.map(\.frame), fromLeft: true)
        for (index, item) in cases.enumerated() {
            let id = UInt32(index + 1)
            #expect(
                crossed.contains(id) != item.dropped,
                "frame \(id) of \(item.frame.count) bytes should be \(item.dropped ? "dropped" : "forwarded")")
        }
    }

    // MARK: Connection state

    /// Inside (port b) may open, outside (port a) may only answer; ARP passes; invalid drops.
    static let stateful = P.policy(
        [
            P.rule("established", [StatefulPolicy.ct(2, 4)], [], .forward),
            P.rule("invalid", [StatefulPolicy.ct(1)]),
            P.rule("arp", [P.field(.etherType, P.value(0x0806))], [], .forward),
            P.rule("inside-opens", [P.field(.iif, P.value(1)), StatefulPolicy.ct(8)], [], .forward),
        ], default: .drop)

    @Test func flowsAddedThroughTheAPILetTheirRepliesPassUntilRemoved() throws {
        let lab = try BridgeLab("cta")
        defer { lab.delete() }
        try lab.makeBridge()
        let (connection, plan) = try commit(Self.stateful, lab)
        #expect(plan.flows != nil && plan.notes.contains { $0.message.contains("emulates `ct`") })
        // Inside 198.18.0.2:40000 opened a TCP connection to outside 198.18.0.1:80, and it was answered.
        let flow = KernelFlow(
            family: .ipv4, ipProtocol: 6, source: UInt128(LabFrames.right), destination: UInt128(LabFrames.left),
            sourcePort: 40000, destinationPort: 80, answered: true)
        try lab.bridge.run { try connection.addFlows([KernelFlowEntry(flow: flow, remaining: 60_000_000_000)]) }
        let added = try #require(try lab.bridge.run { try connection.flows() }.first { $0.flow == flow })
        #expect(added.remaining > 55_000_000_000 && added.remaining <= 60_000_000_000, "the timeout given")
        let reply = LabFrames.tcp(id: 1, fromLeft: true, sourcePort: 80, destinationPort: 40000, flags: 0x10)
        let stranger = LabFrames.tcp(id: 2, fromLeft: true, sourcePort: 80, destinationPort: 40001, flags: 0x10)
        #expect(
            try lab.crossing([reply, stranger], fromLeft: true) == [1], "the reply passes, an unknown flow does not")
        // The forwarded reply refreshed the flow to TCP's longest timeout (established: 5 days).
        let refreshed = try #require(try lab.bridge.run { try connection.flows() }.first { $0.flow == flow })
        #expect(refreshed.remaining > 86_400_000_000_000)
        // Adding again sets the timeout given, whatever the element had.
        try lab.bridge.run { try connection.addFlows([KernelFlowEntry(flow: flow, remaining: 30_000_000_000)]) }
        let again = try #require(try lab.bridge.run { try connection.flows() }.first { $0.flow == flow })
        #expect(again.remaining <= 30_000_000_000)
        try lab.bridge.run { try connection.removeFlows([flow]) }
        #expect(try lab.crossing([reply], fromLeft: true).isEmpty, "a removed flow is unknown")
        #expect(try lab.bridge.run { try connection.flows() }.isEmpty)
        // Removing what is not there is not an error.
        try lab.bridge.run { try connection.removeFlows([flow]) }
    }

    @Test func theInsideOpensFlowsItselfAndTheOutsideCannot() throws {
        let lab = try BridgeLab("ctb")
        defer { lab.delete() }
        try lab.makeBridge()
        let (connection, _) = try commit(Self.stateful, lab)
        // Outside-initiated: refused, and remembered by nothing.
        let syn = LabFrames.tcp(id: 1, fromLeft: true, sourcePort: 50000, destinationPort: 22, flags: 0x02)
        #expect(try lab.crossing([syn], fromLeft: true).isEmpty)
        // Inside-initiated: the SYN crosses and adds the flow, the answer crosses, then data both ways.
        let open = LabFrames.tcp(id: 2, fromLeft: false, sourcePort: 50001, destinationPort: 22, flags: 0x02)
        #expect(try lab.crossing([open], fromLeft: false) == [2])
        let answer = LabFrames.tcp(id: 3, fromLeft: true, sourcePort: 22, destinationPort: 50001, flags: 0x12)
        #expect(try lab.crossing([answer], fromLeft: true) == [3])
        let data = LabFrames.tcp(id: 4, fromLeft: true, sourcePort: 22, destinationPort: 50001, flags: 0x18)
        let ack = LabFrames.tcp(id: 5, fromLeft: false, sourcePort: 50001, destinationPort: 22, flags: 0x10)
        #expect(try lab.crossing([data], fromLeft: true) == [4])
        #expect(try lab.crossing([ack], fromLeft: false) == [5])
        // A SYN-ACK nobody asked for is invalid.
        let stray = LabFrames.tcp(id: 6, fromLeft: false, sourcePort: 50002, destinationPort: 22, flags: 0x12)
        #expect(try lab.crossing([stray], fromLeft: false).isEmpty)
        // UDP and ping the same way; ARP is untracked and passes.
        let query = LabFrames.udp(id: 7, fromLeft: false, sourcePort: 5353, destinationPort: 53)
        let response = LabFrames.udp(id: 8, fromLeft: true, sourcePort: 53, destinationPort: 5353)
        let unasked = LabFrames.udp(id: 9, fromLeft: true, sourcePort: 53, destinationPort: 5354)
        #expect(try lab.crossing([query], fromLeft: false) == [7])
        #expect(try lab.crossing([response, unasked], fromLeft: true) == [8])
        let ping = LabFrames.echo(id: 10, fromLeft: false, type: 8, identifier: 99)
        let pong = LabFrames.echo(id: 11, fromLeft: true, type: 0, identifier: 99)
        let foreignPing = LabFrames.echo(id: 12, fromLeft: true, type: 8, identifier: 98)
        #expect(try lab.crossing([ping], fromLeft: false) == [10])
        #expect(try lab.crossing([pong, foreignPing], fromLeft: true) == [11])
        #expect(try lab.crossing([LabFrames.arp(id: 13, fromLeft: true)], fromLeft: true) == [13])
        // The kernel's sets hold what it learned: the answered TCP, UDP and echo flows.
        let flows = try lab.bridge.run { try connection.flows() }.map(\.flow)
        let inside = UInt128(LabFrames.right)
        let outside = UInt128(LabFrames.left)
        #expect(
            flows.contains(
                KernelFlow(
                    family: .ipv4, ipProtocol: 6, source: inside, destination: outside, sourcePort: 50001,
                    destinationPort: 22, answered: true)))
        #expect(
            flows.contains(
                KernelFlow(
                    family: .ipv4, ipProtocol: 17, source: inside, destination: outside, sourcePort: 5353,
                    destinationPort: 53, answered: true)))
        #expect(
            flows.contains(
                KernelFlow(
                    family: .ipv4, ipProtocol: 1, source: inside, destination: outside, sourcePort: 99,
                    destinationPort: 0, answered: true)))
        #expect(!flows.contains { $0.sourcePort == 50000 || $0.sourcePort == 50002 }, "refused flows are not kept")
    }

    /// A policy reload replaces the mirror table, and the flow table's sets keep their flows.
    @Test func aReloadKeepsTheKernelsFlows() throws {
        let lab = try BridgeLab("ctr")
        defer { lab.delete() }
        try lab.makeBridge()
        let (connection, _) = try commit(Self.stateful, lab)
        let open = LabFrames.tcp(id: 1, fromLeft: false, sourcePort: 50001, destinationPort: 22, flags: 0x02)
        let answer = LabFrames.tcp(id: 2, fromLeft: true, sourcePort: 22, destinationPort: 50001, flags: 0x12)
        #expect(try lab.crossing([open], fromLeft: false) == [1])
        #expect(try lab.crossing([answer], fromLeft: true) == [2])
        let before = try lab.bridge.run { try connection.flows() }.map(\.flow)
        #expect(!before.isEmpty)
        var edited = Self.stateful
        edited.rules.append(P.rule("no-telnet", [P.field(.tcpDport, P.value(23))]))
        let changed = edited
        let plan = try lab.bridge.run {
            let plan = MirrorPlanner.plan(changed, ports: BridgeLab.ports, capabilities: try connection.capabilities())
            try connection.commit(plan)
            return plan
        }
        #expect(plan.mirroredRuleNames.last == "no-telnet")
        #expect(try lab.bridge.run { try connection.flows() }.map(\.flow) == before)
        let data = LabFrames.tcp(id: 3, fromLeft: true, sourcePort: 22, destinationPort: 50001, flags: 0x18)
        #expect(try lab.crossing([data], fromLeft: true) == [3], "the connection lives on")
        // A policy without ct terms has no flow table.
        try lab.bridge.run {
            try connection.commit(MirrorPlanner.plan(P.policy([]), ports: BridgeLab.ports))
        }
        #expect(try NftListing.tables(lab.bridge) == ["bridgekeeper"])
    }
}
