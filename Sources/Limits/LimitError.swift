/// Why a limit, a quota or a meter cannot be built as written; each reads as one line for a
/// `file:line:col: error:` diagnostic. Where the kernel refuses the same thing, it says so: a
/// value the kernel refuses could not be mirrored into nftables either.
public enum LimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A rate of 0 (the kernel refuses it: EINVAL).
    case zeroRate
    /// `burst 0 packets` (nft: "packet limit burst must be > 0").
    case zeroPacketBurst
    /// A burst beyond the kernel's 32-bit burst field, in packets or bytes.
    case burstTooLarge(UInt64)
    /// A packet rate with a byte burst, or a byte rate with a packet burst (nft refuses both).
    case burstMeasureMismatch
    /// `count` times the unit does not fit in 64 bits.
    case amountOverflow(count: UInt64, unit: ByteUnit)
    /// The kernel's 64-bit bucket arithmetic overflows for this rate and burst (EOVERFLOW): the
    /// packet bucket is unit_ns / rate * burst, the byte bucket unit_ns * (rate + burst) / rate.
    case exceedsKernelArithmetic
    /// The bucket would hold more than 2^63 - 1 ns of tokens (about 292 years): the kernel
    /// compares tokens as a signed number, so such a bucket refuses packets it should pass.
    case bucketTooLarge
    /// A quota above 2^63 - 1 bytes (the kernel refuses it: EOVERFLOW).
    case quotaTooLarge(UInt64)
    /// `used` above the quota (the kernel refuses it: EINVAL).
    case usedBeyondQuota(used: UInt64, quota: UInt64)
    /// A meter size outside 1 ... ``MeterTable/maximumCapacity``.
    case meterSizeOutOfRange(Int)
    /// A dynamic set's size outside 1 ... ``DynamicSetTable/maximumCapacity``.
    case setSizeOutOfRange(Int)
    /// A meter key with no fields.
    case emptyMeterKey
    /// A meter key with more than two address fields (IPv4, IPv6 or MAC).
    case tooManyMeterKeyAddresses
    /// A meter key with more than four short fields (ports, protocol, VLAN id).
    case tooManyMeterKeyShortFields
    /// A meter key with both TCP and UDP ports: no frame has both.
    case conflictingMeterKeyProtocols

    /// One line saying what is wrong, for the diagnostic.
    public var description: String {
        switch self {
        case .zeroRate:
            "a rate must be at least 1 per unit (the kernel refuses 0)"
        case .zeroPacketBurst:
            "a packet burst must be at least 1 packet"
        case .burstTooLarge(let amount):
            "burst \(amount) is too large: the kernel's burst is 32 bits (at most 4294967295)"
        case .burstMeasureMismatch:
            "a packet rate takes a burst in packets, a byte rate a burst in bytes"
        case .amountOverflow(let count, let unit):
            "\(count) \(unit.name) does not fit in 64 bits of bytes"
        case .exceedsKernelArithmetic:
            "this rate and burst overflow the kernel's 64-bit token arithmetic (it refuses them with EOVERFLOW)"
        case .bucketTooLarge:
            "this burst makes a bucket of more than 2^63 ns, which the kernel's signed compare gets wrong;"
                + " use a smaller burst or a shorter unit"
        case .quotaTooLarge(let bytes):
            "quota \(bytes) bytes is too large: the kernel takes at most 9223372036854775807"
        case .usedBeyondQuota(let used, let quota):
            "used \(used) bytes is more than the quota of \(quota) bytes"
        case .meterSizeOutOfRange(let size):
            "meter size \(size) is out of range: 1 to \(MeterTable.maximumCapacity)"
        case .setSizeOutOfRange(let size):
            "a dynamic set's size \(size) is out of range: 1 to \(DynamicSetTable.maximumCapacity)"
        case .emptyMeterKey:
            "a meter key needs at least one field"
        case .tooManyMeterKeyAddresses:
            "a meter key holds at most two addresses (ip, ip6 or ether)"
        case .tooManyMeterKeyShortFields:
            "a meter key holds at most four ports, protocols or VLAN ids"
        case .conflictingMeterKeyProtocols:
            "a meter key cannot have both tcp and udp ports: no frame has both"
        }
    }
}
