/// What a `reject` answers a frame with.
///
/// The codes are ICMP (RFC 792) and ICMPv6 (RFC 4443) destination-unreachable codes; the names
/// the policy language accepts for them, in nft's spelling, are in ``RejectCodeNames``.
public enum RejectKind: Sendable, Hashable {
    /// A plain `reject`: a TCP reset for TCP, otherwise ICMP port-unreachable (IPv4) or ICMPv6
    /// port-unreachable (IPv6). This is Bridgekeeper's meaning, not quite nft's: nft's plain
    /// `reject` in the inet and bridge families sends port-unreachable to TCP as well, which a
    /// client's stack reports as a soft error and retries; a reset fails its `connect()` at once.
    case automatic
    /// `reject with tcp reset`: TCP segments only. nft resets only TCP, so any other frame is
    /// refused (``AnswerRefusal/resetNeedsTCP``), never answered with ICMP instead.
    case tcpReset
    /// `reject with icmp type NAME` (or a number): an ICMP destination-unreachable with this code.
    /// IPv4 frames only; nft gives such a rule an IPv4 dependency, so the rule should not match
    /// IPv6 frames at all (one that reaches the builder is refused, ``AnswerRefusal/familyMismatch``).
    case icmp(code: UInt8)
    /// `reject with icmpv6 type NAME` (or a number): an ICMPv6 destination-unreachable with this
    /// code. IPv6 frames only, like ``icmp(code:)`` for IPv4.
    case icmpv6(code: UInt8)
    /// `reject with icmpx type NAME`: the family-independent code, sent as the frame's own
    /// family's destination-unreachable code.
    case icmpx(ICMPxCode)
}

/// nft's family-independent reject codes (`icmpx`); the raw values are the kernel's
/// `NFT_REJECT_ICMPX_*` numbers, as the nftables mirror writes them.
public enum ICMPxCode: UInt8, Sendable, Hashable, CaseIterable {
    /// `no-route`: ICMP net-unreachable (0), ICMPv6 no-route (0).
    case noRoute = 0
    /// `port-unreachable`: ICMP port-unreachable (3), ICMPv6 port-unreachable (4).
    case portUnreachable = 1
    /// `host-unreachable`: ICMP host-unreachable (1), ICMPv6 address-unreachable (3).
    case hostUnreachable = 2
    /// `admin-prohibited`: ICMP communication administratively prohibited (13), ICMPv6
    /// administratively prohibited (1).
    case adminProhibited = 3

    /// The ICMP destination-unreachable code the kernel sends for this code over IPv4.
    @inlinable
    public var icmpCode: UInt8 {
        switch self {
        case .noRoute: 0
        case .portUnreachable: 3
        case .hostUnreachable: 1
        case .adminProhibited: 13
        }
    }

    /// The ICMPv6 destination-unreachable code the kernel sends for this code over IPv6.
    @inlinable
    public var icmpv6Code: UInt8 {
        switch self {
        case .noRoute: 0
        case .portUnreachable: 4
        case .hostUnreachable: 3
        case .adminProhibited: 1
        }
    }
}
