/// One rewrite of one header field, with the value to write.
///
/// Applying a rewrite fixes every checksum that covers the field incrementally (RFC 1624): the
/// IPv4 header checksum, and the TCP/UDP/ICMPv6 checksum including its pseudo-header when an
/// address changes. A UDP checksum of zero (none) stays zero. `vlanPush`/`vlanPop` change the
/// frame's length.
public enum FieldRewrite: Sendable, Hashable {
    /// Source MAC (low 48 bits).
    case etherSource(UInt64)
    /// Destination MAC (low 48 bits).
    case etherDestination(UInt64)
    /// VID of the outermost tag (12 bits). No tag: not applied.
    case vlanID(UInt16)
    /// PCP of the outermost tag (3 bits). No tag: not applied.
    case vlanPCP(UInt8)
    /// Insert an 802.1Q tag (TPID 0x8100, PCP 0) with this VID as the new outermost tag.
    case vlanPush(UInt16)
    /// Remove the outermost tag. No tag: not applied.
    case vlanPop
    /// IPv4 source address; fixes the header checksum and the TCP/UDP pseudo-header checksum.
    case ipv4Source(UInt32)
    /// IPv4 destination address; checksums as for the source.
    case ipv4Destination(UInt32)
    /// IPv4 time to live.
    case ipv4TTL(UInt8)
    /// IPv4 DSCP (6 bits); ECN is kept.
    case ipv4DSCP(UInt8)
    /// IPv4 ECN (2 bits); DSCP is kept.
    case ipv4ECN(UInt8)
    /// IPv6 source address; fixes the TCP/UDP/ICMPv6 pseudo-header checksum.
    case ipv6Source(UInt128)
    /// IPv6 destination address (the fixed header's); checksums as for the source.
    case ipv6Destination(UInt128)
    /// IPv6 hop limit.
    case ipv6HopLimit(UInt8)
    /// IPv6 DSCP (upper 6 bits of the traffic class); ECN and flow label are kept.
    case ipv6DSCP(UInt8)
    /// TCP source port. Needs a TCP header with ports (not a non-first fragment).
    case tcpSourcePort(UInt16)
    /// TCP destination port.
    case tcpDestinationPort(UInt16)
    /// UDP source port.
    case udpSourcePort(UInt16)
    /// UDP destination port.
    case udpDestinationPort(UInt16)
    /// The TCP maximum segment size option, lowered to this value (never raised, as nft's
    /// `tcp option maxseg size set N`). No sound MSS option, or one already at or below the
    /// value: not applied.
    case tcpMaxSegmentSize(UInt16)
}
