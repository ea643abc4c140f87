extension FrameBuffer {
    /// Applies one rewrite to the frame and keeps `info` in step (offsets move after a push or
    /// pop; rewritten fields take their new values). Returns false, changing nothing, when the
    /// frame lacks the field (e.g. an IPv4 rewrite on an IPv6 frame) or a push has no headroom.
    ///
    /// `info` must describe this buffer's bytes (``FrameInfo/parse(_:)`` of them, kept in step by
    /// earlier rewrites); an `info` whose `length` is not the buffer's is refused. Values wider
    /// than their field are masked to it (a VID to 12 bits, a DSCP to 6, ...).
    public mutating func apply(_ rewrite: FieldRewrite, info: inout FrameInfo) -> Bool {
        guard info.length == length else { return false }
        switch rewrite {
        case .etherSource(let mac): return setMAC(mac, at: 6, info: &info)
        case .etherDestination(let mac): return setMAC(mac, at: 0, info: &info)
        case .vlanID(let id): return setOuterTCI(keeping: 0xf000, value: id & 0x0fff, info: &info)
        case .vlanPCP(let pcp): return setOuterTCI(keeping: 0x1fff, value: UInt16(pcp & 0x07) << 13, info: &info)
        case .vlanPush(let id): return pushVLAN(id: id, info: &info)
        case .vlanPop: return popVLAN(info: &info)
        case .ipv4Source(let address): return setIPv4Address(address, at: 12, info: &info)
        case .ipv4Destination(let address): return setIPv4Address(address, at: 16, info: &info)
        case .ipv4TTL(let ttl): return setIPv4HeaderByte(ttl, at: 8, keeping: 0x00, info: &info)
        case .ipv4DSCP(let dscp): return setIPv4HeaderByte((dscp & 0x3f) << 2, at: 1, keeping: 0x03, info: &info)
        case .ipv4ECN(let ecn): return setIPv4HeaderByte(ecn & 0x03, at: 1, keeping: 0xfc, info: &info)
        case .ipv6Source(let address): return setIPv6Address(address, at: 8, info: &info)
        case .ipv6Destination(let address): return setIPv6Address(address, at: 24, info: &info)
        case .ipv6HopLimit(let hopLimit): return setIPv6HopLimit(hopLimit, info: &info)
        case .ipv6DSCP(let dscp): return setIPv6DSCP(dscp & 0x3f, info: &info)
        case .tcpSourcePort(let port): return setPort(port, at: 0, protocol: IPProtocol.tcp, info: &info)
        case .tcpDestinationPort(let port): return setPort(port, at: 2, protocol: IPProtocol.tcp, info: &info)
        case .udpSourcePort(let port): return setPort(port, at: 0, protocol: IPProtocol.udp, info: &info)
        case .udpDestinationPort(let port): return setPort(port, at: 2, protocol: IPProtocol.udp, info: &info)
        case .tcpMaxSegmentSize(let limit): return clampSegmentSize(to: limit, info: &info)
        }
    }

    /// Recomputes the L4 checksum (TCP, UDP, ICMPv6, ICMP) from scratch. Used for frames the
    /// kernel hands over with a partial checksum (TP_STATUS_CSUMNOTREADY, checksum offload).
    ///
    /// Does nothing when the segment cannot be summed from one frame: no complete L4 header, an
    /// IP fragment, another protocol, a UDP length that disagrees with the IP length, or an `info`
    /// that does not describe this buffer. A UDP result of 0 is written as 0xffff.
    public mutating func completeL4Checksum(info: FrameInfo) {
        guard info.length == length, let result = L4ChecksumSum.compute(readOnlyBytes, info: info) else { return }
        let frame = storage + start
        // The segment was summed word by word from l4Offset, and the checksum field sits at an
        // even offset from it, so it was added as one plain word: take it out again exactly.
        let sum = result.sum &- UInt64(UnsafeRawPointer(frame).be16(result.checksumOffset))
        let checksum = InternetChecksum.checksum(sum)
        frame.storeBE16(result.isUDP && checksum == 0 ? 0xffff : checksum, at: result.checksumOffset)
    }
}
