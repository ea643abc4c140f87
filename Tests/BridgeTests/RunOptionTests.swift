import Foundation
import TestSupport
import Testing

/// `run`'s knobs do what their help says, on real traffic.
@Suite(.serialized) struct RunOptionTests {
    static let passAll = "version 1\ndefault forward\n"

    @Test func countStopsAfterForwardingThatManyFrames() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--count", "10"])
            _ = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 8, interval: "0.05")
            #expect(waitUntil(timeout: 5) { bed.process?.isRunning == false }, "\(bed.log())")
            #expect(bed.process?.terminationStatus == 0)
            #expect(bed.log(lines: 20).contains("forwarded the requested number of frames"))
        }
    }

    @Test func workersShareTheTrafficAndEveryFrameCrossesOnce() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--workers", "2", "--cpu", "0-1"])
            #expect(try bed.status().workers == 2)
            let marker: UInt8 = 0x44
            // Many flows, so the fanout hash spreads them over both threads.
            let sent = (0..<64).map { n -> [UInt8] in
                var frame = TestFrames.udp(sourcePort: 4000 + UInt16(n), destinationPort: 9, marker: marker)
                frame[43] = UInt8(n)
                return frame
            }
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 64
            ) { TestFrames.isMarkedUDP($0, marker) }
            #expect(received.count == 64, "no frame lost or duplicated")
            #expect(Set(received.map { $0[43] }).count == 64)
            let hashes = try HostTraffic.tcpTransfer(
                from: bed.a, to: bed.b, address: BridgeTestbed.addressB, megabytes: 4)
            #expect(hashes.sent == hashes.received)
        }
    }

    @Test func tpacketV3ForwardsToo() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--tpacket-v3"])
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.05").received == 3)
            let hashes = try HostTraffic.tcpTransfer(
                from: bed.b, to: bed.a, address: BridgeTestbed.addressA, megabytes: 2)
            #expect(hashes.sent == hashes.received)
        }
    }
}
