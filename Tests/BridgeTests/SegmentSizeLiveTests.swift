import Frame
import TestSupport
import Testing

/// MSS clamping on the wire: a real TCP connect from host a to a server on host b crosses the
/// bridge, and the SYN captured on b's side carries the clamped MSS with a checksum b's stack
/// accepted (the connection is made).
@Suite(.serialized) struct SegmentSizeLiveTests {
    /// The MSS option of the first SYN (without ACK) to `port` captured on b0 while `connect`
    /// runs, and what the connect said.
    static func clampedSYN(
        _ bed: BridgeTestbed, address: String, port: Int
    ) throws -> (mss: UInt16?, checksumValid: Bool, connect: String) {
        let capture = RawExchange.startCapture(in: bed.b, interface: "b0", count: 1, timeout: 5) { bytes in
            bytes.withUnsafeBytes { raw in
                let info = FrameInfo.parse(raw)
                return info.present.contains(.tcpFlags) && info.tcpFlags & 0x12 == 0x02
                    && info.destinationPort == UInt16(port)
            }
        }
        let connect = try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: address, port: port)) {
            _ in try HostTraffic.tcpConnect(from: bed.a, to: address, port: port, timeout: 3)
        }
        let frames = try capture.wait()
        guard let syn = frames.first else { return (nil, false, connect) }
        return syn.withUnsafeBytes { raw in
            let info = FrameInfo.parse(raw)
            return (
                TCPOptions.maximumSegmentSize(raw, info: info), ChecksumVerifier.allAreValid(raw, info: info), connect
            )
        }
    }

    @Test func aSYNCrossesWithTheMSSTheRuleSets() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "clamp" {
                        match tcp flags syn tcp dport 5001
                        tcp option maxseg size set 1200
                        forward
                    }
                    """)
            let seen = try Self.clampedSYN(bed, address: BridgeTestbed.addressB, port: 5001)
            #expect(seen.connect == "connected", "\(bed.log())")
            // Linux offers 1460 on a 1500-byte link; the bridge lowered it.
            #expect(seen.mss == 1200)
            #expect(seen.checksumValid)
            #expect(try bed.rulePackets("clamp") >= 1)
        }
    }

    @Test func routeMTUIsTheOutgoingPortsOverIPv6() async throws {
        try await BridgeTestbed.with { bed in
            // Port b is the narrow link: 1280 bytes, IPv6's minimum; hosts keep 1500.
            try bed.bridge.ip("link", "set", "pb", "mtu", "1280")
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "clamp" {
                        match tcp flags syn
                        tcp option maxseg size set rt mtu
                        forward
                    }
                    """)
            let seen = try Self.clampedSYN(bed, address: BridgeTestbed.address6B, port: 5002)
            #expect(seen.connect == "connected", "\(bed.log())")
            // 1280 less the 40-byte IPv6 header and the 20-byte TCP header.
            #expect(seen.mss == 1220)
            #expect(seen.checksumValid)
        }
    }
}
