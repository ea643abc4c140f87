import Glibc
import Ring
import TestSupport
import Testing

@Suite("Ring accounting")
struct RingAccountingTests {
    @Test("frames longer than a slot arrive truncated, flagged, and counted on release")
    func truncation() async throws {
        let configuration = PacketSocketConfiguration.with { $0.mtu = 256 }
        let frames = [
            TestFrames.frame(length: 1000, marker: 30), TestFrames.frame(length: 1004, marker: 30, tags: [(0x8100, 3)]),
            TestFrames.frame(length: 200, marker: 30),
        ]
        let (received, statistics) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> ([CopiedFrame], PacketSocketStatistics) in
                let ring = try PacketSocket(interface: "near", configuration: configuration)
                let injector = try PlainPacketSocket(interface: "far")
                for frame in frames { try injector.send(frame) }
                let received = ring.collect(count: frames.count) { TestFrames.isMarked($0, 30) }
                return (received, ring.statistics())
            }
        }
        #expect(received.map(\.wireLength) == [1000, 1004, 200])
        #expect(received.map { $0.flags.contains(.truncated) } == [true, true, false])
        #expect(received[0].bytes.count < 1000 && received[0].bytes == Array(frames[0].prefix(received[0].bytes.count)))
        #expect(received[1].bytes == Array(frames[1].prefix(received[1].bytes.count)))
        #expect(received[2].bytes == frames[2])
        #expect(statistics.truncated == 2)
    }

    @Test("an overflowing ring drops frames, PACKET_STATISTICS counts them, and the totals persist")
    func overflow() async throws {
        let configuration = PacketSocketConfiguration.with { $0.frameCount = 1 }
        let sent = 300
        let (capacity, delivered, first, second) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (Int, Int, PacketSocketStatistics, PacketSocketStatistics) in
                let ring = try PacketSocket(interface: "near", configuration: configuration)
                let injector = try PlainPacketSocket(interface: "far")
                for _ in 0..<sent { try injector.send(TestFrames.frame(length: 60, marker: 31)) }
                // The receive path may still be running when the last send returns: wait until the
                // kernel has seen every frame (the totals accumulate, so reading them is harmless).
                _ = waitUntil(timeout: 5) { ring.statistics().received >= UInt64(sent) }
                let first = ring.statistics()
                let delivered = ring.collect(count: sent, timeout: 0.3) { TestFrames.isMarked($0, 31) }.count
                return (ring.receiveGeometry.frameCount, delivered, first, ring.statistics())
            }
        }
        #expect(capacity < sent)
        #expect(delivered == capacity)
        #expect(first.received == UInt64(sent))
        #expect(first.dropped == UInt64(sent - capacity))
        #expect(second.received == first.received && second.dropped == first.dropped)
    }

    @Test("frames the host sends are skipped and counted; returned flagged when asked; absent with IGNORE_OUTGOING")
    func outgoing() async throws {
        func observe(_ configuration: PacketSocketConfiguration) async throws -> ([CopiedFrame], UInt64) {
            try await TestNamespace.with { namespace in
                try namespace.addVethPair("near", "far")
                return try await namespace.run { () -> ([CopiedFrame], UInt64) in
                    let ring = try PacketSocket(interface: "near", configuration: configuration)
                    // Another socket on the same port sends through the qdisc, so taps see it.
                    let host = try PlainPacketSocket(interface: "near")
                    try host.send(TestFrames.frame(length: 60, marker: 32))
                    let seen = ring.collect(count: 1, timeout: 0.5) { TestFrames.isMarked($0, 32) }
                    return (seen, ring.statistics().outgoingSkipped)
                }
            }
        }
        let skipped = try await observe(.with { $0.ignoreOutgoing = false })
        #expect(skipped.0.isEmpty)
        #expect(skipped.1 == 1)

        let returned = try await observe(
            .with {
                $0.ignoreOutgoing = false
                $0.skipOutgoing = false
            })
        #expect(returned.0.map(\.flags) == [.outgoing])
        #expect(returned.1 == 0)

        let ignored = try await observe(.with { $0.skipOutgoing = false })
        #expect(ignored.0.isEmpty)
        #expect(ignored.1 == 0)
    }

    @Test("two sockets in one HASH fanout group share the frames: each frame exactly once")
    func fanout() async throws {
        let configuration = PacketSocketConfiguration.with {
            $0.fanoutGroup = 4242
            $0.frameCount = 256
        }
        let frames = (0..<64).map { TestFrames.udp(sourcePort: UInt16(1000 + $0), destinationPort: 53, marker: 33) }
        let (first, second) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> ([CopiedFrame], [CopiedFrame]) in
                let workerA = try PacketSocket(interface: "near", configuration: configuration)
                let workerB = try PacketSocket(interface: "near", configuration: configuration)
                let injector = try PlainPacketSocket(interface: "far")
                for frame in frames { try injector.send(frame) }
                _ = waitUntil(timeout: 5) {
                    workerA.statistics().received + workerB.statistics().received >= UInt64(frames.count)
                }
                let first = workerA.collect(count: frames.count, timeout: 0.3) { TestFrames.isMarkedUDP($0, 33) }
                let second = workerB.collect(count: frames.count, timeout: 0.3) { TestFrames.isMarkedUDP($0, 33) }
                return (first, second)
            }
        }
        #expect(first.count + second.count == frames.count)
        #expect(!first.isEmpty && !second.isEmpty)
        #expect(Set((first + second).map(\.bytes)) == Set(frames))
    }
}
