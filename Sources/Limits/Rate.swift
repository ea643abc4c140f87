/// A rate as a policy writes it: `10/second` (packets) or `10 mbytes/second` (bytes).
public struct Rate: Sendable, Hashable {
    /// Packets or bytes.
    public enum Measure: Sendable, Hashable {
        /// `N/unit`.
        case packets
        /// `N bytes|kbytes|mbytes/unit`.
        case bytes
    }

    /// The number as written.
    public let count: UInt64
    /// The byte unit as written, nil for a packet rate.
    public let byteUnit: ByteUnit?
    /// The time unit.
    public let unit: TimeUnit
    /// Packets, or bytes, per `unit`: what nft sends the kernel as the rate.
    public let amount: UInt64

    /// Packets or bytes.
    public var measure: Measure { byteUnit == nil ? .packets : .bytes }

    /// `count/unit`, in packets.
    public init(packets count: UInt64, per unit: TimeUnit) throws(LimitError) {
        guard count > 0 else { throw .zeroRate }
        self.count = count
        self.byteUnit = nil
        self.unit = unit
        self.amount = count
    }

    /// `count byteUnit/unit`, in bytes.
    public init(_ count: UInt64, _ byteUnit: ByteUnit, per unit: TimeUnit) throws(LimitError) {
        guard count > 0 else { throw .zeroRate }
        guard let amount = byteUnit.bytes(count) else { throw .amountOverflow(count: count, unit: byteUnit) }
        self.count = count
        self.byteUnit = byteUnit
        self.unit = unit
        self.amount = amount
    }
}

/// A burst as a policy writes it: `burst 5 packets` or `burst 9000 kbytes`.
public struct Burst: Sendable, Hashable {
    /// nft's burst when none is written for a packet rate (and the kernel's for 0): 5 packets.
    public static let defaultPackets: UInt32 = 5
    /// nft's burst when none is written for a byte rate: 0 bytes (the bucket holds one unit's
    /// worth of the rate).
    public static let defaultBytes: UInt32 = 0

    /// The number as written.
    public let count: UInt64
    /// The byte unit as written, nil for packets.
    public let byteUnit: ByteUnit?
    /// Packets or bytes: what nft sends the kernel (32 bits there).
    public let amount: UInt32

    /// Packets or bytes.
    public var measure: Rate.Measure { byteUnit == nil ? .packets : .bytes }

    /// `burst count packets`; at least 1, as nft requires.
    public init(packets count: UInt64) throws(LimitError) {
        guard count > 0 else { throw .zeroPacketBurst }
        guard let amount = UInt32(exactly: count) else { throw .burstTooLarge(count) }
        self.count = count
        self.byteUnit = nil
        self.amount = amount
    }

    /// `burst count byteUnit`; 0 is allowed (it is the default).
    public init(_ count: UInt64, _ byteUnit: ByteUnit) throws(LimitError) {
        guard let bytes = byteUnit.bytes(count) else { throw .amountOverflow(count: count, unit: byteUnit) }
        guard let amount = UInt32(exactly: bytes) else { throw .burstTooLarge(bytes) }
        self.count = count
        self.byteUnit = byteUnit
        self.amount = amount
    }
}
