/// One name nft accepts for a reject code, and the code it stands for.
public struct RejectCodeName: Sendable, Hashable {
    /// The name as nft spells it (`port-unreachable`).
    public let name: String
    /// The ICMP or ICMPv6 code, or for `icmpx` the ``ICMPxCode`` raw value.
    public let code: UInt8

    /// A name for `code`.
    public init(_ name: String, _ code: UInt8) {
        self.name = name
        self.code = code
    }
}

/// The names nft gives reject codes (nftables `src/datatype.c`, the reject statement's private
/// `icmp_code`, `icmpv6_code` and `icmpx_code` symbol tables), in nft's order, for the policy
/// parser and for printing. nft also accepts a plain number for `icmp` and `icmpv6`.
public enum RejectCodeNames {
    /// `reject with icmp type NAME`: ICMP destination-unreachable codes (RFC 792, RFC 1812).
    /// `frag-needed` is in nft's table; its answer carries a next-hop MTU of 0, as the kernel's.
    public static let icmp: [RejectCodeName] = [
        RejectCodeName("net-unreachable", 0),
        RejectCodeName("host-unreachable", 1),
        RejectCodeName("prot-unreachable", 2),
        RejectCodeName("port-unreachable", 3),
        RejectCodeName("net-prohibited", 9),
        RejectCodeName("host-prohibited", 10),
        RejectCodeName("admin-prohibited", 13),
        RejectCodeName("frag-needed", 4),
    ]

    /// `reject with icmpv6 type NAME`: ICMPv6 destination-unreachable codes (RFC 4443).
    public static let icmpv6: [RejectCodeName] = [
        RejectCodeName("no-route", 0),
        RejectCodeName("admin-prohibited", 1),
        RejectCodeName("addr-unreachable", 3),
        RejectCodeName("port-unreachable", 4),
        RejectCodeName("policy-fail", 5),
        RejectCodeName("reject-route", 6),
    ]

    /// `reject with icmpx type NAME`: the codes are ``ICMPxCode`` raw values.
    public static let icmpx: [RejectCodeName] = [
        RejectCodeName("port-unreachable", ICMPxCode.portUnreachable.rawValue),
        RejectCodeName("admin-prohibited", ICMPxCode.adminProhibited.rawValue),
        RejectCodeName("no-route", ICMPxCode.noRoute.rawValue),
        RejectCodeName("host-unreachable", ICMPxCode.hostUnreachable.rawValue),
    ]

    /// The code `name` stands for in `table`, or nil when the table has no such name.
    public static func code(named name: Substring, in table: [RejectCodeName]) -> UInt8? {
        table.first { $0.name == name }?.code
    }

    /// The name `table` gives `code`, or nil when it has none (nft then prints the number).
    public static func name(of code: UInt8, in table: [RejectCodeName]) -> String? {
        table.first { $0.code == code }?.name
    }
}
