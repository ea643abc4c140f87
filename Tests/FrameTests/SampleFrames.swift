import Frame

/// Builder specs for the frame kinds the tests rewrite and truncate. Every IP frame carries 24
/// payload bytes, so none needs padding to 60 and pushing or popping a tag changes only the tag.
enum SampleFrames {
    static let payload: [UInt8] = (0..<24).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    static var tcp: FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = 40001
        tcp.destinationPort = 443
        tcp.sequence = 0x1122_3344
        tcp.acknowledgment = 0x5566_7788
        tcp.flags = 0x18
        tcp.options = [0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02]
        tcp.payload = payload
        return tcp
    }

    static var udp: FrameBuilder.UDP {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = 40002
        udp.destinationPort = 5060
        udp.payload = payload
        return udp
    }

    static var icmp: FrameBuilder.ICMP {
        var icmp = FrameBuilder.ICMP()
        icmp.payload = payload
        return icmp
    }

    static func ipv4(_ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = []) -> FrameBuilder {
        var ip = FrameBuilder.IPv4()
        ip.dscp = 10
        ip.ecn = 2
        ip.ttl = 61
        ip.identification = 0xbeef
        ip.transport = transport
        var builder = FrameBuilder()
        builder.vlanTags = tags
        builder.network = .ipv4(ip)
        return builder
    }

    static func ipv6(
        _ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = [],
        extensions: [FrameBuilder.ExtensionHeader] = []
    ) -> FrameBuilder {
        var ip = FrameBuilder.IPv6()
        ip.dscp = 34
        ip.ecn = 1
        ip.flowLabel = 0x1_2345
        ip.hopLimit = 200
        ip.extensionHeaders = extensions
        ip.transport = transport
        var builder = FrameBuilder()
        builder.vlanTags = tags
        builder.network = .ipv6(ip)
        return builder
    }

    static let qinqTags = [FrameBuilder.VLANTag(id: 200, pcp: 5, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 300)]

    static var ipv4TCP: FrameBuilder { ipv4(.tcp(tcp)) }
    static var ipv4UDP: FrameBuilder { ipv4(.udp(udp)) }
    static var ipv4UDPZeroChecksum: FrameBuilder {
        var udp = udp
        udp.zeroChecksum = true
        return ipv4(.udp(udp))
    }
    static var ipv4ICMP: FrameBuilder { ipv4(.icmp(icmp)) }
    static var ipv6TCP: FrameBuilder { ipv6(.tcp(tcp)) }
    static var ipv6UDP: FrameBuilder { ipv6(.udp(udp)) }
    static var ipv6ICMPv6: FrameBuilder {
        var icmp = icmp
        icmp.type = 128
        return ipv6(.icmpv6(icmp))
    }
    static var ipv6ExtensionsTCP: FrameBuilder {
        var tcp = tcp
        tcp.options = []
        return ipv6(
            .tcp(tcp), extensions: [.hopByHop(length: 6), .routing(length: 6), .destinationOptions(length: 14)])
    }
    static var dot1QIPv4TCP: FrameBuilder { ipv4(.tcp(tcp), tags: [FrameBuilder.VLANTag(id: 100, pcp: 3)]) }
    static var qinqIPv4UDP: FrameBuilder { ipv4(.udp(udp), tags: qinqTags) }
    static var qinqIPv6UDP: FrameBuilder { ipv6(.udp(udp), tags: qinqTags) }
    static var ipv4FirstFragment: FrameBuilder {
        var builder = ipv4TCP
        guard case .ipv4(var ip) = builder.network else { return builder }
        ip.moreFragments = true
        builder.network = .ipv4(ip)
        return builder
    }
    static var ipv4NonFirstFragment: FrameBuilder {
        var builder = ipv4(.other(protocolNumber: IPProtocol.tcp, payload: payload + payload))
        guard case .ipv4(var ip) = builder.network else { return builder }
        ip.fragmentOffset = 185
        builder.network = .ipv4(ip)
        return builder
    }
    static var ipv6FirstFragmentUDP: FrameBuilder {
        ipv6(.udp(udp), extensions: [.fragment(offset: 0, moreFragments: true, identification: 9)])
    }
    static var ipv6NonFirstFragment: FrameBuilder {
        ipv6(
            .other(protocolNumber: IPProtocol.udp, payload: payload),
            extensions: [.fragment(offset: 100, moreFragments: false, identification: 9)])
    }
    static var arp: FrameBuilder {
        var builder = FrameBuilder()
        builder.network = .arp(FrameBuilder.ARP())
        return builder
    }
    static var lldp: FrameBuilder {
        var builder = FrameBuilder()
        builder.destinationMAC = 0x01_80_c2_00_00_0e
        builder.network = .raw(etherType: EtherType.lldp, payload: [0x02, 0x07, 0x04] + payload)
        return builder
    }
    static var ipv4ESP: FrameBuilder { ipv4(.other(protocolNumber: IPProtocol.esp, payload: payload)) }

    /// Every sample, by name.
    static var all: [(name: String, builder: FrameBuilder)] {
        [
            ("ipv4TCP", ipv4TCP), ("ipv4UDP", ipv4UDP), ("ipv4UDPZeroChecksum", ipv4UDPZeroChecksum),
            ("ipv4ICMP", ipv4ICMP), ("ipv6TCP", ipv6TCP), ("ipv6UDP", ipv6UDP), ("ipv6ICMPv6", ipv6ICMPv6),
            ("ipv6ExtensionsTCP", ipv6ExtensionsTCP), ("dot1QIPv4TCP", dot1QIPv4TCP), ("qinqIPv4UDP", qinqIPv4UDP),
            ("qinqIPv6UDP", qinqIPv6UDP), ("ipv4FirstFragment", ipv4FirstFragment),
            ("ipv4NonFirstFragment", ipv4NonFirstFragment), ("ipv6FirstFragmentUDP", ipv6FirstFragmentUDP),
            ("ipv6NonFirstFragment", ipv6NonFirstFragment), ("arp", arp), ("lldp", lldp), ("ipv4ESP", ipv4ESP),
        ]
    }
}
