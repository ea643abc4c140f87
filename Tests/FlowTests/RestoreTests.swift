import Flow
import Frame
import Testing

/// Flows put back from the kernel's set after a restart.
@Suite struct RestoreTests {
    @Test func aRestoredTCPFlowIsEstablishedBothWays() throws {
        let harness = try Harness()
        let tuple = FlowTuple.ipv4(
            IPProtocol.tcp, source: Address.client, sourcePort: 40000, destination: Address.server,
            destinationPort: 22, outerVLAN: 3)
        let outcome = harness.table.insertEstablished(
            tuple, remaining: 1_000 * Harness.second, creator: 11, now: harness.now, events: &harness.events)
        #expect(outcome == .inserted)
        #expect(harness.events.established.isEmpty, "the kernel's set already has it")
        let flow = try harness.onlyFlow()
        #expect(flow.tuple == tuple && flow.tcpState == .established && flow.restored && flow.assured)
        #expect(flow.remaining == 1_000 * Harness.second && flow.creator == 11)

        var result = harness.send(Frames.tcp4(Address.server, 22, Address.client, 40000, TCPFlag.ack, vlans: [3]))
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        result = harness.send(Frames.tcp4(Address.client, 40000, Address.server, 22, TCPFlag.ack, vlans: [3]))
        #expect(result.lookup.state == .established && result.lookup.direction == .original)
        #expect(try harness.onlyFlow().remaining == 432_000 * Harness.second, "a frame refreshes it fully")
        #expect(
            harness.table.insertEstablished(tuple, remaining: 5, creator: 0, now: harness.now, events: &harness.events)
                == .exists)
    }

    @Test func aRestoredFlowKeepsItsRemainingTime() throws {
        let harness = try Harness()
        let tuple = FlowTuple(
            family: .ipv6, ipProtocol: IPProtocol.udp, source: Address.client6, destination: Address.server6,
            sourcePort: 5000, destinationPort: 53)
        harness.table.insertEstablished(
            tuple, remaining: 40 * Harness.second, creator: 1, now: harness.now, events: &harness.events)
        #expect(try harness.onlyFlow().timeoutClass == .udpStream)
        harness.advance(39)
        #expect(harness.classify(Frames.udp6(Address.server6, 53, Address.client6, 5000)).state == .established)
        harness.advance(1)
        #expect(harness.classify(Frames.udp6(Address.server6, 53, Address.client6, 5000)).state == .new)
        harness.advance(80)
        #expect(harness.expire() == 1)
        #expect(harness.events.ended.count == 1 && harness.events.ended[0].flow.wasEstablished)
    }

    @Test func restoringIntoAFullTableEvictsOrRefuses() throws {
        let harness = try Harness(capacity: 1)
        harness.send(Frames.udp4(Address.client, 1, Address.server, 2))
        let tuple = FlowTuple.ipv4(
            IPProtocol.icmp, source: Address.client, sourcePort: 9, destination: Address.server, destinationPort: 8)
        #expect(
            harness.table.insertEstablished(
                tuple, remaining: Harness.second, creator: 0, now: harness.now, events: &harness.events) == .inserted)
        #expect(harness.events.ended.map(\.reason) == [.evicted])
        #expect(
            harness.classify(Frames.icmp4(Address.server, Address.client, type: 0, identifier: 9)).state == .established
        )
        let another = FlowTuple.ipv4(
            IPProtocol.tcp, source: Address.client, sourcePort: 1, destination: Address.server, destinationPort: 2)
        #expect(
            harness.table.insertEstablished(
                another, remaining: Harness.second, creator: 0, now: harness.now, events: &harness.events) == .inserted)
        #expect(
            harness.table.insertEstablished(
                tuple, remaining: Harness.second, creator: 0, now: harness.now, events: &harness.events) == .full)
        #expect(harness.table.statistics.refusedFull == 1)
    }
}
