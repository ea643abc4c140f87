/// Builds well-formed frames for tests, `test` blocks in policies, and traffic generators.
///
/// Every length and checksum is computed from scratch (not by the incremental code the rewrites
/// use), so a builder frame is a reference to check rewrites against. Fields not set keep sane
/// defaults: locally administered MACs, TTL 64, TCP SYN, no payload. Frames shorter than 60 bytes
/// are zero-padded to 60 unless `padToMinimum` is false.
public struct FrameBuilder: Sendable {
    public struct VLANTag: Sendable, Hashable {
        public var tpid: UInt16
        public var pcp: UInt8
        public var dei: Bool
        public var id: UInt16
        public init(id: UInt16, pcp: UInt8 = 0, dei: Bool = false, tpid: UInt16 = EtherType.vlan) {
            self.tpid = tpid
            self.pcp = pcp
            self.dei = dei
            self.id = id
        }
    }

    public enum Network: Sendable, Hashable {
        /// No L3 header: the EtherType and payload given.
        case raw(etherType: UInt16, payload: [UInt8])
        case arp(ARP)
        case ipv4(IPv4)
        case ipv6(IPv6)
    }

    public struct ARP: Sendable, Hashable {
        public var operation: UInt16 = 1
        public var senderMAC: UInt64 = 0x02_00_00_00_00_01
        public var senderIP: UInt32 = 0xC612_0001
        public var targetMAC: UInt64 = 0
        public var targetIP: UInt32 = 0xC612_0002
        public init() {}
    }

    public struct IPv4: Sendable, Hashable {
        public var source: UInt32 = 0xC612_0001  // 198.18.0.1
        public var destination: UInt32 = 0xC613_0001  // 198.19.0.1
        public var ttl: UInt8 = 64
        public var dscp: UInt8 = 0
        public var ecn: UInt8 = 0
        public var identification: UInt16 = 0
        public var dontFragment: Bool = false
        public var moreFragments: Bool = false
        /// In 8-byte units.
        public var fragmentOffset: UInt16 = 0
        /// Raw option bytes, padded with zeros to a multiple of 4 by the builder.
        public var options: [UInt8] = []
        /// Overrides the protocol number the transport implies.
        public var protocolOverride: UInt8? = nil
        public var transport: Transport = .udp(UDP())
        public init() {}
    }

    public struct IPv6: Sendable, Hashable {
        public var source: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0001
        public var destination: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0002
        public var hopLimit: UInt8 = 64
        public var dscp: UInt8 = 0
        public var ecn: UInt8 = 0
        public var flowLabel: UInt32 = 0
        /// Written in order between the fixed header and the transport.
        public var extensionHeaders: [ExtensionHeader] = []
        public var transport: Transport = .udp(UDP())
        public init() {}
    }

    public enum ExtensionHeader: Sendable, Hashable {
        /// Hop-by-hop options, padded; `length` is the option bytes (rounded up to 8n+6).
        case hopByHop(length: Int)
        case routing(length: Int)
        case destinationOptions(length: Int)
        case fragment(offset: UInt16, moreFragments: Bool, identification: UInt32)
    }

    public enum Transport: Sendable, Hashable {
        /// A protocol with no header the builder knows: the protocol number and payload bytes.
        case other(protocolNumber: UInt8, payload: [UInt8])
        case tcp(TCP)
        case udp(UDP)
        case icmp(ICMP)
        case icmpv6(ICMP)
    }

    public struct TCP: Sendable, Hashable {
        public var sourcePort: UInt16 = 40000
        public var destinationPort: UInt16 = 80
        public var sequence: UInt32 = 1
        public var acknowledgment: UInt32 = 0
        public var flags: UInt8 = 0x02
        public var window: UInt16 = 65535
        /// Raw option bytes, padded to a multiple of 4.
        public var options: [UInt8] = []
        public var payload: [UInt8] = []
        public init() {}
    }

    public struct UDP: Sendable, Hashable {
        public var sourcePort: UInt16 = 40000
        public var destinationPort: UInt16 = 9
        public var payload: [UInt8] = []
        /// Send without a checksum (0), as IPv4 allows.
        public var zeroChecksum: Bool = false
        public init() {}
    }

    public struct ICMP: Sendable, Hashable {
        public var type: UInt8 = 8
        public var code: UInt8 = 0
        /// The 4 bytes after the checksum (identifier and sequence for echo).
        public var rest: UInt32 = 0x0001_0001
        public var payload: [UInt8] = []
        public init() {}
    }

    public var destinationMAC: UInt64 = 0x02_00_00_00_00_02
    public var sourceMAC: UInt64 = 0x02_00_00_00_00_01
    /// Outermost first.
    public var vlanTags: [VLANTag] = []
    public var network: Network = .ipv4(IPv4())
    public var padToMinimum: Bool = true

    public init() {}

    /// The frame's bytes (no FCS).
    public func build() -> [UInt8] {
        fatalError("unimplemented: Frame helper")
    }
}
