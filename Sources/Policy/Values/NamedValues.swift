/// The names a field's values can be written with, as nft spells them.
enum NamedValues {
    static let l4Protocols: [(String, UInt128)] = [
        ("icmp", 1), ("igmp", 2), ("tcp", 6), ("udp", 17), ("gre", 47), ("esp", 50), ("ah", 51),
        ("icmpv6", 58), ("ipv6-icmp", 58), ("sctp", 132), ("udplite", 136),
    ]

    static let etherTypes: [(String, UInt128)] = [
        ("ip", 0x0800), ("arp", 0x0806), ("vlan", 0x8100), ("8021q", 0x8100), ("ip6", 0x86dd), ("8021ad", 0x88a8),
        ("lldp", 0x88cc),
    ]

    static let dscp: [(String, UInt128)] = {
        var names: [(String, UInt128)] = (0...7).map { ("cs\($0)", UInt128($0 * 8)) }
        for klass in 1...4 {
            for drop in 1...3 { names.append(("af\(klass)\(drop)", UInt128(klass * 8 + drop * 2))) }
        }
        names += [("ef", 46), ("be", 0), ("va", 44)]
        return names
    }()

    static let ecn: [(String, UInt128)] = [("not-ect", 0), ("ect1", 1), ("ect0", 2), ("ce", 3)]

    static let icmpTypes: [(String, UInt128)] = [
        ("echo-reply", 0), ("destination-unreachable", 3), ("source-quench", 4), ("redirect", 5),
        ("echo-request", 8), ("router-advertisement", 9), ("router-solicitation", 10), ("time-exceeded", 11),
        ("parameter-problem", 12), ("timestamp-request", 13), ("timestamp-reply", 14), ("info-request", 15),
        ("info-reply", 16), ("address-mask-request", 17), ("address-mask-reply", 18),
    ]

    static let icmpv6Types: [(String, UInt128)] = [
        ("destination-unreachable", 1), ("packet-too-big", 2), ("time-exceeded", 3), ("parameter-problem", 4),
        ("echo-request", 128), ("echo-reply", 129), ("mld-listener-query", 130), ("mld-listener-report", 131),
        ("mld-listener-done", 132), ("nd-router-solicit", 133), ("nd-router-advert", 134),
        ("nd-neighbor-solicit", 135), ("nd-neighbor-advert", 136), ("nd-redirect", 137),
        ("router-renumbering", 138), ("mld2-listener-report", 143),
    ]

    static let arpOperations: [(String, UInt128)] = [
        ("request", 1), ("reply", 2), ("rrequest", 3), ("rreply", 4), ("inrequest", 8), ("inreply", 9), ("nak", 10),
    ]

    static let tcpFlags: [(String, UInt128)] = [
        ("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10), ("urg", 0x20), ("ecn", 0x40),
        ("cwr", 0x80),
    ]

    static let ports: [(String, UInt128)] = [("a", 0), ("b", 1)]

    /// nft's `ct state` bits (one of them is set for every frame).
    static let ctStates: [(String, UInt128)] = [
        ("invalid", 1), ("established", 2), ("related", 4), ("new", 8), ("untracked", 64),
    ]

    static let ctDirections: [(String, UInt128)] = [("original", 0), ("reply", 1)]

    /// The names for `field`, in documentation order (empty when it has none).
    static func names(for field: Field) -> [(String, UInt128)] {
        switch field {
        case .iif: return ports
        case .metaL4proto, .ipProtocol, .ip6Nexthdr: return l4Protocols
        case .etherType: return etherTypes
        case .ipDSCP, .ip6DSCP: return dscp
        case .ipECN: return ecn
        case .icmpType: return icmpTypes
        case .icmpv6Type: return icmpv6Types
        case .arpOperation: return arpOperations
        case .tcpFlags: return tcpFlags
        case .ctState: return ctStates
        case .ctDirection: return ctDirections
        case .tcpSport, .tcpDport, .udpSport, .udpDport, .thSport, .thDport: return ServiceNames.table
        default: return []
        }
    }

    /// The value `name` stands for in `field`.
    static func value(of name: Substring, for field: Field) -> UInt128? {
        names(for: field).first { $0.0 == name }?.1
    }
}
