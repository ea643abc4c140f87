import Flow
import Frame
import Testing

/// classify changes nothing; commit acts only on forwarded frames and fresh lookups.
@Suite struct TwoPhaseTests {
    @Test func classifyAloneChangesNothing() throws {
        let harness = try Harness()
        let syn = Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.syn)
        #expect(harness.classify(syn).state == .new)
        #expect(harness.classify(syn).createsFlow)
        #expect(harness.table.statistics.inUse == 0 && harness.table.statistics.lookups == 2)
    }

    @Test func aDroppedFrameCreatesAndChangesNothing() throws {
        let harness = try Harness()
        let syn = Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.syn)
        #expect(harness.send(syn, forwarded: false).outcome == .untouched)
        #expect(harness.table.statistics.inUse == 0)
        harness.send(syn)
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, TCPFlag.synAck))
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.ack))
        // A FIN the policy drops never reached the server: the connection stays open.
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.finAck), forwarded: false)
        let flow = try harness.onlyFlow()
        #expect(flow.tcpState == .established && flow.framesOriginal == 2)
    }

    @Test func onlyTheLatestLookupMayBeCommitted() throws {
        let harness = try Harness()
        let first = Frames.udp4(Address.client, 1, Address.server, 2)
        let second = Frames.udp4(Address.client, 3, Address.server, 4)
        var firstInfo = first.withUnsafeBytes { FrameInfo.parse($0) }
        var secondInfo = second.withUnsafeBytes { FrameInfo.parse($0) }
        let now = harness.now
        let a = first.withUnsafeBytes { harness.table.classify(frame: $0, info: &firstInfo, now: now) }
        let b = second.withUnsafeBytes { harness.table.classify(frame: $0, info: &secondInfo, now: now) }
        // `a` went stale when `b` was classified: a new flow's key waits in the table for one commit.
        #expect(
            harness.table.commit(a, forwarded: true, length: 60, creator: 0, now: now, events: &harness.events)
                == .untouched)
        #expect(
            harness.table.commit(b, forwarded: true, length: 60, creator: 0, now: now, events: &harness.events)
                == .created)
        #expect(
            harness.table.commit(b, forwarded: true, length: 60, creator: 0, now: now, events: &harness.events)
                == .untouched,
            "a lookup is committed once")
        #expect(harness.table.statistics.staleCommits == 2 && harness.table.statistics.inUse == 1)
        #expect(harness.flows.map(\.tuple.sourcePort) == [3])
    }
}

/// `warm` reads and changes nothing.
@Suite struct WarmTests {
    @Test func warmingChangesNoOutcome() throws {
        let warmed = try Harness()
        let plain = try Harness()
        let frames = [
            Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.syn),
            Frames.tcp4(Address.server, 443, Address.client, 40000, TCPFlag.synAck),
            Frames.udp4(Address.client, 5, Address.server, 53, vlans: [7]),
            Frames.icmp4(Address.client, Address.server, type: 8),
            Frames.ethernet(.arp(FrameBuilder.ARP())),
            Frames.udp6(Address.client6, 5, Address.server6, 53),
        ]
        for frame in frames {
            let before = warmed.table.statistics
            frame.withUnsafeBytes { bytes in
                var info = FrameInfo.parse(bytes)
                _ = warmed.table.warm(frame: bytes, info: &info)
            }
            #expect(warmed.table.statistics == before)
            let a = warmed.send(frame)
            let b = plain.send(frame)
            #expect(
                a.lookup.state == b.lookup.state && a.lookup.direction == b.lookup.direction && a.outcome == b.outcome)
        }
        #expect(warmed.flows == plain.flows)
    }
}
