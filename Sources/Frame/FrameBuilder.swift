/// Builds well-formed frames for tests, `test` blocks in policies, and traffic generators.
///
/// Every length and checksum is computed from scratch (not by the incremental code the rewrites
/// use), so a builder frame is a reference to check rewrites against. Fields not set keep sane
/// defaults: locally administered MACs, TTL 64, TCP SYN, no payload. Frames shorter than 60 bytes
/// are zero-padded to 60 unless `padToMinimum` is false.
public struct FrameBuilder: Sendable {
    /// One VLAN tag: TPID, then the TCI (PCP:3, DEI:1, VID:12).
    public struct VLANTag: Sendable, Hashable {
        /// 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100.
        public var tpid: UInt16
        /// Priority code point, 3 bits.
        public var pcp: UInt8
        /// Drop eligible indicator.
        public var dei: Bool
        /// VLAN identifier, 12 bits.
        public var id: UInt16
        /// A tag with VID `id`; an 802.1Q tag with PCP 0 unless told otherwise.
        public init(id: UInt16, pcp: UInt8 = 0, dei: Bool = false, tpid: UInt16 = EtherType.vlan) {
            self.tpid = tpid
            self.pcp = pcp
            self.dei = dei
            self.id = id
        }
    }

    /// What follows the Ethernet header and tags.
    public enum Network: Sendable, Hashable {
        /// No L3 header: the EtherType and payload given.
        case raw(etherType: UInt16, payload: [UInt8])
        /// An ARP packet for IPv4 over Ethernet.
        case arp(ARP)
        /// An IPv4 packet.
        case ipv4(IPv4)
        /// An IPv6 packet.
        case ipv6(IPv6)
    }

    /// ARP for IPv4 over Ethernet (28 bytes).
    public struct ARP: Sendable, Hashable {
        /// 1 request, 2 reply.
        public var operation: UInt16 = 1
        /// Sender hardware address.
        public var senderMAC: UInt64 = 0x02_00_00_00_00_01
        /// Sender protocol address (198.18.0.1).
        public var senderIP: UInt32 = 0xC612_0001
        /// Target hardware address (0 in a request).
        public var targetMAC: UInt64 = 0
        /// Target protocol address (198.18.0.2).
        public var targetIP: UInt32 = 0xC612_0002
        /// A request from 198.18.0.1 for 198.18.0.2.
        public init() {}
    }

    /// An IPv4 header and what it carries; total length and header checksum are computed.
    public struct IPv4: Sendable, Hashable {
        /// Source address (198.18.0.1).
        public var source: UInt32 = 0xC612_0001
        /// Destination address (198.19.0.1).
        public var destination: UInt32 = 0xC613_0001
        /// Time to live.
        public var ttl: UInt8 = 64
        /// Upper 6 bits of the TOS byte.
        public var dscp: UInt8 = 0
        /// Lower 2 bits of the TOS byte.
        public var ecn: UInt8 = 0
        /// Identification field.
        public var identification: UInt16 = 0
        /// DF flag.
        public var dontFragment: Bool = false
        /// MF flag. The builder still writes the whole transport segment (with its checksum over
        /// that segment), which makes a first fragment whose checksum can be checked.
        public var moreFragments: Bool = false
        /// In 8-byte units.
        public var fragmentOffset: UInt16 = 0
        /// Raw option bytes, padded with zeros to a multiple of 4 by the builder, at most 40.
        public var options: [UInt8] = []
        /// Overrides the protocol number the transport implies (the L4 checksum's pseudo-header
        /// uses the number written).
        public var protocolOverride: UInt8? = nil
        /// The payload.
        public var transport: Transport = .udp(UDP())
        /// 198.18.0.1 to 198.19.0.1, TTL 64, carrying an empty UDP datagram.
        public init() {}
    }

    /// An IPv6 header, extension headers and what they carry; payload length is computed.
    public struct IPv6: Sendable, Hashable {
        /// Source address (2001:db8::1).
        public var source: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001
        /// Destination address (2001:db8::2).
        public var destination: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0002
        /// Hop limit.
        public var hopLimit: UInt8 = 64
        /// Upper 6 bits of the traffic class.
        public var dscp: UInt8 = 0
        /// Lower 2 bits of the traffic class.
        public var ecn: UInt8 = 0
        /// Flow label, 20 bits.
        public var flowLabel: UInt32 = 0
        /// Written in order between the fixed header and the transport.
        public var extensionHeaders: [ExtensionHeader] = []
        /// The upper-layer payload.
        public var transport: Transport = .udp(UDP())
        /// 2001:db8::1 to 2001:db8::2, hop limit 64, carrying an empty UDP datagram.
        public init() {}
    }

    /// An IPv6 extension header. For the option and routing headers, `length` is the bytes after
    /// the first two, rounded up to 8n+6 (so the header is a multiple of 8 bytes, at least 8).
    public enum ExtensionHeader: Sendable, Hashable {
        /// Hop-by-hop options, padded; `length` is the option bytes (rounded up to 8n+6).
        case hopByHop(length: Int)
        /// A routing header of type 253 (experimental) with segments left 0, so the destination
        /// field stays the final destination and the pseudo-header uses it.
        case routing(length: Int)
        /// Destination options, padded like hop-by-hop.
        case destinationOptions(length: Int)
        /// A fragment header; `offset` in 8-byte units.
        case fragment(offset: UInt16, moreFragments: Bool, identification: UInt32)
    }

    /// The transport segment, with its checksum computed (pseudo-header included for TCP, UDP and
    /// ICMPv6; ICMP has none).
    public enum Transport: Sendable, Hashable {
        /// A protocol with no header the builder knows: the protocol number and payload bytes.
        case other(protocolNumber: UInt8, payload: [UInt8])
        /// A TCP segment.
        case tcp(TCP)
        /// A UDP datagram.
        case udp(UDP)
        /// An ICMP (IPv4) message.
        case icmp(ICMP)
        /// An ICMPv6 message.
        case icmpv6(ICMP)
    }

    /// A TCP header and payload; data offset and checksum are computed.
    public struct TCP: Sendable, Hashable {
        /// Source port.
        public var sourcePort: UInt16 = 40000
        /// Destination port.
        public var destinationPort: UInt16 = 80
        /// Sequence number.
        public var sequence: UInt32 = 1
        /// Acknowledgment number.
        public var acknowledgment: UInt32 = 0
        /// Flags byte (CWR ECE URG ACK PSH RST SYN FIN); SYN by default.
        public var flags: UInt8 = 0x02
        /// Receive window.
        public var window: UInt16 = 65535
        /// Raw option bytes, padded to a multiple of 4, at most 40.
        public var options: [UInt8] = []
        /// Bytes after the header.
        public var payload: [UInt8] = []
        /// A SYN from port 40000 to 80.
        public init() {}
    }

    /// A UDP header and payload; length and checksum are computed.
    public struct UDP: Sendable, Hashable {
        /// Source port.
        public var sourcePort: UInt16 = 40000
        /// Destination port.
        public var destinationPort: UInt16 = 9
        /// Bytes after the header.
        public var payload: [UInt8] = []
        /// Send without a checksum (0), as IPv4 allows.
        public var zeroChecksum: Bool = false
        /// An empty datagram from port 40000 to 9 (discard).
        public init() {}
    }

    /// An ICMP or ICMPv6 message; the checksum is computed.
    public struct ICMP: Sendable, Hashable {
        /// Message type (8 echo request for ICMP, 128 for ICMPv6).
        public var type: UInt8 = 8
        /// Message code.
        public var code: UInt8 = 0
        /// The 4 bytes after the checksum (identifier and sequence for echo).
        public var rest: UInt32 = 0x0001_0001
        /// Bytes after the first 8.
        public var payload: [UInt8] = []
        /// An ICMP echo request, identifier 1, sequence 1.
        public init() {}
    }

    /// Destination MAC, low 48 bits.
    public var destinationMAC: UInt64 = 0x02_00_00_00_00_02
    /// Source MAC, low 48 bits.
    public var sourceMAC: UInt64 = 0x02_00_00_00_00_01
    /// Outermost first.
    public var vlanTags: [VLANTag] = []
    /// What follows the tags.
    public var network: Network = .ipv4(IPv4())
    /// Zero-pad frames shorter than 60 bytes (the Ethernet minimum without FCS) to 60.
    public var padToMinimum: Bool = true

    /// An untagged IPv4/UDP frame between two locally administered MACs.
    public init() {}

    /// The frame's bytes (no FCS).
    public func build() -> [UInt8] {
        var writer = ByteWriter()
        writer.mac(destinationMAC)
        writer.mac(sourceMAC)
        for tag in vlanTags {
            writer.u16(tag.tpid)
            writer.u16(UInt16(tag.pcp & 0x07) << 13 | (tag.dei ? 0x1000 : 0) | tag.id & 0x0fff)
        }
        switch network {
        case .raw(let etherType, let payload):
            writer.u16(etherType)
            writer.bytes(payload)
        case .arp(let arp):
            writer.u16(EtherType.arp)
            arp.encode(into: &writer)
        case .ipv4(let ipv4):
            writer.u16(EtherType.ipv4)
            ipv4.encode(into: &writer)
        case .ipv6(let ipv6):
            writer.u16(EtherType.ipv6)
            ipv6.encode(into: &writer)
        }
        if padToMinimum && writer.count < 60 { writer.zeros(60 - writer.count) }
        return writer.output
    }
}
