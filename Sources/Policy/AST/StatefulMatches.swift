/// A rate as nft writes it: `10/second` (packets) or `10 mbytes/second` (bytes).
public struct Rate: Sendable, Hashable {
    /// The time a rate is counted over.
    public enum Unit: String, Sendable, Hashable, CaseIterable {
        case second, minute, hour, day

        /// The unit's length in nanoseconds.
        public var nanoseconds: UInt64 {
            switch self {
            case .second: return 1_000_000_000
            case .minute: return 60_000_000_000
            case .hour: return 3_600_000_000_000
            case .day: return 86_400_000_000_000
            }
        }
    }

    /// Packets or bytes per ``unit``.
    public var amount: UInt64
    public var unit: Unit
    /// The amount counts bytes (`N bytes|kbytes|mbytes/UNIT`), not packets.
    public var countsBytes: Bool

    public init(amount: UInt64, unit: Unit, countsBytes: Bool = false) {
        self.amount = amount
        self.unit = unit
        self.countsBytes = countsBytes
    }
}

/// `limit rate [over] RATE [burst N packets|bytes|kbytes|mbytes] [per KEY [. KEY ...]]`.
///
/// A token bucket with nft's semantics: it starts full and holds `burst` packets (5 when not
/// given) for a packet rate, or the rate's bytes plus `burst` bytes for a byte rate. Without
/// `over` the term holds for frames within the rate; with `over` for frames beyond it. With
/// `per`, each key (a source address, say) has its own bucket: a meter.
public struct LimitMatch: Sendable, Hashable {
    public var rate: Rate
    /// Packets (packet rates) or bytes (byte rates); nil: nft's default (5 packets, 0 bytes).
    public var burst: UInt64?
    /// `over`: the term holds for frames beyond the rate.
    public var over: Bool
    /// The meter key's fields, in order (empty: one bucket for the rule).
    public var per: [Field]
    public var location: SourceLocation

    public init(rate: Rate, burst: UInt64? = nil, over: Bool = false, per: [Field] = [], location: SourceLocation) {
        self.rate = rate
        self.burst = burst
        self.over = over
        self.per = per
        self.location = location
    }

    /// The bucket's burst as nft applies it: 5 packets for packet rates when not given, 0 extra
    /// bytes for byte rates.
    public var effectiveBurst: UInt64 { burst ?? (rate.countsBytes ? 0 : 5) }
}

/// `quota [over|until] N bytes|kbytes|mbytes|gbytes`: the rule's frames' bytes are counted;
/// without `over` (or with `until`) the term holds while the count stays within N, with `over`
/// once it has passed N. The count is kept across reloads while the rule keeps its name.
public struct QuotaMatch: Sendable, Hashable {
    public var bytes: UInt64
    public var over: Bool
    public var location: SourceLocation

    public init(bytes: UInt64, over: Bool, location: SourceLocation) {
        self.bytes = bytes
        self.over = over
        self.location = location
    }
}

/// What a `reject` answers with.
public enum RejectAnswer: Sendable, Hashable {
    /// `reject`: a TCP reset for TCP, ICMP (or ICMPv6) port-unreachable for everything else.
    case automatic
    /// `reject with tcp reset`: TCP segments only (others are dropped without an answer).
    case tcpReset
    /// `reject with icmp type NAME`: IPv4 destination-unreachable with this code.
    case icmp(code: UInt8)
    /// `reject with icmpv6 type NAME`: ICMPv6 destination-unreachable with this code.
    case icmpv6(code: UInt8)
    /// `reject with icmpx type NAME`: the family's own code for the reason (nft's icmpx).
    case icmpx(IcmpxReason)
}

/// nft's `icmpx` reasons, which mean the same thing for IPv4 and IPv6.
public enum IcmpxReason: String, Sendable, Hashable, CaseIterable {
    case portUnreachable = "port-unreachable"
    case adminProhibited = "admin-prohibited"
    case noRoute = "no-route"
    case hostUnreachable = "host-unreachable"

    /// The ICMP destination-unreachable code (RFC 792, RFC 1812).
    public var icmpCode: UInt8 {
        switch self {
        case .portUnreachable: return 3
        case .adminProhibited: return 13
        case .noRoute: return 0
        case .hostUnreachable: return 1
        }
    }

    /// The ICMPv6 destination-unreachable code (RFC 4443).
    public var icmpv6Code: UInt8 {
        switch self {
        case .portUnreachable: return 4
        case .adminProhibited: return 1
        case .noRoute: return 0
        case .hostUnreachable: return 3
        }
    }
}
