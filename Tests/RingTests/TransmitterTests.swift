import Glibc
import Ring
import TestSupport
import Testing

/// The one transmit path (``Transmitter``) on real veth pairs: batches bigger than the TX ring,
/// give-ups, refusals and a dead link, each checked against what arrived and what was counted.
@Suite("Transmitter")
struct TransmitterTests {
    /// Frame `i` is 60 + i bytes long, so the order they arrive in shows in their lengths.
    static func frames(_ count: Int, marker: UInt8) -> [[UInt8]] {
        (0..<count).map { TestFrames.frame(length: 60 + $0, marker: marker) }
    }

    @Test("a batch four times the TX ring arrives whole and in order: full rings are kicked and retried")
    func batchLargerThanRing() async throws {
        let frames = Self.frames(200, marker: 40)
        let (tally, capacity, arrived) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> (TransmitTally, Int, [[UInt8]]) in
                let port = try PacketSocket(
                    interface: "near", configuration: .with { $0.transmitFrameCount = 50 })
                let capture = try PlainPacketSocket(interface: "far")
                var transmitter = Transmitter()
                for frame in frames {
                    _ = frame.withUnsafeBytes { transmitter.send($0, on: port, retries: 100) }
                }
                transmitter.flush(port)
                let arrived = capture.receive(count: frames.count) { TestFrames.isMarked($0, 40) }
                return (transmitter.tally, port.transmitGeometry?.frameCount ?? 0, arrived)
            }
        }
        #expect(capacity < frames.count)
        #expect(FrameDiff.between(arrived, frames) == nil)
        #expect(tally.frames == UInt64(frames.count))
        #expect(tally.bytes == UInt64(frames.reduce(0) { $0 + $1.count }))
        #expect(tally.retries >= UInt64(frames.count / capacity - 1))
        #expect(tally.noRoomDrops == 0 && tally.sendErrors == 0 && tally.tooBig == 0 && tally.linkDown == 0)
    }

    @Test("with no retries left, the frame a full ring cannot take is given up and counted, not sent")
    func noRoomGivesUp() async throws {
        let (results, tally, arrived, capacity) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> ([SendResult], TransmitTally, [[UInt8]], Int) in
                let port = try PacketSocket(interface: "near", configuration: .with { $0.transmitFrameCount = 1 })
                let capacity = port.transmitGeometry?.frameCount ?? 0
                let frames = Self.frames(capacity + 1, marker: 41)
                let capture = try PlainPacketSocket(interface: "far")
                var transmitter = Transmitter()
                // Fill every slot without a kick (no retries: nothing makes room), then one more.
                var results: [SendResult] = []
                for frame in frames.dropLast() {
                    results.append(frame.withUnsafeBytes { transmitter.send($0, on: port, retries: 0) })
                }
                let pendingBeforeLast = port.pendingTransmitCount
                results.append(frames.last!.withUnsafeBytes { transmitter.send($0, on: port, retries: 0) })
                results.append(pendingBeforeLast == capacity ? .sent : .failed(errno: 0))
                transmitter.flush(port)
                let arrived = capture.receive(count: frames.count, timeout: 1) { TestFrames.isMarked($0, 41) }
                return (results, transmitter.tally, arrived, capacity)
            }
        }
        #expect(capacity > 0)
        #expect(results == Array(repeating: .sent, count: capacity) + [.noRoom, .sent])
        #expect(tally.frames == UInt64(capacity) && tally.noRoomDrops == 1 && tally.retries == 0)
        #expect(FrameDiff.between(arrived, Self.frames(capacity, marker: 41)) == nil)
    }

    @Test("frames longer than a slot and runts are refused and counted, the ones between still leave")
    func refusals() async throws {
        let (results, tally, arrived) = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            return try await namespace.run { () -> ([SendResult], TransmitTally, [[UInt8]]) in
                let port = try PacketSocket(interface: "near", configuration: .with { $0.transmitFrameCount = 8 })
                let capture = try PlainPacketSocket(interface: "far")
                var transmitter = Transmitter()
                let offered = [
                    TestFrames.frame(length: 60, marker: 42), TestFrames.frame(length: 9000, marker: 42),
                    [UInt8](repeating: 0, count: 10), TestFrames.frame(length: 61, marker: 42),
                ]
                let results = offered.map { frame in
                    frame.withUnsafeBytes { transmitter.send($0, on: port, retries: 3) }
                }
                transmitter.flush(port)
                let arrived = capture.receive(count: 3, timeout: 1) { TestFrames.isMarked($0, 42) }
                return (results, transmitter.tally, arrived)
            }
        }
        #expect(results == [.sent, .tooBig, .failed(errno: EINVAL), .sent])
        #expect(tally.frames == 2 && tally.tooBig == 1 && tally.sendErrors == 1)
        #expect(arrived.map(\.count) == [60, 61])
    }

    @Test("on a link that is down the frame is counted as link-down, with or without a TX ring")
    func linkDown() async throws {
        let outcome = try await TestNamespace.with { namespace in
            try namespace.addVethPair("near", "far")
            let (ring, plain) = try await namespace.run { () -> (PacketSocket, PacketSocket) in
                (
                    try PacketSocket(interface: "near", configuration: .with { $0.transmitFrameCount = 8 }),
                    try PacketSocket(interface: "near")
                )
            }
            _ = try namespace.ip("link", "set", "near", "down")
            var withRing = Transmitter()
            var withoutRing = Transmitter()
            let frame = TestFrames.frame(length: 60, marker: 43)
            let queued = frame.withUnsafeBytes { withRing.send($0, on: ring, retries: 2) }
            let kicked = withRing.flush(ring)
            let sent = frame.withUnsafeBytes { withoutRing.send($0, on: plain, retries: 2) }
            return [
                "\(queued)", "\(kicked)", "\(withRing.tally.linkDown)", "\(sent)", "\(withoutRing.tally.linkDown)",
                "\(withoutRing.tally.retries)",
            ]
        }
        #expect(outcome == ["sent", "linkDown", "1", "linkDown", "1", "0"])
    }
}
