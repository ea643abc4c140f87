import Frame

/// What a rewrite should do, said in builder terms: the spec the frame would have been built
/// from had it carried the new value. Independent of the rewriter, so tests compare the two.
enum RewriteModel {
    /// The spec after `rewrite`, or nil when the frame lacks the field (the rewrite must fail).
    static func applying(_ rewrite: FieldRewrite, to builder: FrameBuilder) -> FrameBuilder? {
        var result = builder
        switch rewrite {
        case .etherSource(let mac): result.sourceMAC = mac
        case .etherDestination(let mac): result.destinationMAC = mac
        case .vlanID(let id):
            guard !result.vlanTags.isEmpty else { return nil }
            result.vlanTags[0].id = id & 0x0fff
        case .vlanPCP(let pcp):
            guard !result.vlanTags.isEmpty else { return nil }
            result.vlanTags[0].pcp = pcp & 0x07
        case .vlanPush(let id):
            result.vlanTags.insert(FrameBuilder.VLANTag(id: id & 0x0fff), at: 0)
        case .vlanPop:
            guard !result.vlanTags.isEmpty else { return nil }
            result.vlanTags.removeFirst()
        case .ipv4Source(let address): return changingIPv4(of: builder) { $0.source = address }
        case .ipv4Destination(let address): return changingIPv4(of: builder) { $0.destination = address }
        case .ipv4TTL(let ttl): return changingIPv4(of: builder) { $0.ttl = ttl }
        case .ipv4DSCP(let dscp): return changingIPv4(of: builder) { $0.dscp = dscp & 0x3f }
        case .ipv4ECN(let ecn): return changingIPv4(of: builder) { $0.ecn = ecn & 0x03 }
        case .ipv6Source(let address): return changingIPv6(of: builder) { $0.source = address }
        case .ipv6Destination(let address): return changingIPv6(of: builder) { $0.destination = address }
        case .ipv6HopLimit(let hopLimit): return changingIPv6(of: builder) { $0.hopLimit = hopLimit }
        case .ipv6DSCP(let dscp): return changingIPv6(of: builder) { $0.dscp = dscp & 0x3f }
        case .tcpSourcePort(let port): return changingTCP(of: builder) { $0.sourcePort = port }
        case .tcpDestinationPort(let port): return changingTCP(of: builder) { $0.destinationPort = port }
        case .udpSourcePort(let port): return changingUDP(of: builder) { $0.sourcePort = port }
        case .udpDestinationPort(let port): return changingUDP(of: builder) { $0.destinationPort = port }
        }
        return result
    }

    /// Push and pop change the length: compare unpadded frames, or padding would differ.
    static func changesLength(_ rewrite: FieldRewrite) -> Bool {
        switch rewrite {
        case .vlanPush, .vlanPop: true
        default: false
        }
    }

    private static func changingIPv4(of builder: FrameBuilder, _ change: (inout FrameBuilder.IPv4) -> Void)
        -> FrameBuilder?
    {
        guard case .ipv4(var ip) = builder.network else { return nil }
        change(&ip)
        return builder.with { $0.network = .ipv4(ip) }
    }

    private static func changingIPv6(of builder: FrameBuilder, _ change: (inout FrameBuilder.IPv6) -> Void)
        -> FrameBuilder?
    {
        guard case .ipv6(var ip) = builder.network else { return nil }
        change(&ip)
        return builder.with { $0.network = .ipv6(ip) }
    }

    private static func changingTransport(
        of builder: FrameBuilder, _ change: (inout FrameBuilder.Transport) -> Bool
    ) -> FrameBuilder? {
        switch builder.network {
        case .ipv4(var ip):
            guard ip.protocolOverride == nil, change(&ip.transport) else { return nil }
            return builder.with { $0.network = .ipv4(ip) }
        case .ipv6(var ip):
            guard change(&ip.transport) else { return nil }
            return builder.with { $0.network = .ipv6(ip) }
        default:
            return nil
        }
    }

    private static func changingTCP(of builder: FrameBuilder, _ change: (inout FrameBuilder.TCP) -> Void)
        -> FrameBuilder?
    {
        changingTransport(of: builder) { transport in
            guard case .tcp(var tcp) = transport else { return false }
            change(&tcp)
            transport = .tcp(tcp)
            return true
        }
    }

    private static func changingUDP(of builder: FrameBuilder, _ change: (inout FrameBuilder.UDP) -> Void)
        -> FrameBuilder?
    {
        changingTransport(of: builder) { transport in
            guard case .udp(var udp) = transport else { return false }
            change(&udp)
            transport = .udp(udp)
            return true
        }
    }
}
