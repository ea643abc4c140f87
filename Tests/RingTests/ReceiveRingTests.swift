import Frame
import Ring
import TestSupport
import Testing

@Suite("Receive ring")
struct ReceiveRingTests {
    /// Injects `frames` on the far veth end and returns what the ring on the near end saw.
    private func inject(
        _ frames: [[UInt8]], marker: UInt8, configuration: PacketSocketConfiguration = .init(), mtu: Int? = nil
    ) async throws -> [CopiedFrame] {
        try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far", mtu: mtu)
            return try await namespace.run {
                let ring = try PacketSocket(interface: "near", configuration: configuration)
                let injector = try PlainPacketSocket(interface: "far")
                for frame in frames { try injector.send(frame) }
                return ring.collect(count: frames.count) { TestFrames.isMarked($0, marker) }
            }
        }
    }

    @Test("untagged frames of 60 and 1514 bytes arrive byte for byte")
    func untaggedFrames() async throws {
        let frames = [TestFrames.frame(length: 60, marker: 1), TestFrames.frame(length: 1514, marker: 1)]
        let received = try await inject(frames, marker: 1)
        #expect(FrameDiff.between(received.map(\.bytes), frames) == nil)
        #expect(received.map(\.wireLength) == [60, 1514])
        #expect(received.allSatisfy { $0.flags.isEmpty })
    }

    @Test("an 802.1Q tag the kernel strips is put back with the same VID, PCP and TPID")
    func singleTag() async throws {
        let tci: UInt16 = 5 << 13 | 0x123
        let frames = [
            TestFrames.frame(length: 64, marker: 2, tags: [(0x8100, tci)]),
            TestFrames.frame(length: 1518, marker: 2, tags: [(0x8100, 7)]),
        ]
        let received = try await inject(frames, marker: 2)
        #expect(FrameDiff.between(received.map(\.bytes), frames) == nil)
        #expect(received.map(\.wireLength) == [64, 1518])
        #expect(received.allSatisfy { $0.flags == .vlanTagRestored })
    }

    @Test("a QinQ frame keeps both tags (0x88a8 outer, 0x8100 inner)")
    func doubleTag() async throws {
        let frame = TestFrames.frame(length: 128, marker: 3, tags: [(0x88a8, 3 << 13 | 100), (0x8100, 200)])
        let received = try await inject([frame], marker: 3)
        #expect(FrameDiff.between(received.map(\.bytes), [frame]) == nil)
    }

    @Test("a tag with VID 0 and PCP 0 (priority tag) is also restored")
    func priorityTag() async throws {
        let frame = TestFrames.frame(length: 60, marker: 4, tags: [(0x8100, 0)])
        let received = try await inject([frame], marker: 4)
        #expect(FrameDiff.between(received.map(\.bytes), [frame]) == nil)
    }

    @Test("frames keep at least the configured headroom after the tag is restored")
    func headroom() async throws {
        let configuration = PacketSocketConfiguration.with { $0.headroom = 32 }
        let frames = [
            TestFrames.frame(length: 60, marker: 5), TestFrames.frame(length: 60, marker: 5, tags: [(0x8100, 9)]),
        ]
        let received = try await inject(frames, marker: 5, configuration: configuration)
        #expect(received.count == 2)
        #expect(received.allSatisfy { $0.headroom >= 32 })
    }

    @Test("TPACKET_V3 delivers the same bytes, tags restored")
    func version3() async throws {
        let configuration = PacketSocketConfiguration.with {
            $0.version = .v3(blockTimeoutMilliseconds: 10)
            $0.frameCount = 256
        }
        let frames = [
            TestFrames.frame(length: 60, marker: 6), TestFrames.frame(length: 1514, marker: 6),
            TestFrames.frame(length: 100, marker: 6, tags: [(0x88a8, 10), (0x8100, 20)]),
        ]
        let received = try await inject(frames, marker: 6, configuration: configuration)
        #expect(FrameDiff.between(received.map(\.bytes), frames) == nil)
    }

    @Test("a 9014-byte frame crosses a 9000-MTU segment whole")
    func jumbo() async throws {
        let frames = [
            TestFrames.frame(length: 9014, marker: 7), TestFrames.frame(length: 9018, marker: 7, tags: [(0x8100, 1)]),
        ]
        let received = try await inject(frames, marker: 7, mtu: 9000)
        #expect(FrameDiff.between(received.map(\.bytes), frames) == nil)
        #expect(received.allSatisfy { !$0.flags.contains(.truncated) })
    }
}

@Suite("Receive ring order")
struct ReceiveOrderTests {
    @Test("receive() repeats the current frame until release(); the tag goes in once; order is kept")
    func peekAndRelease() async throws {
        let frames = (0..<5).map { TestFrames.frame(length: 60 + $0, marker: 8, tags: [(0x8100, UInt16($0))]) }
        let observed = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> [[UInt8]] in
                let ring = try PacketSocket(interface: "near")
                let injector = try PlainPacketSocket(interface: "far")
                for frame in frames { try injector.send(frame) }
                var seen: [[UInt8]] = []
                _ = waitUntil { ring.receive() != nil }
                while let first = ring.receive() {
                    let again = ring.receive()
                    seen.append(Array(first.buffer.readOnlyBytes))
                    seen.append(again.map { Array($0.buffer.readOnlyBytes) } ?? [])
                    ring.release()
                    if seen.count == frames.count * 2 { break }
                    _ = pollOnce(ring.fileDescriptor, timeoutMilliseconds: 500)
                }
                ring.release()  // nothing ready: must be a no-op
                return seen
            }
        }
        let expected = frames.flatMap { [$0, $0] }
        #expect(FrameDiff.between(observed, expected) == nil)
    }
}
