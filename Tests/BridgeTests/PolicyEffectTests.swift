import Foundation
import Frame
import TestSupport
import Testing

/// The policy's verdicts and rewrites, checked on what actually arrives at the far host.
@Suite(.serialized) struct PolicyEffectTests {
    @Test func aDropRuleStopsTheFlowAndCountsIt() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "no-ping" {
                        match icmp type echo-request
                        drop
                    }
                    """)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3).received == 0)
            #expect(try bed.rulePackets("no-ping") == 3)
            #expect(try bed.portCounter("a", "dropped") == 3)
            // Other traffic still crosses.
            #expect(
                try HostTraffic.udpDatagrams(from: bed.a, to: bed.b, address: BridgeTestbed.addressB, count: 20) == 20)
        }
    }

    @Test func rewrittenFramesArriveRewrittenWithValidChecksums() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "rewrite-udp" {
                        match udp dport 9999
                        ip dscp set ef
                        ip ttl set 9
                        ip saddr set 198.18.1.77
                        udp dport set 9998
                        ether daddr set 02:00:00:00:bb:02
                        forward
                    }
                    rule "rewrite-tcp6" {
                        match tcp dport 8080
                        ip6 daddr set 2001:db8:1::99
                        tcp dport set 80
                        forward
                    }
                    """)
            var udp = FrameBuilder.UDP()
            udp.destinationPort = 9999
            udp.payload = Array("bridgekeeper".utf8)
            var ip = FrameBuilder.IPv4()
            ip.source = 0xC612_0101
            ip.destination = 0xC612_0102
            ip.transport = .udp(udp)
            var v4 = FrameBuilder()
            v4.network = .ipv4(ip)
            var tcp = FrameBuilder.TCP()
            tcp.destinationPort = 8080
            tcp.payload = Array("GET / HTTP/1.0\r\n\r\n".utf8)
            var ip6 = FrameBuilder.IPv6()
            ip6.transport = .tcp(tcp)
            var v6 = FrameBuilder()
            v6.network = .ipv6(ip6)
            let sent = [v4.build(), v6.build()]
            let received = try RawExchange.send(
                sent, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 2
            ) { frame in
                frame.withUnsafeBytes { raw in
                    let info = FrameInfo.parse(raw)
                    return info.present.contains(.ports) && (info.destinationPort == 9998 || info.destinationPort == 80)
                }
            }
            try #require(received.count == 2, "\(bed.log())")
            // Expected: the same frames built with the new values, checksums computed from scratch.
            var udpAfter = udp
            udpAfter.destinationPort = 9998
            var ipAfter = ip
            ipAfter.dscp = 46
            ipAfter.ttl = 9
            ipAfter.source = 0xC612_014D
            ipAfter.transport = .udp(udpAfter)
            var v4After = v4
            v4After.destinationMAC = 0x02_00_00_00_bb_02
            v4After.network = .ipv4(ipAfter)
            var tcpAfter = tcp
            tcpAfter.destinationPort = 80
            var ip6After = ip6
            ip6After.destination = 0x2001_0db8_0001_0000_0000_0000_0000_0099
            ip6After.transport = .tcp(tcpAfter)
            var v6After = v6
            v6After.network = .ipv6(ip6After)
            #expect(received[0] == v4After.build())
            #expect(received[1] == v6After.build())
            for frame in received {
                frame.withUnsafeBytes { raw in
                    #expect(ChecksumVerifier.allAreValid(raw, info: FrameInfo.parse(raw)))
                }
            }
        }
    }

    @Test func aThirtyMillisecondDelayShowsInTheRoundTripTime() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "slow-ping" {
                        match icmp type echo-request
                        forward delay 30ms
                    }
                    """)
            let result = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 5, interval: "0.1")
            #expect(result.received == 5)
            // The bridge holds each request at least 30 ms, so no round trip can be shorter; how much
            // longer it is depends on the machine's load, which is the benchmarks' business.
            #expect(result.rtts.count == 5 && result.rtts.allSatisfy { $0 >= 30.0 }, "rtts \(result.rtts)")
            #expect(try bed.portCounter("b", "delayed") == 5)
        }
    }

    @Test func reflectedFramesReachTheHostPortAndNotTheFarSide() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "to-host" {
                        match udp dport 7000
                        reflect
                    }
                    """, arguments: ["--host-port", "bkhost0"])
            try bed.bridge.ip("link", "set", "bkhost0", "up")
            let frame = TestFrames.udp(sourcePort: 4000, destinationPort: 7000, marker: 0x71)
            let farSide = RawExchange.startCapture(
                in: bed.b, interface: "b0", count: 1, timeout: 1.5, matching: { TestFrames.isMarkedUDP($0, 0x71) })
            let onHost = try RawExchange.send(
                [frame], from: bed.a, interface: "a0", to: bed.bridge, capture: "bkhost0", expecting: 1
            ) { TestFrames.isMarkedUDP($0, 0x71) }
            #expect(onHost == [frame])
            #expect(try farSide.wait().isEmpty)
            #expect(try bed.portCounter("a", "reflected") == 1)
        }
    }

    @Test func theHostBehindTheHostPortCanPingASegmentHost() async throws {
        try await BridgeTestbed.with { bed in
            let reflect = try String(
                contentsOfFile: ShippedPolicy.path("reflect.policy"), encoding: .utf8)
            try bed.start(policy: reflect, arguments: ["--host-port", "bkhost0"])
            try bed.bridge.ip("addr", "add", "198.18.1.3/24", "dev", "bkhost0")
            try bed.bridge.ip("link", "set", "bkhost0", "up")
            let result = try bed.ping(from: bed.bridge, to: BridgeTestbed.addressA, count: 3, interval: "0.2")
            #expect(result.received == 3, "\(bed.log())")
            #expect(try bed.portCounter("a", "from_host") >= 3)
            #expect(try bed.portCounter("a", "reflected") >= 3)
            // UDP still crosses between the segments (ARP does not: it goes to the host, so the
            // hosts learn each other's MAC statically here).
            try bed.a.ip(
                "neigh", "replace", BridgeTestbed.addressB, "lladdr", try bed.mac(of: "b0", in: bed.b), "dev", "a0")
            #expect(
                try HostTraffic.udpDatagrams(from: bed.a, to: bed.b, address: BridgeTestbed.addressB, count: 5) == 5)
        }
    }
}

/// Paths of the policies shipped in `policies/`.
enum ShippedPolicy {
    static func path(_ name: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url.appendingPathComponent("policies").appendingPathComponent(name).path
    }
}
