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
        case .tcpMaxSegmentSize(let limit): return loweringSegmentSize(of: builder, to: limit)
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

    /// The MSS option (kind 2, length 4) found by walking the builder's option bytes (as padded
    /// with zeros on the wire), lowered; nil when there is none, the list is malformed before
    /// it, or it is not above `limit`.
    private static func loweringSegmentSize(of builder: FrameBuilder, to limit: UInt16) -> FrameBuilder? {
        let tcp: FrameBuilder.TCP
        switch builder.network {
        case .ipv4(let ip) where ip.protocolOverride == nil:
            guard case .tcp(let segment) = ip.transport else { return nil }
            tcp = segment
        case .ipv6(let ip):
            guard case .tcp(let segment) = ip.transport else { return nil }
            tcp = segment
        default: return nil
        }
        guard let options = lowered(tcp.options, to: limit) else { return nil }
        return changingTCP(of: builder) { $0.options = options }
    }

    private static func lowered(_ written: [UInt8], to limit: UInt16) -> [UInt8]? {
        var options = Array(written.prefix(40))
        options += [UInt8](repeating: 0, count: (4 - options.count % 4) % 4)
        var index = 0
        while index < options.count, options[index] != 0 {
            if options[index] == 1 {
                index += 1
                continue
            }
            guard index + 1 < options.count else { return nil }
            let length = Int(options[index + 1])
            guard length >= 2, index + length <= options.count else { return nil }
            if options[index] == 2 {
                guard length == 4, UInt16(options[index + 2]) << 8 | UInt16(options[index + 3]) > limit else {
                    return nil
                }
                options[index + 2] = UInt8(limit >> 8)
                options[index + 3] = UInt8(limit & 0xff)
                return options
            }
            index += length
        }
        return nil
    }
}
