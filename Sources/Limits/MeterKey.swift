/// A meter's key: room for two IPv6 addresses and four 16-bit fields, so `per ip6 saddr .
/// ip6 daddr . tcp sport . tcp dport` fits, in a fixed 40 bytes (five words, 8-byte aligned,
/// so a table slot holds the key and its bucket in one 64-byte cache line).
///
/// The fields go where ``MeterKeySpec`` puts them: addresses (IPv4, IPv6, MAC) into ``first``
/// and ``second`` in the order written, short fields (ports, protocol, VLAN id) into ``short``,
/// 16 bits each, the first written lowest. Keys of one meter all have the same layout, so two
/// keys are the same flow exactly when their words are equal.
public struct MeterKey: Sendable, Hashable {
    @usableFromInline var word0: UInt64
    @usableFromInline var word1: UInt64
    @usableFromInline var word2: UInt64
    @usableFromInline var word3: UInt64
    @usableFromInline var word4: UInt64

    /// An all-zero key.
    @inlinable
    public init() {
        word0 = 0
        word1 = 0
        word2 = 0
        word3 = 0
        word4 = 0
    }

    /// A key from its parts.
    @inlinable
    public init(first: UInt128, second: UInt128 = 0, short: UInt64 = 0) {
        word0 = UInt64(truncatingIfNeeded: first >> 64)
        word1 = UInt64(truncatingIfNeeded: first)
        word2 = UInt64(truncatingIfNeeded: second >> 64)
        word3 = UInt64(truncatingIfNeeded: second)
        word4 = short
    }

    /// The first address field.
    @inlinable
    public var first: UInt128 {
        get { UInt128(word0) << 64 | UInt128(word1) }
        set {
            word0 = UInt64(truncatingIfNeeded: newValue >> 64)
            word1 = UInt64(truncatingIfNeeded: newValue)
        }
    }

    /// The second address field.
    @inlinable
    public var second: UInt128 {
        get { UInt128(word2) << 64 | UInt128(word3) }
        set {
            word2 = UInt64(truncatingIfNeeded: newValue >> 64)
            word3 = UInt64(truncatingIfNeeded: newValue)
        }
    }

    /// Up to four 16-bit fields.
    @inlinable
    public var short: UInt64 {
        get { word4 }
        set { word4 = newValue }
    }
}
