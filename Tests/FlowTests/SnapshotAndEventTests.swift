import Flow
import Frame
import Testing

/// What `snapshot` shows and what the event sink hears.
@Suite struct SnapshotAndEventTests {
    typealias F = TCPFlag

    @Test func snapshotShowsTheFlowInItsOriginatorsOrientation() throws {
        let harness = try Harness()
        let start = harness.now
        let syn = Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn, vlans: [42])
        let synAck = Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck, vlans: [42])
        let data = Frames.tcp4(Address.client, 40000, Address.server, 443, F.ack | F.psh, vlans: [42], payload: 500)
        harness.send(syn, creator: 3)
        harness.advance(1)
        harness.send(synAck, creator: 99)
        harness.advance(1)
        harness.send(data, creator: 99)
        harness.advance(5)
        let flow = try harness.onlyFlow()
        #expect(
            flow.tuple
                == FlowTuple.ipv4(
                    IPProtocol.tcp, source: Address.client, sourcePort: 40000, destination: Address.server,
                    destinationPort: 443, outerVLAN: 42))
        #expect(flow.stateName == "ESTABLISHED" && flow.tcpState == .established)
        #expect(flow.creator == 3, "the creator of the first frame's commit")
        #expect(flow.framesOriginal == 2 && flow.framesReply == 1)
        #expect(flow.bytesOriginal == UInt64(syn.count + data.count) && flow.bytesReply == UInt64(synAck.count))
        #expect(flow.age == harness.now - start && flow.idle == 5 * Harness.second)
        #expect(flow.assured && flow.seenReply && !flow.pickedUp && !flow.restored)
        #expect(flow.remaining == 432_000 * Harness.second - 5 * Harness.second)
    }

    @Test func snapshotNamesAndLimits() throws {
        let harness = try Harness()
        harness.send(Frames.udp4(Address.client, 1, Address.server, 2))
        harness.send(Frames.udp4(Address.client, 3, Address.server, 4))
        harness.send(Frames.udp4(Address.server, 4, Address.client, 3))
        #expect(Set(harness.flows.map(\.stateName)) == ["UNREPLIED", "REPLIED"])
        #expect(harness.table.snapshot(now: harness.now, limit: 1).count == 1)
        harness.advance(31)
        #expect(harness.flows.isEmpty, "expired flows are not shown")
    }

    @Test func establishedIsToldOnceWhenTheHandshakeCompletes() throws {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn), creator: 5)
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck))
        #expect(harness.events.established.isEmpty)
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.ack))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.ack))
        try #require(harness.events.established.count == 1)
        let event = harness.events.established[0]
        #expect(event.tuple.source == FlowAddress.mapped(Address.client) && event.tuple.sourcePort == 40000)
        #expect(event.tuple.destination == FlowAddress.mapped(Address.server) && event.tuple.destinationPort == 443)
        #expect(event.creator == 5 && event.tcpState == .established && event.wasEstablished)
        #expect(event.remainingTimeout == 432_000 * Harness.second)
    }

    @Test func aRefusedConnectionIsNeverEstablished() throws {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.rstAck))
        harness.advance(10)
        harness.expire()
        #expect(harness.events.established.isEmpty)
        #expect(harness.events.ended.count == 1 && !harness.events.ended[0].flow.wasEstablished)
        #expect(harness.events.ended[0].reason == .closed && harness.events.ended[0].flow.tcpState == .close)
    }

    @Test func otherProtocolsAreEstablishedAtTheirFirstAnswer() throws {
        let harness = try Harness()
        harness.send(Frames.udp4(Address.client, 5000, Address.server, 53))
        harness.send(Frames.udp4(Address.client, 5000, Address.server, 53))
        #expect(harness.events.established.isEmpty)
        harness.send(Frames.udp4(Address.server, 53, Address.client, 5000))
        harness.send(Frames.udp4(Address.server, 53, Address.client, 5000))
        #expect(harness.events.established.count == 1)
        #expect(harness.events.established[0].remainingTimeout == 30 * Harness.second)
        harness.send(Frames.icmp6(Address.client6, Address.server6, type: 128))
        harness.send(Frames.icmp6(Address.server6, Address.client6, type: 129))
        #expect(harness.events.established.count == 2 && harness.events.established[1].tuple.family == .ipv6)
    }

    @Test func reopeningEndsTheOldFlowAsClosed() throws {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.syn))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.synAck))
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, F.ack))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.rst))
        // The server now opens the same addresses and ports the other way round.
        let result = harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, F.syn), creator: 8)
        #expect(result.lookup.state == .new && result.lookup.direction == .original && result.outcome == .created)
        #expect(harness.events.ended.map(\.reason) == [.closed])
        let flow = try harness.onlyFlow()
        #expect(flow.tuple.source == FlowAddress.mapped(Address.server) && flow.creator == 8)
        #expect(flow.framesOriginal == 1 && flow.framesReply == 0 && flow.tcpState == .synSent)
        #expect(harness.table.statistics.closed == 1 && harness.table.statistics.created == 2)
    }
}
