/// The IP version of a flow.
public enum FlowFamily: UInt8, Sendable, Hashable, BitwiseCopyable {
    /// IPv4: addresses are held v4-mapped (`::ffff:a.b.c.d`) in 128 bits.
    case ipv4 = 4
    /// IPv6.
    case ipv6 = 6
}

/// How IPv4 addresses are held in the 128 bits a flow keeps for every address.
public enum FlowAddress {
    /// `address` as a v4-mapped IPv6 address, `::ffff:a.b.c.d`.
    @inlinable @inline(__always)
    public static func mapped(_ address: UInt32) -> UInt128 {
        UInt128(0xffff) << 32 | UInt128(address)
    }

    /// The IPv4 address inside a v4-mapped one (its low 32 bits).
    @inlinable @inline(__always)
    public static func ipv4(_ address: UInt128) -> UInt32 {
        UInt32(truncatingIfNeeded: address)
    }
}

/// A flow as people and the kernel see it: addresses, ports, protocol and VLANs in the
/// orientation of the flow's first frame (source = the originator).
///
/// For ICMP and ICMPv6 query flows (echo, and the IPv4 timestamp, information and address-mask
/// queries, ICMPv6 node information) `sourcePort` is the query's identifier and
/// `destinationPort` the request's type (8, 13, 15, 17; 128, 139), the same in both directions.
/// Other protocols without ports (GRE, ESP, SCTP, ...) have both ports 0: they are tracked by
/// addresses and protocol.
public struct FlowTuple: Sendable, Hashable, BitwiseCopyable {
    /// IPv4 or IPv6.
    public var family: FlowFamily
    /// The L4 protocol number.
    public var ipProtocol: UInt8
    /// The originator's address (IPv4 v4-mapped; see ``FlowAddress``).
    public var source: UInt128
    /// The responder's address.
    public var destination: UInt128
    /// The originator's port (the ICMP identifier for query flows).
    public var sourcePort: UInt16
    /// The responder's port (the ICMP request type for query flows).
    public var destinationPort: UInt16
    /// The outer VLAN id (12 bits; 0 when untagged or priority-tagged).
    public var outerVLAN: UInt16
    /// The inner VLAN id of a QinQ frame (0 with fewer than two tags).
    public var innerVLAN: UInt16

    /// A tuple from its parts; addresses of an IPv4 flow must be v4-mapped.
    public init(
        family: FlowFamily, ipProtocol: UInt8, source: UInt128, destination: UInt128, sourcePort: UInt16 = 0,
        destinationPort: UInt16 = 0, outerVLAN: UInt16 = 0, innerVLAN: UInt16 = 0
    ) {
        self.family = family
        self.ipProtocol = ipProtocol
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.outerVLAN = outerVLAN & 0x0fff
        self.innerVLAN = innerVLAN & 0x0fff
    }

    /// An IPv4 tuple from 32-bit addresses.
    public static func ipv4(
        _ ipProtocol: UInt8, source: UInt32, sourcePort: UInt16 = 0, destination: UInt32, destinationPort: UInt16 = 0,
        outerVLAN: UInt16 = 0, innerVLAN: UInt16 = 0
    ) -> FlowTuple {
        FlowTuple(
            family: .ipv4, ipProtocol: ipProtocol, source: FlowAddress.mapped(source),
            destination: FlowAddress.mapped(destination), sourcePort: sourcePort, destinationPort: destinationPort,
            outerVLAN: outerVLAN, innerVLAN: innerVLAN)
    }

    /// True for the protocols whose flows are keyed by an ICMP query identifier.
    @inlinable @inline(__always)
    public var isICMPQuery: Bool { FlowKey.isICMP(ipProtocol, family) }
}
