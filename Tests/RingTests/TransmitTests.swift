import Glibc
import Ring
import TestSupport
import Testing

@Suite("Transmit")
struct TransmitTests {
    static let frames = [
        TestFrames.frame(length: 60, marker: 20), TestFrames.frame(length: 1514, marker: 20),
        TestFrames.frame(length: 1518, marker: 20, tags: [(0x8100, 5 << 13 | 42)]),
        TestFrames.frame(length: 200, marker: 20, tags: [(0x88a8, 100), (0x8100, 200)]),
    ]

    struct Outcome: Sendable {
        var results: [String] = []
        var arrived: [[UInt8]] = []
        var echoed: [CopiedFrame] = []
    }

    @Test(
        "send() delivers byte for byte and is never read back by the sending socket",
        arguments: [(true, true), (true, false), (false, true), (false, false)])
    func sendDelivers(qdiscBypass: Bool, ignoreOutgoing: Bool) async throws {
        let configuration = PacketSocketConfiguration.with {
            $0.qdiscBypass = qdiscBypass
            $0.ignoreOutgoing = ignoreOutgoing
            $0.skipOutgoing = false  // any echo would be returned, not skipped
        }
        let outcome = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run {
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                var outcome = Outcome()
                for frame in Self.frames {
                    outcome.results.append("\(frame.withUnsafeBytes { port.send($0) })")
                }
                outcome.arrived = capture.receive(count: Self.frames.count) { TestFrames.isMarked($0, 20) }
                outcome.echoed = port.collect(count: 1, timeout: 0.3) { TestFrames.isMarked($0, 20) }
                return outcome
            }
        }
        #expect(outcome.results == Array(repeating: "sent", count: Self.frames.count))
        #expect(FrameDiff.between(outcome.arrived, Self.frames) == nil)
        #expect(outcome.echoed.isEmpty)
    }

    @Test("the TX ring delivers a batch with one kick, byte for byte, and does not read it back")
    func transmitRing() async throws {
        let configuration = PacketSocketConfiguration.with {
            $0.transmitFrameCount = 64
            $0.skipOutgoing = false
        }
        let outcome = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run {
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                var outcome = Outcome()
                for frame in Self.frames {
                    outcome.results.append("\(frame.withUnsafeBytes { port.enqueue($0) })")
                }
                outcome.results.append("pending \(port.pendingTransmitCount)")
                outcome.results.append("\(port.flush())")
                outcome.results.append("pending \(port.pendingTransmitCount)")
                outcome.arrived = capture.receive(count: Self.frames.count) { TestFrames.isMarked($0, 20) }
                outcome.echoed = port.collect(count: 1, timeout: 0.3) { TestFrames.isMarked($0, 20) }
                return outcome
            }
        }
        #expect(outcome.results == ["queued", "queued", "queued", "queued", "pending 4", "sent", "pending 0"])
        #expect(FrameDiff.between(outcome.arrived, Self.frames) == nil)
        #expect(outcome.echoed.isEmpty)
    }

    @Test("the TX ring reports full when every slot waits, and frees slots after a flush")
    func transmitRingFull() async throws {
        let configuration = PacketSocketConfiguration.with { $0.transmitFrameCount = 1 }
        let (capacity, queuedBeforeFull, afterFlush, arrived) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (Int, Int, Bool, Int) in
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                let capacity = port.transmitGeometry?.frameCount ?? 0
                var queued = 0
                while queued <= capacity + 1 {
                    let frame = TestFrames.frame(length: 60, marker: 21)
                    guard frame.withUnsafeBytes({ port.enqueue($0) }) == .queued else { break }
                    queued += 1
                }
                _ = port.flush()
                let freed = waitUntil {
                    TestFrames.frame(length: 60, marker: 21).withUnsafeBytes { port.enqueue($0) } == .queued
                }
                _ = port.flush()
                let arrived = capture.receive(count: queued + 1) { TestFrames.isMarked($0, 21) }.count
                return (capacity, queued, freed, arrived)
            }
        }
        #expect(capacity > 0)
        #expect(queuedBeforeFull == capacity)
        #expect(afterFlush)
        #expect(arrived == capacity + 1)
    }

    @Test("a kick the kernel cuts short stays pending, and kicking again sends every frame, in order")
    func shortKickStaysPending() async throws {
        // A 1 Mbit/s qdisc holds the frames it is given, each charged to the socket's send buffer
        // (about 200 kB, some 270 small frames): one kick of 1000 frames cannot hand them all over,
        // and still returns success. The rest must not be forgotten in the ring.
        let count = 1000
        let configuration = PacketSocketConfiguration.with {
            $0.transmitFrameCount = 1024
            $0.qdiscBypass = false
        }
        let (firstKick, pendingAfterFirstKick, drained, arrived) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            try namespace.exec(
                "tc", "qdisc", "add", "dev", "near", "root", "tbf", "rate", "1mbit", "burst", "2000", "limit", "1000000"
            )
            return try await namespace.run { () -> (String, Int, Bool, [[UInt8]]) in
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                var bytes: Int32 = 16 << 20
                setsockopt(capture.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, socklen_t(MemoryLayout<Int32>.size))
                for index in 0..<count {
                    var frame = TestFrames.frame(length: 60, marker: 22)
                    frame[16] = UInt8(index >> 8)
                    frame[17] = UInt8(index & 0xff)
                    guard frame.withUnsafeBytes({ port.enqueue($0) }) == .queued else {
                        throw TestFailure("the ring refused frame \(index)")
                    }
                }
                let firstKick = "\(port.flush())"
                let pending = port.pendingTransmitCount
                let drained = waitUntil(timeout: 20) {
                    _ = port.flush()
                    return port.pendingTransmitCount == 0
                }
                return (firstKick, pending, drained, capture.receive(count: count) { TestFrames.isMarked($0, 22) })
            }
        }
        #expect(firstKick == "sent")
        #expect(pendingAfterFirstKick > 0, "the kernel took only part of the ring, and the socket knows it")
        #expect(drained)
        #expect(arrived.map { Int($0[16]) << 8 | Int($0[17]) } == Array(0..<count), "\(arrived.count) arrived")
    }

    @Test("enqueue() refuses oversize and runt frames, and works only with a TX ring")
    func enqueueRefusals() async throws {
        let results = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> [EnqueueResult] in
                let configuration = PacketSocketConfiguration.with { $0.transmitFrameCount = 8 }
                let withRing = try PacketSocket(interface: "near", configuration: configuration)
                let withoutRing = try PacketSocket(interface: "near")
                let huge = [UInt8](repeating: 0, count: 9000)
                let runt = [UInt8](repeating: 0, count: 10)
                let normal = TestFrames.frame(length: 60, marker: 22)
                return [
                    huge.withUnsafeBytes { withRing.enqueue($0) }, runt.withUnsafeBytes { withRing.enqueue($0) },
                    normal.withUnsafeBytes { withoutRing.enqueue($0) },
                ]
            }
        }
        #expect(results == [.tooBig, .tooShort, .noTransmitRing])
    }

    @Test("send() reports tooBig past the MTU; the kernel allows one tag beyond it, not two")
    func sendTooBig() async throws {
        let results = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> [SendResult] in
                let port = try PacketSocket(interface: "near")
                let frames = [
                    TestFrames.frame(length: 1515, marker: 23),
                    TestFrames.frame(length: 1518, marker: 23, tags: [(0x8100, 1)]),
                    TestFrames.frame(length: 1522, marker: 23, tags: [(0x88a8, 1), (0x8100, 2)]),
                ]
                return frames.map { frame in frame.withUnsafeBytes { port.send($0) } }
            }
        }
        #expect(results == [.tooBig, .sent, .tooBig])
    }

    @Test("9014-byte frames cross a 9000-MTU segment through send() and the TX ring")
    func jumboSend() async throws {
        let configuration = PacketSocketConfiguration.with { $0.transmitFrameCount = 8 }
        let frame = TestFrames.frame(length: 9014, marker: 24)
        let arrived = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far", mtu: 9000)
            return try await namespace.run { () -> [[UInt8]] in
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                guard frame.withUnsafeBytes({ port.send($0) }) == .sent,
                    frame.withUnsafeBytes({ port.enqueue($0) }) == .queued, port.flush() == .sent
                else { return [] }
                return capture.receive(count: 2) { TestFrames.isMarked($0, 24) }
            }
        }
        #expect(FrameDiff.between(arrived, [frame, frame]) == nil)
    }
}

@Suite("Transmit with a TX ring")
struct TransmitRingSendTests {
    @Test("send() on a socket with a TX ring sends the given bytes (the kernel alone would ignore them)")
    func sendWithRing() async throws {
        let configuration = PacketSocketConfiguration.with { $0.transmitFrameCount = 8 }
        let frames = [TestFrames.frame(length: 60, marker: 25), TestFrames.frame(length: 61, marker: 25)]
        let (results, arrived) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> ([SendResult], [[UInt8]]) in
                let port = try PacketSocket(interface: "near", configuration: configuration)
                let capture = try PlainPacketSocket(interface: "far")
                let results = frames.map { frame in frame.withUnsafeBytes { port.send($0) } }
                return (results, capture.receive(count: 2) { TestFrames.isMarked($0, 25) })
            }
        }
        #expect(results == [.sent, .sent])
        #expect(FrameDiff.between(arrived, frames) == nil)
    }
}

@Suite("Transmit visibility")
struct TransmitVisibilityTests {
    @Test("with qdisc bypass (send or TX ring) other packet sockets on the port, like tcpdump, do not see the frame")
    func bypassHidesFromTaps() async throws {
        let seen = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> [UInt8] in
                let tap = try PacketSocket(
                    interface: "near",
                    configuration: .with {
                        $0.ignoreOutgoing = false
                        $0.skipOutgoing = false
                    })
                let bypass = try PacketSocket(interface: "near")
                let queued = try PacketSocket(interface: "near", configuration: .with { $0.qdiscBypass = false })
                let ring = try PacketSocket(interface: "near", configuration: .with { $0.transmitFrameCount = 8 })
                _ = TestFrames.frame(length: 60, marker: 26).withUnsafeBytes { bypass.send($0) }
                _ = TestFrames.frame(length: 60, marker: 27).withUnsafeBytes { queued.send($0) }
                _ = TestFrames.frame(length: 60, marker: 28).withUnsafeBytes { ring.send($0) }
                let frames = tap.collect(count: 3, timeout: 0.5) { frame in
                    (26...28).contains { TestFrames.isMarked(frame, UInt8($0)) }
                }
                return frames.map { $0.bytes[14] }
            }
        }
        #expect(seen == [27])
    }
}
