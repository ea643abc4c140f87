import Foundation
import TestSupport
import Testing

/// What the whole bridge does about its threads: `--count` across workers, and a thread that fails.
@Suite(.serialized) struct WorkerFaultTests {
    static let passAll = "version 1\ndefault forward\n"

    /// Frames of many flows, so the fanout hash gives both workers some.
    static func frames(_ count: Int, marker: UInt8) -> [[UInt8]] {
        (0..<count).map { n in
            var frame = TestFrames.udp(sourcePort: 2000 + UInt16(n % 500), destinationPort: 9, marker: marker)
            frame[43] = UInt8(truncatingIfNeeded: n)
            return frame
        }
    }

    @Test func countIsTheTotalOverAllWorkers() async throws {
        try await BridgeTestbed.with { bed in
            // Every frame the bridge forwards counts, whichever way it goes (the hosts' own IPv6
            // chatter too), so everything that reaches either side is counted, from before the
            // bridge starts.
            let towardA = RawExchange.startCapture(in: bed.a, interface: "a0", count: 4000, timeout: 10) { _ in true }
            let towardB = RawExchange.startCapture(in: bed.b, interface: "b0", count: 4000, timeout: 10) { _ in true }
            try bed.start(policy: Self.passAll, arguments: ["--count", "1000", "--workers", "2", "--cpu", "0-1"])
            try bed.a.start {
                let socket = try PlainPacketSocket(interface: "a0")
                for frame in Self.frames(3000, marker: 0x51) { try socket.send(frame) }
            }.wait()
            let crossed = try towardA.wait().count + towardB.wait().count
            #expect(waitUntil(timeout: 5) { bed.process?.isRunning == false }, "\(bed.log())")
            #expect(crossed == 1000, "exactly --count frames crossed, whichever worker took them")
            #expect(bed.process?.terminationStatus == 0)
        }
    }

    @Test func aFailedWorkerStopsTheBridgeWithAnErrorStatus() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, environment: ["BRIDGEKEEPER_INJECT_WORKER_FAULT": "5"])
            _ = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 10, interval: "0.05")
            #expect(waitUntil(timeout: 5) { bed.process?.isRunning == false }, "\(bed.log())")
            #expect(bed.process?.terminationStatus == 1)
            let log = bed.log(lines: 30)
            #expect(log.contains("forwarding thread failed"), "\(log)")
            #expect(log.contains("exiting with status 1"), "\(log)")
        }
    }
}
