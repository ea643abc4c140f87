import Frame

/// Frames written out byte by byte (cross-checked against scapy 2.5), with the builder specs that
/// must produce them.
enum GoldenFrames {
    static let macA: UInt64 = 0x02_00_00_00_00_01
    static let macB: UInt64 = 0x02_00_00_00_00_02
    static let ipA: UInt32 = 0xC612_0001  // 198.18.0.1
    static let ipB: UInt32 = 0xC613_0001  // 198.19.0.1
    static let ip6A: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001
    static let ip6B: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0002

    /// Ethernet + IPv4 (DSCP 46) + TCP SYN with an MSS option and 3 payload bytes: 61 bytes.
    static let ipv4TCP: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x08, 0x00,  // IPv4
        0x45, 0xb8, 0x00, 0x2f,  // version 4, IHL 5, TOS 0xb8 (EF), total length 47
        0x00, 0x00, 0x00, 0x00,  // identification 0, no flags, offset 0
        0x40, 0x06, 0xed, 0xe9,  // TTL 64, TCP, header checksum
        0xc6, 0x12, 0x00, 0x01,  // 198.18.0.1
        0xc6, 0x13, 0x00, 0x01,  // 198.19.0.1
        0x9c, 0x40, 0x00, 0x50,  // ports 40000 -> 80
        0x00, 0x00, 0x00, 0x01,  // sequence 1
        0x00, 0x00, 0x00, 0x00,  // acknowledgment 0
        0x60, 0x02, 0xff, 0xff,  // data offset 6, SYN, window 65535
        0xd4, 0x24, 0x00, 0x00,  // checksum, urgent pointer
        0x02, 0x04, 0x05, 0xb4,  // MSS 1460
        0x47, 0x45, 0x54,  // "GET"
    ]

    static var ipv4TCPBuilder: FrameBuilder {
        var tcp = FrameBuilder.TCP()
        tcp.options = [0x02, 0x04, 0x05, 0xb4]
        tcp.payload = Array("GET".utf8)
        var ip = FrameBuilder.IPv4()
        ip.dscp = 46
        ip.transport = .tcp(tcp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        return builder
    }

    /// 802.1Q (PCP 3, VID 100) + IPv4 (DF, ID 0x1234, TTL 63) + UDP with 5 payload bytes, padded.
    static let dot1QIPv4UDP: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x81, 0x00, 0x60, 0x64,  // 802.1Q, PCP 3, VID 100
        0x08, 0x00,  // IPv4
        0x45, 0x00, 0x00, 0x21,  // IHL 5, TOS 0, total length 33
        0x12, 0x34, 0x40, 0x00,  // identification 0x1234, DF
        0x3f, 0x11, 0x9d, 0x70,  // TTL 63, UDP, header checksum
        0xc6, 0x12, 0x00, 0x01,  // 198.18.0.1
        0xc6, 0x13, 0x00, 0x01,  // 198.19.0.1
        0x9c, 0x40, 0x00, 0x35,  // ports 40000 -> 53
        0x00, 0x0d, 0xad, 0x6f,  // length 13, checksum
        0x61, 0x62, 0x63, 0x64, 0x65,  // "abcde"
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // padding to 60
    ]

    static var dot1QIPv4UDPBuilder: FrameBuilder {
        var udp = FrameBuilder.UDP()
        udp.destinationPort = 53
        udp.payload = Array("abcde".utf8)
        var ip = FrameBuilder.IPv4()
        ip.ttl = 63
        ip.identification = 0x1234
        ip.dontFragment = true
        ip.transport = .udp(udp)
        var builder = FrameBuilder()
        builder.vlanTags = [FrameBuilder.VLANTag(id: 100, pcp: 3)]
        builder.network = .ipv4(ip)
        return builder
    }

    /// QinQ (0x88a8 PCP 5 VID 200, then 0x8100 VID 300) + IPv6 (DSCP 46, ECN 1) + ICMPv6 echo request.
    static let qinqIPv6ICMPv6: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x88, 0xa8, 0xa0, 0xc8,  // 802.1ad, PCP 5, VID 200
        0x81, 0x00, 0x01, 0x2c,  // 802.1Q, VID 300
        0x86, 0xdd,  // IPv6
        0x6b, 0x90, 0x00, 0x00,  // version 6, traffic class 0xb9, flow label 0
        0x00, 0x0c, 0x3a, 0x40,  // payload length 12, ICMPv6, hop limit 64
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x80, 0x00, 0x45, 0x71,  // echo request, code 0, checksum
        0x00, 0x01, 0x00, 0x01,  // identifier 1, sequence 1
        0x70, 0x69, 0x6e, 0x67,  // "ping"
    ]

    static var qinqIPv6ICMPv6Builder: FrameBuilder {
        var icmp = FrameBuilder.ICMP()
        icmp.type = 128
        icmp.payload = Array("ping".utf8)
        var ip = FrameBuilder.IPv6()
        ip.dscp = 46
        ip.ecn = 1
        ip.transport = .icmpv6(icmp)
        var builder = FrameBuilder()
        builder.vlanTags = [
            FrameBuilder.VLANTag(id: 200, pcp: 5, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 300),
        ]
        builder.network = .ipv6(ip)
        return builder
    }

    /// ARP request "who has 198.18.0.2, tell 198.18.0.1", broadcast, padded.
    static let arpRequest: [UInt8] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // broadcast
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x08, 0x06,  // ARP
        0x00, 0x01, 0x08, 0x00,  // Ethernet, IPv4
        0x06, 0x04, 0x00, 0x01,  // sizes 6 and 4, request
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // sender MAC
        0xc6, 0x12, 0x00, 0x01,  // sender 198.18.0.1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // target MAC unknown
        0xc6, 0x12, 0x00, 0x02,  // target 198.18.0.2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // padding to 60
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    static var arpRequestBuilder: FrameBuilder {
        var builder = FrameBuilder()
        builder.destinationMAC = 0xffff_ffff_ffff
        builder.network = .arp(FrameBuilder.ARP())
        return builder
    }

    /// IPv4 with 8 option bytes (Router Alert, 3 NOP, EOL) + ICMP echo request with "xyz", padded.
    static let ipv4OptionsICMP: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x08, 0x00,  // IPv4
        0x47, 0x00, 0x00, 0x27,  // IHL 7, total length 39
        0x00, 0x07, 0x00, 0x00,  // identification 7
        0x40, 0x01, 0x56, 0xa2,  // TTL 64, ICMP, header checksum
        0xc6, 0x12, 0x00, 0x01,  // 198.18.0.1
        0xc6, 0x13, 0x00, 0x01,  // 198.19.0.1
        0x94, 0x04, 0x00, 0x00,  // Router Alert
        0x01, 0x01, 0x01, 0x00,  // NOP, NOP, NOP, EOL
        0x08, 0x00, 0x05, 0x84,  // echo request, code 0, checksum
        0x00, 0x01, 0x00, 0x01,  // identifier 1, sequence 1
        0x78, 0x79, 0x7a,  // "xyz"
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // padding to 60
    ]

    static var ipv4OptionsICMPBuilder: FrameBuilder {
        var icmp = FrameBuilder.ICMP()
        icmp.payload = Array("xyz".utf8)
        var ip = FrameBuilder.IPv4()
        ip.identification = 7
        ip.options = [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]
        ip.transport = .icmp(icmp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        return builder
    }

    /// IPv6 + hop-by-hop (PadN) + fragment header (offset 0, M, id 0x01020304) + UDP "frag!".
    static let ipv6HopByHopFragmentUDP: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x86, 0xdd,  // IPv6
        0x60, 0x00, 0x00, 0x00,  // version 6
        0x00, 0x1d, 0x00, 0x40,  // payload length 29, hop-by-hop, hop limit 64
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,  // hop-by-hop: next fragment, PadN 4
        0x11, 0x00, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,  // fragment: next UDP, offset 0, M, id
        0x9c, 0x40, 0x00, 0x09,  // ports 40000 -> 9
        0x00, 0x0d, 0x1f, 0x3c,  // length 13, checksum
        0x66, 0x72, 0x61, 0x67, 0x21,  // "frag!"
    ]

    static var ipv6HopByHopFragmentUDPBuilder: FrameBuilder {
        var udp = FrameBuilder.UDP()
        udp.payload = Array("frag!".utf8)
        var ip = FrameBuilder.IPv6()
        ip.extensionHeaders = [
            .hopByHop(length: 6), .fragment(offset: 0, moreFragments: true, identification: 0x0102_0304),
        ]
        ip.transport = .udp(udp)
        var builder = FrameBuilder()
        builder.network = .ipv6(ip)
        return builder
    }

    /// Every golden frame with its builder, by name.
    static let all: [(name: String, bytes: [UInt8], builder: FrameBuilder)] = [
        ("ipv4TCP", ipv4TCP, ipv4TCPBuilder),
        ("dot1QIPv4UDP", dot1QIPv4UDP, dot1QIPv4UDPBuilder),
        ("qinqIPv6ICMPv6", qinqIPv6ICMPv6, qinqIPv6ICMPv6Builder),
        ("arpRequest", arpRequest, arpRequestBuilder),
        ("ipv4OptionsICMP", ipv4OptionsICMP, ipv4OptionsICMPBuilder),
        ("ipv6HopByHopFragmentUDP", ipv6HopByHopFragmentUDP, ipv6HopByHopFragmentUDPBuilder),
    ]
}
