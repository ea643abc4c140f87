/// One rewrite of one header field, with the value to write.
///
/// Applying a rewrite fixes every checksum that covers the field incrementally (RFC 1624): the
/// IPv4 header checksum, and the TCP/UDP/ICMPv6 checksum including its pseudo-header when an
/// address changes. A UDP checksum of zero (none) stays zero. `vlanPush`/`vlanPop` change the
/// frame's length.
public enum FieldRewrite: Sendable, Hashable {
    case etherSource(UInt64)
    case etherDestination(UInt64)
    /// VID of the outermost tag (12 bits). No tag: not applied.
    case vlanID(UInt16)
    /// PCP of the outermost tag (3 bits). No tag: not applied.
    case vlanPCP(UInt8)
    /// Insert an 802.1Q tag (TPID 0x8100, PCP 0) with this VID as the new outermost tag.
    case vlanPush(UInt16)
    /// Remove the outermost tag. No tag: not applied.
    case vlanPop
    case ipv4Source(UInt32)
    case ipv4Destination(UInt32)
    case ipv4TTL(UInt8)
    case ipv4DSCP(UInt8)
    case ipv4ECN(UInt8)
    case ipv6Source(UInt128)
    case ipv6Destination(UInt128)
    case ipv6HopLimit(UInt8)
    case ipv6DSCP(UInt8)
    case tcpSourcePort(UInt16)
    case tcpDestinationPort(UInt16)
    case udpSourcePort(UInt16)
    case udpDestinationPort(UInt16)
}
