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
            try bed.start(
                policy: Self.passAll + "rule \"probes\" {\n    match udp dport 9\n    forward\n}\n",
                arguments: ["--workers", "2", "--cpu", "0-1"])
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
            // Both threads forwarded: each worker's own counters show frames in from a and out to b,
            // and together they are exactly the port's totals (which count what arrived).
            let status = try bed.waitForRule("probes", packets: 64)
            #expect(status.packets == 64)
            let report = try bed.status()
            try #require(report.perWorker.count == 2, "\(report.perWorker)")
            for (port, counter) in [(0, "rx_frames"), (1, "tx_frames")] {
                let each = report.perWorker.map { $0.ports[port][counter] ?? 0 }
                #expect(each.allSatisfy { $0 > 0 }, "\(counter) per worker: \(each)")
                #expect(each.reduce(0, +) == report.ports[port].counters[counter], "\(counter): \(each)")
            }
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

    /// Busy-polling takes frames straight from the rings' status words: every frame still crosses
    /// exactly once, TCP works both ways, on V2 and V3 rings, and SIGTERM stops a spinning loop.
    @Test(arguments: [[], ["--tpacket-v3"]])
    func busyPollForwardsEveryFrameOnce(ring: [String]) async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--busy-poll", "2000"] + ring)
            let marker: UInt8 = 0x45
            let sent = (0..<32).map { n -> [UInt8] in
                var frame = TestFrames.udp(sourcePort: 4000, destinationPort: 9, marker: marker)
                frame[43] = UInt8(n)
                return frame
            }
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 32
            ) { TestFrames.isMarkedUDP($0, marker) }
            #expect(received.map { $0[43] } == (0..<32).map { UInt8($0) }, "each frame once, in order")
            let hashes = try HostTraffic.tcpTransfer(
                from: bed.b, to: bed.a, address: BridgeTestbed.addressA, megabytes: 2)
            #expect(hashes.sent == hashes.received)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.05").received == 3)
            bed.process?.terminate()
            #expect(waitUntil(timeout: 5) { bed.process?.isRunning == false }, "\(bed.log())")
            #expect(bed.process?.terminationStatus == 0)
        }
    }

    @Test func busyPollOutOfRangeIsRefused() throws {
        let result = Shell.result([
            try BridgekeeperBinary.path, "run", "--port-a", "x", "--port-b", "y", "--policy", "p", "--busy-poll=-1",
        ])
        #expect(result.status != 0)
        #expect(result.errors.contains("--busy-poll"), "\(result.errors)")
    }
}
