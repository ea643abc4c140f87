/// Every header field the language names, for matches (`match ip saddr ...`), rewrites
/// (`ip saddr set ...`), test packets (`packet ip saddr ...`) and test expectations
/// (`expect ... with ip dscp ef`).
///
/// Values of every field are unsigned integers of the field's ``bitWidth``: MACs are 48-bit,
/// IPv4 addresses 32-bit, IPv6 addresses 128-bit, numbered in network byte order. A prefix or a
/// range is an interval of such integers (see ``ValueInterval``).
public enum Field: String, Sendable, Hashable, CaseIterable {
    case iif = "iif"
    case etherSaddr = "ether saddr"
    case etherDaddr = "ether daddr"
    case etherType = "ether type"
    case vlanID = "vlan id"
    case vlanPCP = "vlan pcp"
    case arpOperation = "arp operation"
    /// The ARP sender's protocol (IPv4) address; only Ethernet/IPv4 ARP has the four address
    /// fields (htype 1, ptype 0x0800, hlen 6, plen 4).
    case arpSaddrIP = "arp saddr ip"
    /// The ARP target's protocol (IPv4) address.
    case arpDaddrIP = "arp daddr ip"
    /// The ARP sender's hardware (MAC) address.
    case arpSaddrEther = "arp saddr ether"
    /// The ARP target's hardware (MAC) address.
    case arpDaddrEther = "arp daddr ether"
    case ipSaddr = "ip saddr"
    case ipDaddr = "ip daddr"
    case ipProtocol = "ip protocol"
    case ipDSCP = "ip dscp"
    case ipECN = "ip ecn"
    case ipTTL = "ip ttl"
    case ip6Saddr = "ip6 saddr"
    case ip6Daddr = "ip6 daddr"
    case ip6Nexthdr = "ip6 nexthdr"
    case ip6Hoplimit = "ip6 hoplimit"
    case ip6DSCP = "ip6 dscp"
    case tcpSport = "tcp sport"
    case tcpDport = "tcp dport"
    case tcpFlags = "tcp flags"
    case udpSport = "udp sport"
    case udpDport = "udp dport"
    /// nft's transport-header shorthand: the source port of a TCP or UDP frame.
    case thSport = "th sport"
    /// The destination port of a TCP or UDP frame.
    case thDport = "th dport"
    case icmpType = "icmp type"
    case icmpv6Type = "icmpv6 type"
    case metaL4proto = "meta l4proto"
    case metaLength = "meta length"
    /// The frame's state in the flow table: new, established, related, invalid or untracked.
    case ctState = "ct state"
    /// Which way the frame goes in its flow: original (from the side that opened it) or reply.
    case ctDirection = "ct direction"
    /// The value of the TCP maximum segment size option (kind 2, length 4), nft's `tcp option
    /// maxseg size`: present only in a TCP segment whose option list holds it soundly.
    case tcpMSS = "tcp option maxseg size"

    /// The kind of values the field takes, which decides how literals are parsed.
    public var valueKind: ValueKind {
        switch self {
        case .iif: return .port
        case .etherSaddr, .etherDaddr, .arpSaddrEther, .arpDaddrEther: return .mac
        case .ipSaddr, .ipDaddr, .arpSaddrIP, .arpDaddrIP: return .ipv4
        case .ip6Saddr, .ip6Daddr: return .ipv6
        default: return .integer
        }
    }

    /// Width of the field in bits; integer literals above `2^bitWidth - 1` are errors.
    public var bitWidth: Int {
        switch self {
        case .iif: return 1
        case .etherSaddr, .etherDaddr, .arpSaddrEther, .arpDaddrEther: return 48
        case .etherType: return 16
        case .vlanID: return 12
        case .vlanPCP: return 3
        case .arpOperation: return 16
        case .ipSaddr, .ipDaddr, .arpSaddrIP, .arpDaddrIP: return 32
        case .ipProtocol, .ip6Nexthdr, .metaL4proto: return 8
        case .ipDSCP, .ip6DSCP: return 6
        case .ipECN: return 2
        case .ipTTL, .ip6Hoplimit: return 8
        case .ip6Saddr, .ip6Daddr: return 128
        case .tcpSport, .tcpDport, .udpSport, .udpDport, .thSport, .thDport, .tcpMSS: return 16
        case .tcpFlags: return 8
        case .icmpType, .icmpv6Type: return 8
        case .metaLength: return 16
        case .ctState: return 8
        case .ctDirection: return 1
        }
    }

    /// Largest value the field can hold.
    public var maxValue: UInt128 { bitWidth == 128 ? UInt128.max : (UInt128(1) << bitWidth) - 1 }

    /// Fields that `FIELD set VALUE` can write (`tcp option maxseg size` only lowers: see
    /// ``Frame/FieldRewrite/tcpMaxSegmentSize(_:)``).
    public var isRewritable: Bool {
        switch self {
        case .etherSaddr, .etherDaddr, .vlanID, .vlanPCP, .ipSaddr, .ipDaddr, .ipTTL, .ipDSCP, .ipECN,
            .ip6Saddr, .ip6Daddr, .ip6Hoplimit, .ip6DSCP, .tcpSport, .tcpDport, .udpSport, .udpDport, .tcpMSS:
            return true
        default:
            return false
        }
    }

    /// TCP, UDP and `th` ports: their values can be written as service names (`ssh`, `https`).
    public var isTransportPort: Bool {
        switch self {
        case .tcpSport, .tcpDport, .udpSport, .udpDport, .thSport, .thDport: return true
        default: return false
        }
    }

    /// `tcp flags` is a bit mask: a value matches when all its bits are set in the frame.
    public var isBitmask: Bool { self == .tcpFlags }

    /// `ct ...` fields come from the flow table, not from the frame's bytes.
    public var isConnectionTracking: Bool { self == .ctState || self == .ctDirection }
}

/// How a field's literals are written.
public enum ValueKind: Sendable, Hashable {
    /// `a` or `b` (0 and 1).
    case port
    case mac
    case ipv4
    case ipv6
    /// Decimal or `0x` hex numbers, and the field's named values (`tcp`, `ef`, `echo-request`...).
    case integer
}

/// The two ports of the bridge.
public enum PortName: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case a = 0
    case b = 1
    public var description: String { self == .a ? "a" : "b" }
    /// The other port.
    public var peer: PortName { self == .a ? .b : .a }
}
