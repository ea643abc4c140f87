import Flow
import Frame
import Testing

/// A full table evicts its unassured flow nearest to expiry, then refuses; churn leaks no slot.
@Suite struct FullTableTests {
    typealias F = TCPFlag

    func openTCP(_ harness: Harness, port: UInt16) {
        harness.send(Frames.tcp4(Address.client, port, Address.server, 443, F.syn))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, port, F.synAck))
        harness.send(Frames.tcp4(Address.client, port, Address.server, 443, F.ack))
    }

    @Test func earlyDropTakesAnUnassuredFlowThenTheTableRefuses() throws {
        let harness = try Harness(capacity: 4)
        for port in 1...3 as ClosedRange<UInt16> {
            openTCP(harness, port: port)
            harness.advance(1)
        }
        harness.send(Frames.udp4(Address.client, 9000, Address.server, 53))  // unassured
        harness.advance(1)
        #expect(harness.table.statistics.inUse == 4)

        var result = harness.send(Frames.udp4(Address.client, 9001, Address.server, 53))
        #expect(result.outcome == .created)
        #expect(harness.events.ended.count == 1 && harness.events.ended[0].reason == .evicted)
        #expect(harness.events.ended[0].flow.tuple.sourcePort == 9000)
        #expect(!harness.events.ended[0].flow.wasEstablished)

        // Make the last flow assured too: nothing may be evicted now.
        harness.advance(3)
        harness.send(Frames.udp4(Address.server, 53, Address.client, 9001))
        harness.send(Frames.udp4(Address.client, 9001, Address.server, 53))
        result = harness.send(Frames.tcp4(Address.client, 50000, Address.server, 443, F.syn))
        #expect(result.lookup.state == .new && result.outcome == .full)
        #expect(harness.table.statistics.refusedFull == 1 && harness.table.statistics.evicted == 1)
        #expect(harness.table.statistics.inUse == 4)
        // Existing flows still work, and the refused one is not in the table.
        #expect(harness.send(Frames.tcp4(Address.server, 443, Address.client, 1, F.ack)).outcome == .updated)
        #expect(harness.classify(Frames.tcp4(Address.server, 443, Address.client, 50000, F.synAck)).state == .invalid)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func theEvictedFlowIsTheOneNearestItsDeadline() throws {
        let harness = try Harness(capacity: 3)
        harness.send(Frames.tcp4(Address.client, 1, Address.server, 443, F.syn))  // syn-sent: 120 s
        harness.send(Frames.udp4(Address.client, 2, Address.server, 53))  // udp: 30 s
        harness.send(Frames.icmp4(Address.client, Address.server, type: 8))  // icmp: 30 s
        harness.advance(1)
        harness.send(Frames.udp4(Address.client, 2, Address.server, 53))  // refreshed: deadline later than the ping's
        harness.send(Frames.udp4(Address.client, 3, Address.server, 53))
        #expect(harness.events.ended.map(\.flow.tuple.ipProtocol) == [IPProtocol.icmp])
    }

    @Test func aFullTableReclaimsExpiredFlowsFirst() throws {
        let harness = try Harness(capacity: 2)
        openTCP(harness, port: 1)
        harness.send(Frames.udp4(Address.client, 2, Address.server, 53))
        harness.send(Frames.udp4(Address.server, 53, Address.client, 2))
        harness.advance(3)
        harness.send(Frames.udp4(Address.client, 2, Address.server, 53))  // now assured, udp-stream
        harness.advance(121)
        let result = harness.send(Frames.udp4(Address.client, 3, Address.server, 53))
        #expect(result.outcome == .created)
        #expect(harness.events.ended.map(\.reason) == [.expired])
        #expect(harness.table.statistics.evicted == 0)
    }

    @Test func churnLeaksNoSlot() throws {
        let harness = try Harness(capacity: 512)
        var random = SplitMix64(seed: 99)
        for round in 0..<40 {
            for _ in 0..<200 {
                let port = UInt16(1024 + random.below(60000))
                switch random.below(4) {
                case 0:
                    openTCP(harness, port: port)
                    harness.send(Frames.tcp4(Address.client, port, Address.server, 443, F.finAck))
                    harness.send(Frames.tcp4(Address.server, 443, Address.client, port, F.finAck))
                    harness.send(Frames.tcp4(Address.client, port, Address.server, 443, F.ack))
                case 1: harness.send(Frames.udp4(Address.client, port, Address.server, 53))
                case 2: harness.send(Frames.icmp4(Address.client, Address.server, type: 8, identifier: port))
                default:
                    harness.send(Frames.tcp4(Address.client, port, Address.server, 443, F.syn))
                    harness.send(Frames.tcp4(Address.server, 443, Address.client, port, F.rst))
                }
            }
            harness.advance(7)
            harness.table.expire(now: harness.now, budget: 64, events: &harness.events)
            if round % 10 == 0 { #expect(harness.table.integrityProblems().isEmpty) }
        }
        let statistics = harness.table.statistics
        #expect(statistics.created > 5000, "far more flows than slots passed through")
        harness.advance(432_001)
        while harness.expire() > 0 {}
        let after = harness.table.statistics
        #expect(after.inUse == 0)
        #expect(harness.table.freeCount == 512)
        #expect(after.created == after.expired + after.closed + after.evicted)
        #expect(harness.events.ended.count == Int(after.created))
        #expect(harness.table.integrityProblems().isEmpty)
    }
}
