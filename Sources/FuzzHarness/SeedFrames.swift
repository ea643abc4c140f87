import Frame

/// Well-formed frames of every kind the parser knows, built with ``FrameBuilder``: the frame
/// target's seed corpus, and the frames the policy target runs through each policy that loads.
public enum SeedFrames {
    /// Each frame with a file name for the corpus.
    public static var all: [(name: String, bytes: [UInt8])] {
        var frames: [(String, [UInt8])] = []
        func add(_ name: String, _ builder: FrameBuilder) { frames.append((name, builder.build())) }

        add("ipv4-udp", frame(.ipv4(ipv4(.udp(udp(dport: 53, payload: 12))))))
        add("ipv4-udp-zero-checksum", frame(.ipv4(ipv4(.udp(zeroChecksumUDP())))))
        add("ipv4-tcp-syn", frame(.ipv4(ipv4(.tcp(tcp(dport: 443))))))
        add("ipv4-tcp-options-payload", frame(.ipv4(ipv4(.tcp(tcp(dport: 8080, options: 12, payload: 200))))))
        add("ipv4-icmp-echo", frame(.ipv4(ipv4(.icmp(FrameBuilder.ICMP())))))
        add("ipv4-options-ihl15", frame(.ipv4(ipv4(.udp(udp(dport: 9)), options: 40))))
        add("ipv4-first-fragment", frame(.ipv4(ipv4(.udp(udp(dport: 5060, payload: 40)), moreFragments: true))))
        add("ipv4-later-fragment", frame(.ipv4(ipv4(.other(protocolNumber: 17, payload: bytes(48)), offset: 185))))
        add("ipv4-gre", frame(.ipv4(ipv4(.other(protocolNumber: 47, payload: bytes(24))))))
        add("ipv4-site-dns", frame(.ipv4(ipv4(.udp(udp(dport: 53)), source: 0xC613_0202, destination: 0xC612_0808))))
        add("ipv4-site-rtp", frame(.ipv4(ipv4(.udp(udp(dport: 20000, payload: 160)), source: 0xC613_0202))))
        add("ipv4-blocklisted", frame(.ipv4(ipv4(.tcp(tcp(dport: 443)), source: 0xC612_630D))))
        add("ipv4-telnet", frame(.ipv4(ipv4(.tcp(tcp(dport: 23))))))
        add("ipv4-mgmt-ssh", frame(.ipv4(ipv4(.tcp(tcp(dport: 22)), source: 0xC612_C807, destination: 0xC613_0304))))
        add("ipv4-tcp-syn-linux-options", frame(.ipv4(ipv4(.tcp(synWithOptions(mss: 8960))))))
        add(
            "ipv6-qinq-tcp-syn-odd-mss",
            frame(
                .ipv6(ipv6(.tcp(synWithOptions(mss: 1460, leading: [1])))),
                tags: [FrameBuilder.VLANTag(id: 7, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 8)]))
        add("ipv4-jumbo-tcp", frame(.ipv4(ipv4(.tcp(tcp(dport: 873, payload: 8900)), source: 0xC613_0101))))

        add("ipv6-udp", frame(.ipv6(ipv6(.udp(udp(dport: 53, payload: 20))))))
        add("ipv6-tcp", frame(.ipv6(ipv6(.tcp(tcp(dport: 830)), destination: 0x2001_0db8_0100 << 80 | 0x22))))
        add("ipv6-icmpv6-ns", frame(.ipv6(ipv6(.icmpv6(icmpv6(type: 135))))))
        add("ipv6-icmpv6-echo", frame(.ipv6(ipv6(.icmpv6(icmpv6(type: 128))))))
        add(
            "ipv6-extension-chain",
            frame(
                .ipv6(
                    ipv6(
                        .tcp(tcp(dport: 80)),
                        headers: [.hopByHop(length: 6), .routing(length: 14), .destinationOptions(length: 30)]))))
        add(
            "ipv6-eight-extensions",
            frame(.ipv6(ipv6(.udp(udp(dport: 9)), headers: Array(repeating: .destinationOptions(length: 6), count: 8))))
        )
        add(
            "ipv6-first-fragment",
            frame(
                .ipv6(
                    ipv6(
                        .udp(udp(dport: 53, payload: 64)),
                        headers: [.fragment(offset: 0, moreFragments: true, identification: 7)]))))
        add(
            "ipv6-later-fragment",
            frame(
                .ipv6(
                    ipv6(
                        .other(protocolNumber: 17, payload: bytes(64)),
                        headers: [.fragment(offset: 9, moreFragments: false, identification: 7)]))))
        add(
            "ipv6-atomic-fragment",
            frame(
                .ipv6(
                    ipv6(
                        .icmpv6(icmpv6(type: 128)),
                        headers: [.fragment(offset: 0, moreFragments: false, identification: 9)]))))
        add("ipv6-blocklisted", frame(.ipv6(ipv6(.tcp(tcp(dport: 80)), source: 0x2001_0db8_0bad << 80 | 7))))

        add("vlan-ipv4-udp", frame(.ipv4(ipv4(.udp(udp(dport: 53)))), tags: [.init(id: 10, pcp: 3)]))
        add("vlan-ipv4-tcp-8080", frame(.ipv4(ipv4(.tcp(tcp(dport: 8080)))), tags: [.init(id: 15)]))
        add(
            "qinq-ipv6-tcp",
            frame(
                .ipv6(ipv6(.tcp(tcp(dport: 22)))),
                tags: [.init(id: 100, tpid: EtherType.qinq), .init(id: 30, pcp: 5)]))
        add(
            "vlan-eight-tags",
            frame(.ipv4(ipv4(.udp(udp(dport: 9)))), tags: (1...8).map { FrameBuilder.VLANTag(id: UInt16($0)) }))
        add(
            "vlan-nine-tags",
            frame(
                .ipv4(ipv4(.udp(udp(dport: 9)))),
                tags: (1...9).map { FrameBuilder.VLANTag(id: UInt16($0), tpid: EtherType.qinqLegacy) }))
        add("vlan-ipv6-icmpv6", frame(.ipv6(ipv6(.icmpv6(icmpv6(type: 129)))), tags: [.init(id: 4095, pcp: 7)]))

        add("arp-request", frame(.arp(FrameBuilder.ARP())))
        var reply = FrameBuilder.ARP()
        reply.operation = 2
        add("vlan-arp-reply", frame(.arp(reply), tags: [.init(id: 20)]))
        var gatewayReply = reply
        gatewayReply.senderIP = 0xC612_00FE  // 198.18.0.254
        add(
            "qinq-arp-reply-gateway",
            frame(.arp(gatewayReply), tags: [.init(id: 100, tpid: EtherType.qinq), .init(id: 10)]))
        var otherHardware = frame(.arp(gatewayReply)).build()
        otherHardware[15] = 6  // IEEE 802 hardware: an operation and no addresses
        frames.append(("arp-ieee802-hardware", otherHardware))
        add("lldp", frame(.raw(etherType: EtherType.lldp, payload: bytes(40))))
        add("experimental-ethertype", frame(.raw(etherType: 0x88b5, payload: bytes(46))))
        addStateful(add)

        var short = frame(.raw(etherType: 0x0800, payload: []))
        short.padToMinimum = false
        add("ethernet-header-only", short)
        return frames
    }

    /// Frames for the stateful paths: every step of a TCP connection, answers to earlier seeds,
    /// ICMP errors quoting a seed's flow, and what `reject` must not answer or answers specially.
    static func addStateful(_ add: (String, FrameBuilder) -> Void) {
        for (name, flags) in [("synack", UInt8(0x12)), ("ack-data", 0x18), ("fin-ack", 0x11), ("rst", 0x04)] {
            var segment = tcp(dport: 40000, payload: flags == 0x18 ? 64 : 0)
            segment.sourcePort = 443
            segment.flags = flags
            segment.sequence = 5000
            segment.acknowledgment = 1001
            add("ipv4-tcp-\(name)", frame(.ipv4(ipv4(.tcp(segment), source: 0xC613_0001, destination: 0xC612_0001))))
        }
        var echoReply = FrameBuilder.ICMP()
        echoReply.type = 0
        add("ipv4-icmp-echo-reply", frame(.ipv4(ipv4(.icmp(echoReply), source: 0xC613_0001, destination: 0xC612_0001))))
        // An ICMP port unreachable from 198.19.0.1 quoting the ipv4-udp seed's datagram to it.
        let quoted = quotedPacket(frame(.ipv4(ipv4(.udp(udp(dport: 53, payload: 12))))))
        var unreachable = FrameBuilder.ICMP()
        unreachable.type = 3
        unreachable.code = 3
        unreachable.rest = 0
        unreachable.payload = quoted
        add(
            "ipv4-icmp-unreachable-quoting-udp",
            frame(.ipv4(ipv4(.icmp(unreachable), source: 0xC613_0001, destination: 0xC612_0001))))
        // An ICMPv6 packet too big from 2001:db8::2 quoting the ipv6-tcp seed's segment.
        let quoted6 = quotedPacket(frame(.ipv6(ipv6(.tcp(tcp(dport: 830)), destination: 0x2001_0db8 << 96 | 2))))
        var tooBig = FrameBuilder.ICMP()
        tooBig.type = 2
        tooBig.rest = 1280
        tooBig.payload = quoted6
        add(
            "ipv6-icmpv6-packet-too-big",
            frame(.ipv6(ipv6(.icmpv6(tooBig), source: 0x2001_0db8 << 96 | 2, destination: 0x2001_0db8 << 96 | 1))))
        var broadcast = frame(.ipv4(ipv4(.udp(udp(dport: 161)), destination: 0xffff_ffff)))
        broadcast.destinationMAC = 0xffff_ffff_ffff
        add("ipv4-udp-snmp-broadcast", broadcast)
        add("ipv4-udp-snmp", frame(.ipv4(ipv4(.udp(udp(dport: 161, payload: 20))))))
        add("ipv6-tcp-smb", frame(.ipv6(ipv6(.tcp(tcp(dport: 445))))))
        add("ipv4-guest-tcp", frame(.ipv4(ipv4(.tcp(tcp(dport: 80, payload: 400)), source: 0xC613_4D05))))
        add(
            "vlan-qinq-ipv4-telnet",
            frame(.ipv4(ipv4(.tcp(tcp(dport: 23)))), tags: [.init(id: 200, tpid: EtherType.qinq), .init(id: 7)]))
    }

    /// The IP packet of `builder`'s frame, from its IP header on (what an ICMP error quotes).
    static func quotedPacket(_ builder: FrameBuilder) -> [UInt8] {
        var builder = builder
        builder.padToMinimum = false
        return Array(builder.build().dropFirst(14 + 4 * builder.vlanTags.count))
    }

    // MARK: Building blocks

    static func frame(_ network: FrameBuilder.Network, tags: [FrameBuilder.VLANTag] = []) -> FrameBuilder {
        var builder = FrameBuilder()
        builder.vlanTags = tags
        builder.network = network
        return builder
    }

    static func ipv4(
        _ transport: FrameBuilder.Transport, source: UInt32 = 0xC612_0001, destination: UInt32 = 0xC613_0001,
        options: Int = 0, moreFragments: Bool = false, offset: UInt16 = 0
    ) -> FrameBuilder.IPv4 {
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = destination
        ip.options = options > 0 ? [0x94, 0x04, 0, 0] + Array(repeating: 1, count: options - 4) : []
        ip.moreFragments = moreFragments
        ip.fragmentOffset = offset
        ip.identification = 0x1234
        ip.transport = transport
        return ip
    }

    static func ipv6(
        _ transport: FrameBuilder.Transport, source: UInt128 = 0x2001_0db8 << 96 | 1,
        destination: UInt128 = 0x2001_0db8 << 96 | 2, headers: [FrameBuilder.ExtensionHeader] = []
    ) -> FrameBuilder.IPv6 {
        var ip = FrameBuilder.IPv6()
        ip.source = source
        ip.destination = destination
        ip.extensionHeaders = headers
        ip.transport = transport
        return ip
    }

    static func udp(dport: UInt16, payload: Int = 0) -> FrameBuilder.UDP {
        var udp = FrameBuilder.UDP()
        udp.destinationPort = dport
        udp.payload = bytes(payload)
        return udp
    }

    static func zeroChecksumUDP() -> FrameBuilder.UDP {
        var udp = udp(dport: 5061, payload: 8)
        udp.zeroChecksum = true
        return udp
    }

    static func tcp(dport: UInt16, options: Int = 0, payload: Int = 0) -> FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.destinationPort = dport
        tcp.options = options > 0 ? [2, 4, 0x05, 0xb4] + Array(repeating: 1, count: options - 4) : []
        tcp.payload = bytes(payload)
        return tcp
    }

    /// A SYN with Linux's options (MSS, SACK permitted, timestamps, NOP, window scale) after
    /// `leading` bytes (a NOP puts the MSS value at an odd offset).
    static func synWithOptions(mss: UInt16, leading: [UInt8] = []) -> FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.destinationPort = 443
        tcp.flags = 0x02
        tcp.options =
            leading + [2, 4, UInt8(mss >> 8), UInt8(mss & 0xff), 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]
        return tcp
    }

    static func icmpv6(type: UInt8) -> FrameBuilder.ICMP {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        return icmp
    }

    /// `count` bytes of a counting pattern.
    static func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }
}
