/// The time units of a rate, as nft names them (`limit rate 10/second`).
public enum TimeUnit: Sendable, Hashable, CaseIterable {
    /// `second`.
    case second
    /// `minute`: 60 s.
    case minute
    /// `hour`: 3,600 s.
    case hour
    /// `day`: 86,400 s.
    case day
    /// `week`: 604,800 s (nft accepts it too).
    case week

    /// Seconds in one unit, as nft sends them to the kernel (`NFTA_LIMIT_UNIT`).
    @inlinable
    public var seconds: UInt64 {
        switch self {
        case .second: 1
        case .minute: 60
        case .hour: 3600
        case .day: 86_400
        case .week: 604_800
        }
    }

    /// Nanoseconds in one unit: the kernel's `nsecs`, the number of tokens that accrue per unit.
    @inlinable
    public var nanoseconds: UInt64 { seconds &* 1_000_000_000 }

    /// nft's spelling.
    public var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .day: "day"
        case .week: "week"
        }
    }

    /// The unit nft spells `name`, or nil.
    public init?(name: Substring) {
        guard let unit = TimeUnit.allCases.first(where: { $0.name == name }) else { return nil }
        self = unit
    }
}

/// Byte units for byte rates, bursts and quotas. nft's own (`bytes_unit` in its grammar) are
/// binary: `kbytes` is 1,024 bytes and `mbytes` 1,048,576; nft has no `gbytes` (its tests expect
/// `limit rate 1 gbytes/second` to fail). `gbytes` (1,073,741,824) is Bridgekeeper's extension
/// for quotas (a budget of gigabytes is common); the kernel takes plain byte counts, so the mirror can
/// still hold it, and `nft list ruleset` shows it in mbytes.
public enum ByteUnit: Sendable, Hashable, CaseIterable {
    /// `bytes`.
    case bytes
    /// `kbytes`: 1,024 bytes.
    case kbytes
    /// `mbytes`: 1,024 * 1,024 bytes.
    case mbytes
    /// `gbytes`: 1,024^3 bytes, not nft's.
    case gbytes

    /// Bytes in one unit.
    @inlinable
    public var multiplier: UInt64 {
        switch self {
        case .bytes: 1
        case .kbytes: 1024
        case .mbytes: 1024 * 1024
        case .gbytes: 1024 * 1024 * 1024
        }
    }

    /// The spelling (nft's, and `gbytes`).
    public var name: String {
        switch self {
        case .bytes: "bytes"
        case .kbytes: "kbytes"
        case .mbytes: "mbytes"
        case .gbytes: "gbytes"
        }
    }

    /// False for `gbytes`, which nft does not accept.
    public var isNFTUnit: Bool { self != .gbytes }

    /// The unit spelled `name`, or nil.
    public init?(name: Substring) {
        guard let unit = ByteUnit.allCases.first(where: { $0.name == name }) else { return nil }
        self = unit
    }

    /// `count` units in bytes, or nil when that does not fit in 64 bits.
    @inlinable
    public func bytes(_ count: UInt64) -> UInt64? {
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
