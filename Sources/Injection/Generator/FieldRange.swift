import Frame

/// An inclusive range of addresses or ports a generated field cycles through, written `A` or
/// `A-B` on the command line (`198.18.0.1-198.18.0.254`, `2001:db8::1-2001:db8::ff`,
/// `1000-2000`).
public struct FieldRange: Sendable, Equatable {
    /// The first value.
    public let lower: UInt128
    /// The last value (>= ``lower``).
    public let upper: UInt128

    /// The most values one range may hold (so an index fits in 32 bits).
    public static let maximumCount: UInt64 = 1 << 32

    /// The range holding only `value`.
    public init(_ value: UInt128) {
        lower = value
        upper = value
    }

    /// `lower...upper`; `upper` must not be below `lower`.
    public init(_ lower: UInt128, _ upper: UInt128) {
        self.lower = lower
        self.upper = max(lower, upper)
    }

    /// How many values the range holds.
    public var count: UInt64 { UInt64(upper - lower) + 1 }

    /// The `index`-th value (`index < count`).
    @inline(__always)
    public func value(at index: UInt64) -> UInt128 { lower &+ UInt128(index) }

    /// Parses an IPv4 address or range for `option` (`--src`, `--dst`).
    public static func ipv4(_ text: String, option: String) throws(GeneratorOptionError) -> FieldRange {
        try parse(text, option: option, kind: "an IPv4 address") { AddressText.parseIPv4($0).map { UInt128($0) } }
    }

    /// Parses an IPv6 address or range for `option`.
    public static func ipv6(_ text: String, option: String) throws(GeneratorOptionError) -> FieldRange {
        try parse(text, option: option, kind: "an IPv6 address") { AddressText.parseIPv6($0) }
    }

    /// Parses a port or port range (0-65535) for `option` (`--sport`, `--dport`).
    public static func port(_ text: String, option: String) throws(GeneratorOptionError) -> FieldRange {
        try parse(text, option: option, kind: "a port (0-65535)") { part in
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), part.utf8.count <= 5,
                let value = UInt32(part), value <= 65535
            else { return nil }
            return UInt128(value)
        }
    }

    private static func parse(
        _ text: String, option: String, kind: String, value: (Substring) -> UInt128?
    ) throws(GeneratorOptionError) -> FieldRange {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        var bounds: [UInt128] = []
        for part in parts {
            guard let parsed = value(part) else { throw .notAValue(option: option, text: text, expected: kind) }
            bounds.append(parsed)
        }
        let lower = bounds[0]
        let upper = bounds[bounds.count - 1]
        guard lower <= upper else { throw .backwardsRange(option: option, text: text) }
        guard upper - lower < UInt128(maximumCount) else { throw .rangeTooLarge(option: option, text: text) }
        return FieldRange(lower, upper)
    }
}
