import Frame
import TestSupport
import Testing

/// With a forward-everything policy, the bridge is a cable: both hosts see exactly what the
/// other sent.
@Suite(.serialized) struct TransparencyTests {
    static let passAll = "version 1\ndefault forward\n"

    @Test func pingCrossesBothWaysOverIPv4AndIPv6() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 5).received == 5, "\(bed.log())")
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.addressA, count: 5).received == 5)
            // IPv6: neighbour discovery (multicast) has to cross the bridge first.
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.address6B, count: 5).received == 5)
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.address6A, count: 5).received == 5)
            #expect(try bed.portCounter("a", "rx_frames") >= 10)
            #expect(try bed.portCounter("b", "tx_frames") >= 10)
        }
    }

    @Test func tcpTransferOfSeveralMegabytesArrivesIntact() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            let hashes = try HostTraffic.tcpTransfer(
                from: bed.a, to: bed.b, address: BridgeTestbed.addressB, megabytes: 8)
            #expect(hashes.sent.count == 64)
            #expect(hashes.sent == hashes.received, "\(bed.log())")
        }
    }

    @Test func udpDatagramsCross() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            let arrived = try HostTraffic.udpDatagrams(
                from: bed.b, to: bed.a, address: BridgeTestbed.addressA, count: 200)
            #expect(arrived == 200)
        }
    }

    @Test func rawFramesArriveByteForByte() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            let marker: UInt8 = 0x5a
            var frames: [[UInt8]] = [
                TestFrames.frame(length: 60, marker: marker),
                TestFrames.frame(length: 1514, marker: marker),
                // 802.1Q: VID 100, PCP 5; the largest tagged frame.
                TestFrames.frame(length: 64, marker: marker, tags: [(0x8100, 5 << 13 | 100)]),
                TestFrames.frame(length: 1518, marker: marker, tags: [(0x8100, 3 << 13 | 4094)]),
                // QinQ: 802.1ad outer VID 200, 802.1Q inner VID 300.
                TestFrames.frame(length: 80, marker: marker, tags: [(0x88a8, 200), (0x8100, 1 << 13 | 300)]),
            ]
            // Broadcast and multicast destinations.
            var broadcast = TestFrames.frame(length: 70, marker: marker)
            broadcast.replaceSubrange(0..<6, with: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            var multicast = TestFrames.frame(length: 70, marker: marker)
            multicast.replaceSubrange(0..<6, with: [0x01, 0x00, 0x5e, 0x01, 0x02, 0x03])
            frames += [broadcast, multicast]
            let sent = frames
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: sent.count
            ) { TestFrames.isMarked($0, marker) }
            #expect(FrameDiff.between(received, sent) == nil, "\(FrameDiff.between(received, sent) ?? "")")
        }
    }

    @Test func spanningTreeAndLLDPFramesCross() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            // An STP configuration BPDU (802.3 length + LLC 42 42 03) and an LLDP frame.
            var stp: [UInt8] =
                [0x01, 0x80, 0xc2, 0x00, 0x00, 0x00] + TestFrames.source + [0x00, 0x26, 0x42, 0x42, 0x03]
            stp += [0x00, 0x00, 0x00, 0x00] + [UInt8](repeating: 0x11, count: 31)
            while stp.count < 60 { stp.append(0) }
            var lldp: [UInt8] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e] + TestFrames.source + [0x88, 0xcc]
            lldp += [
                0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01, 0x04, 0x03, 0x05, 0x61, 0x30, 0x06, 0x02, 0x00,
                0x78, 0x00, 0x00,
            ]
            while lldp.count < 60 { lldp.append(0) }
            let sent = [stp, lldp]
            let received = try RawExchange.send(
                sent, from: bed.b, interface: "b0", to: bed.a, capture: "a0", expecting: 2
            ) { frame in sent.contains(frame) }
            #expect(received == sent)
        }
    }

    @Test func jumboFramesCrossWhenBothMTUsAllowThem() async throws {
        try await BridgeTestbed.with(mtu: 9000) { bed in
            try bed.start(policy: Self.passAll)
            let marker: UInt8 = 0x6b
            let sent = [TestFrames.frame(length: 9014, marker: marker)]
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 1
            ) { TestFrames.isMarked($0, marker) }
            #expect(received == sent)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, size: 8000).received == 3)
        }
    }
}

/// The same cable with the other send path: one `send()` per frame straight from the RX slot
/// (the default is a TX ring with one kick per batch).
@Suite(.serialized) struct SendPerFrameTests {
    @Test func framesAndATransferCrossWithOneSendPerFrame() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: TransparencyTests.passAll, arguments: ["--no-tx-ring"])
            let marker: UInt8 = 0x7e
            let sent =
                (0..<50).map { TestFrames.frame(length: 60 + $0 * 29, marker: marker) }
                + [TestFrames.frame(length: 64, marker: marker, tags: [(0x8100, 5 << 13 | 100)])]
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: sent.count
            ) { TestFrames.isMarked($0, marker) }
            #expect(FrameDiff.between(received, sent) == nil, "\(FrameDiff.between(received, sent) ?? "")")
            let hashes = try HostTraffic.tcpTransfer(
                from: bed.a, to: bed.b, address: BridgeTestbed.addressB, megabytes: 4)
            #expect(hashes.sent == hashes.received)
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.addressA, count: 3).received == 3)
        }
    }
}
