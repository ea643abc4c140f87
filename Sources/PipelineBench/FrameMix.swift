import Frame

/// A realistic mix of frames for the pipeline benchmark: mostly IPv4 TCP, some UDP, IPv6, VLAN
/// tagged traffic, ARP and ICMP, with addresses and ports spread so rules and indexes are
/// exercised rather than hit by one hot entry.
enum FrameMix {
    static func make(count: Int, seed: UInt64 = 42) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in frame(&random) }
    }

    static func frame(_ random: inout SplitMix64) -> [UInt8] {
        var builder = FrameBuilder()
        builder.sourceMAC = 0x02_00_00_00_00_00 | random.next() & 0xffff
        builder.destinationMAC = 0x02_00_00_01_00_00 | random.next() & 0xffff
        let roll = random.below(100)
        if roll < 3 { builder.vlanTags = [FrameBuilder.VLANTag(id: UInt16(1 + random.below(100)))] }
        let source = 0xC612_0000 | UInt32(random.below(1 << 17))  // 198.18.0.0/15
        let destination = 0xC612_0000 | UInt32(random.below(1 << 17))
        switch roll {
        case 0..<80:
            var tcp = FrameBuilder.TCP()
            tcp.sourcePort = UInt16(1024 + random.below(60000))
            tcp.destinationPort = [80, 443, 443, 8080, 22, 25, UInt16(1024 + random.below(60000))][random.below(7)]
            tcp.flags = 0x10
            builder.network = .ipv4(ipv4(source, destination, .tcp(tcp)))
        case 80..<90:
            var udp = FrameBuilder.UDP()
            udp.sourcePort = UInt16(1024 + random.below(60000))
            udp.destinationPort = [53, 123, 5060, 443, UInt16(1024 + random.below(60000))][random.below(5)]
            builder.network = .ipv4(ipv4(source, destination, .udp(udp)))
        case 90..<96:
            var ip = FrameBuilder.IPv6()
            ip.source = 0x2001_0db8 << 96 | UInt128(random.next())
            ip.destination = 0x2001_0db8 << 96 | UInt128(random.next())
            var tcp = FrameBuilder.TCP()
            tcp.destinationPort = 443
            ip.transport = .tcp(tcp)
            builder.network = .ipv6(ip)
        case 96..<98:
            builder.destinationMAC = 0xffff_ffff_ffff
            builder.network = .arp(FrameBuilder.ARP())
        default:
            builder.network = .ipv4(ipv4(source, destination, .icmp(FrameBuilder.ICMP())))
        }
        return builder.build()
    }

    static func ipv4(_ source: UInt32, _ destination: UInt32, _ transport: FrameBuilder.Transport) -> FrameBuilder.IPv4
    {
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = destination
        ip.transport = transport
        return ip
    }
}
