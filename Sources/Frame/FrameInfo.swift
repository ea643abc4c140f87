/// What a parse of one Ethernet frame found: field values and the offsets of each header.
///
/// A `FrameInfo` is a plain value filled by ``FrameInfo/parse(_:)`` without allocating. Every
/// field is valid only when its group is in ``present``: a frame that is truncated, or that lies
/// about its lengths, is parsed as far as it is sound and no further, and the groups beyond that
/// point stay absent. A field that is absent never equals anything in a policy match.
///
/// Addresses are numbers in network (most significant byte first) order: a MAC is the low 48 bits
/// of a `UInt64`, an IPv4 address a `UInt32`, an IPv6 address a `UInt128`.
public struct FrameInfo: Sendable, Equatable {
    /// The most VLAN tags the parser walks; a frame with more is parsed no further than the tags.
    public static let maxVLANTags = 8
    /// The most IPv6 extension headers the parser walks before it gives up on finding L4.
    public static let maxIPv6ExtensionHeaders = 8

    /// Which groups of fields the frame really has.
    public var present: FieldPresence = []

    /// Total frame length in bytes (as captured).
    public var length: Int = 0

    // MARK: Ethernet (present: .ethernet)
    /// Destination MAC (low 48 bits).
    public var destinationMAC: UInt64 = 0
    /// Source MAC (low 48 bits).
    public var sourceMAC: UInt64 = 0

    // MARK: VLAN (present: .vlan when vlanTagCount > 0)
    /// Number of 802.1Q (0x8100) / 802.1ad (0x88a8, 0x9100) tags found, at most ``maxVLANTags``.
    public var vlanTagCount: Int = 0
    /// TPID of the outermost tag.
    public var outerVLANTPID: UInt16 = 0
    /// TCI (PCP:3, DEI:1, VID:12) of the outermost tag.
    public var outerVLANTCI: UInt16 = 0
    /// TCI of the second tag (QinQ), when `vlanTagCount >= 2`.
    public var innerVLANTCI: UInt16 = 0

    /// The EtherType after all VLAN tags (the payload's type). Valid with `.ethernet`.
    public var etherType: UInt16 = 0
    /// Offset of the L3 header (first byte after the last tag's EtherType).
    public var l3Offset: Int = 0

    // MARK: ARP (present: .arp)
    /// ARP operation (1 request, 2 reply).
    public var arpOperation: UInt16 = 0
    /// ARP sender protocol address (present: .arpAddresses: Ethernet/IPv4 ARP only).
    public var arpSenderIP: UInt32 = 0
    /// ARP target protocol address (present: .arpAddresses).
    public var arpTargetIP: UInt32 = 0
    /// ARP sender hardware address, low 48 bits (present: .arpAddresses).
    public var arpSenderMAC: UInt64 = 0
    /// ARP target hardware address, low 48 bits (present: .arpAddresses).
    public var arpTargetMAC: UInt64 = 0

    // MARK: IPv4 (present: .ipv4) / IPv6 (present: .ipv6)
    /// IPv4 source address (present: .ipv4).
    public var ipv4Source: UInt32 = 0
    /// IPv4 destination address (present: .ipv4).
    public var ipv4Destination: UInt32 = 0
    /// IPv6 source address (present: .ipv6).
    public var ipv6Source: UInt128 = 0
    /// IPv6 destination address of the fixed header (present: .ipv6).
    public var ipv6Destination: UInt128 = 0
    /// IPv4 header length in bytes (IHL * 4).
    public var ipv4HeaderLength: Int = 0
    /// IPv4 protocol field, or the IPv6 header's Next Header field (before extension headers).
    public var ipProtocol: UInt8 = 0
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: UInt8 = 0
    /// DSCP (upper 6 bits of IPv4 TOS / IPv6 traffic class).
    public var dscp: UInt8 = 0
    /// ECN (lower 2 bits of IPv4 TOS / IPv6 traffic class).
    public var ecn: UInt8 = 0
    /// The packet is an IP fragment: IPv4 MF or offset != 0; an IPv6 fragment header with M or
    /// offset != 0 (an atomic fragment, RFC 6946, is not one).
    public var isFragment: Bool = false
    /// The packet is the first fragment of its datagram (offset 0, more to come): it carries the
    /// L4 header the later fragments lack. False when ``isFragment`` is false.
    public var isFirstFragment: Bool = false
    /// The identification that ties a datagram's fragments together: the IPv4 header's 16-bit
    /// Identification (for every IPv4 packet), or the IPv6 Fragment header's 32-bit Identification
    /// (0 when the packet has no Fragment header).
    public var ipIdentification: UInt32 = 0
    /// Offset one past the IP packet's last byte: the smaller of the end the IP header's length
    /// field gives and the end of the captured bytes (Ethernet padding lies beyond it). Valid
    /// with `.l4Protocol`; the L4 segment is `l4Offset ..< ipEnd`.
    public var ipEnd: Int = 0

    // MARK: L4 (present: .l4Protocol, .ports, .tcpFlags, .icmpType)
    /// The transport protocol after IPv6 extension headers; present only when the frame is IP,
    /// the header chain was sound, and the packet is not a non-first fragment.
    public var l4Protocol: UInt8 = 0
    /// Offset of the L4 header.
    public var l4Offset: Int = 0
    /// TCP/UDP source port (present: .ports; TCP needs 4 bytes of header, UDP 8).
    public var sourcePort: UInt16 = 0
    /// TCP/UDP destination port (present: .ports).
    public var destinationPort: UInt16 = 0
    /// TCP flags byte (present: .tcpFlags, needs 14 bytes of TCP header).
    public var tcpFlags: UInt8 = 0
    /// ICMP or ICMPv6 type (present: .icmpType).
    public var icmpType: UInt8 = 0
    /// ICMP or ICMPv6 code (present: .icmpType).
    public var icmpCode: UInt8 = 0

    /// An empty result: nothing present, every field zero.
    @inlinable public init() {}
}

/// The groups of fields a frame has; see ``FrameInfo``.
public struct FieldPresence: OptionSet, Sendable, Hashable {
    /// One bit per group.
    public let rawValue: UInt16
    /// The groups whose bits are set in `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 14 bytes of Ethernet header: MACs and EtherType.
    public static let ethernet = FieldPresence(rawValue: 1 << 0)
    /// At least one complete VLAN tag.
    public static let vlan = FieldPresence(rawValue: 1 << 1)
    /// An ARP header with at least its operation field.
    public static let arp = FieldPresence(rawValue: 1 << 2)
    /// A sound IPv4 header (version 4, IHL >= 5, IHL*4 bytes present).
    public static let ipv4 = FieldPresence(rawValue: 1 << 3)
    /// A complete 40-byte IPv6 header.
    public static let ipv6 = FieldPresence(rawValue: 1 << 4)
    /// `l4Protocol` and `l4Offset` are valid (IP, sound header chain, first or no fragment).
    public static let l4Protocol = FieldPresence(rawValue: 1 << 5)
    /// TCP or UDP ports.
    public static let ports = FieldPresence(rawValue: 1 << 6)
    /// TCP flags.
    public static let tcpFlags = FieldPresence(rawValue: 1 << 7)
    /// ICMP or ICMPv6 type and code.
    public static let icmpType = FieldPresence(rawValue: 1 << 8)
    /// A complete L4 header (TCP data offset >= 5 and that many bytes, 8 UDP bytes, 4 ICMP bytes):
    /// its checksum field can be updated.
    public static let l4Header = FieldPresence(rawValue: 1 << 9)
    /// The whole 28-byte ARP body of IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6, plen 4):
    /// its sender and target addresses. ARP for other hardware or protocols has none.
    public static let arpAddresses = FieldPresence(rawValue: 1 << 10)
}

/// Well-known EtherType numbers.
public enum EtherType {
    /// IPv4.
    public static let ipv4: UInt16 = 0x0800
    /// ARP.
    public static let arp: UInt16 = 0x0806
    /// 802.1Q VLAN tag.
    public static let vlan: UInt16 = 0x8100
    /// 802.1ad service tag (QinQ outer).
    public static let qinq: UInt16 = 0x88a8
    /// pre-standard QinQ tag.
    public static let qinqLegacy: UInt16 = 0x9100
    /// IPv6.
    public static let ipv6: UInt16 = 0x86dd
    /// LLDP.
    public static let lldp: UInt16 = 0x88cc
}

/// IP protocol numbers.
public enum IPProtocol {
    /// IPv6 hop-by-hop options.
    public static let hopByHop: UInt8 = 0
    /// ICMP.
    public static let icmp: UInt8 = 1
    /// TCP.
    public static let tcp: UInt8 = 6
    /// UDP.
    public static let udp: UInt8 = 17
    /// IPv6 routing header.
    public static let routing: UInt8 = 43
    /// IPv6 fragment header.
    public static let fragment: UInt8 = 44
    /// Encapsulating security payload.
    public static let esp: UInt8 = 50
    /// Authentication header.
    public static let ah: UInt8 = 51
    /// ICMPv6.
    public static let icmpv6: UInt8 = 58
    /// IPv6 no next header.
    public static let noNextHeader: UInt8 = 59
    /// IPv6 destination options.
    public static let destinationOptions: UInt8 = 60
    /// SCTP.
    public static let sctp: UInt8 = 132
}
