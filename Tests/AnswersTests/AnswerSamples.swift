import Frame

/// Frames the answer tests reject: a client at 02:00:00:00:00:01 (198.18.0.1, 2001:db8::1)
/// talking to a server at 02:00:00:00:00:02 (198.19.0.1, 2001:db8::2).
enum Samples {
    static let clientMAC: UInt64 = 0x02_00_00_00_00_01
    static let serverMAC: UInt64 = 0x02_00_00_00_00_02

    static func tcp(
        flags: UInt8, sequence: UInt32 = 0x1000_0000, acknowledgment: UInt32 = 0, payload: [UInt8] = [],
        options: [UInt8] = []
    ) -> FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = 40_123
        tcp.destinationPort = 443
        tcp.sequence = sequence
        tcp.acknowledgment = acknowledgment
        tcp.flags = flags
        tcp.payload = payload
        tcp.options = options
        return tcp
    }

    static func udp(payload: [UInt8] = Array(repeating: 0x5a, count: 16), zeroChecksum: Bool = false)
        -> FrameBuilder.UDP
    {
        var udp = FrameBuilder.UDP()
        udp.sourcePort = 40_124
        udp.destinationPort = 53
        udp.payload = payload
        udp.zeroChecksum = zeroChecksum
        return udp
    }

    static func icmp(type: UInt8, code: UInt8 = 0) -> FrameBuilder.ICMP {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        icmp.code = code
        icmp.payload = Array(0..<32)
        return icmp
    }

    static func ipv4(
        _ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = [],
        change: (inout FrameBuilder.IPv4) -> Void = { _ in }
    ) -> FrameBuilder {
        var ip = FrameBuilder.IPv4()
        ip.ttl = 57
        ip.dscp = 46
        ip.ecn = 1
        ip.identification = 0x4242
        ip.transport = transport
        change(&ip)
        var builder = FrameBuilder()
        builder.sourceMAC = clientMAC
        builder.destinationMAC = serverMAC
        builder.vlanTags = tags
        builder.network = .ipv4(ip)
        return builder
    }

    static func ipv6(
        _ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = [],
        extensions: [FrameBuilder.ExtensionHeader] = [], change: (inout FrameBuilder.IPv6) -> Void = { _ in }
    ) -> FrameBuilder {
        var ip = FrameBuilder.IPv6()
        ip.hopLimit = 33
        ip.dscp = 10
        ip.flowLabel = 0xabcde
        ip.extensionHeaders = extensions
        ip.transport = transport
        change(&ip)
        var builder = FrameBuilder()
        builder.sourceMAC = clientMAC
        builder.destinationMAC = serverMAC
        builder.vlanTags = tags
        builder.network = .ipv6(ip)
        return builder
    }

    /// The tag stacks every answer must copy: none, 802.1Q, QinQ (802.1ad outer), 0x9100 outer,
    /// and the parser's maximum of eight.
    static let tagStacks: [[FrameBuilder.VLANTag]] = [
        [],
        [FrameBuilder.VLANTag(id: 10, pcp: 5)],
        [FrameBuilder.VLANTag(id: 100, pcp: 3, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 20, dei: true)],
        [FrameBuilder.VLANTag(id: 300, tpid: EtherType.qinqLegacy), FrameBuilder.VLANTag(id: 4094, pcp: 7)],
        (1...8).map { FrameBuilder.VLANTag(id: UInt16($0), tpid: $0 == 1 ? EtherType.qinq : EtherType.vlan) },
    ]
}
