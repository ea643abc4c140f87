/// `quota [over|until] N bytes|kbytes|mbytes|gbytes`: an amount as written.
public struct QuotaAmount: Sendable, Hashable {
    /// The number as written.
    public let count: UInt64
    /// The unit as written.
    public let unit: ByteUnit
    /// The quota in bytes.
    public let bytes: UInt64

    /// `count unit`; at most 2^63 - 1 bytes, as the kernel takes (EOVERFLOW above).
    public init(_ count: UInt64, _ unit: ByteUnit) throws(LimitError) {
        guard let bytes = unit.bytes(count) else { throw .amountOverflow(count: count, unit: unit) }
        guard bytes <= UInt64(Int64.max) else { throw .quotaTooLarge(bytes) }
        self.count = count
        self.unit = unit
        self.bytes = bytes
    }
}

/// Which side of the quota matches.
public enum QuotaMode: Sendable, Hashable {
    /// `quota until N` (also plain `quota N`): matches while the bytes counted, this frame
    /// included, are at most N.
    case until
    /// `quota over N`: matches once the bytes counted, this frame included, exceed N.
    case over
}

/// A rule's quota with the kernel's `nft_quota` semantics (`net/netfilter/nft_quota.c`,
/// `nft_overquota`): every frame that reaches the quota adds its length to ``consumed`` first,
/// whether or not it then matches, and the quota is exhausted when consumed > N (strictly). So
/// under `quota until 1000 bytes` the frame that brings the count to exactly 1,000 still matches
/// and the next does not; under `quota over 1000 bytes` it is the other way round. The count
/// saturates at 2^64 - 1 instead of wrapping.
///
/// ``consumed`` is plain data: carry it across a reload for a rule whose name did not change, as
/// the counters are, and ``reset()`` it for `bridgekeeper reset-quota`. The kernel's `used` must
/// not exceed the quota, so mirror ``reportedConsumed``, which is what `nft list` shows too.
/// The byte count the kernel charges is `skb->len`; see ``KernelLength``.
public struct Quota: Sendable, Hashable {
    /// The quota in bytes.
    public let bytes: UInt64
    /// `until` or `over`.
    public let mode: QuotaMode
    /// Bytes counted so far.
    public var consumed: UInt64

    /// A quota of `amount` with `used` bytes already counted (`quota ... used N`); `used` above
    /// the quota throws, as the kernel refuses it.
    public init(_ amount: QuotaAmount, mode: QuotaMode = .until, used: UInt64 = 0) throws(LimitError) {
        guard used <= amount.bytes else { throw .usedBeyondQuota(used: used, quota: amount.bytes) }
        self.bytes = amount.bytes
        self.mode = mode
        self.consumed = used
    }

    /// Counts a frame of `length` bytes and says whether the quota matches it.
    @inlinable @inline(__always)
    public mutating func matches(length: Int) -> Bool {
        let (sum, overflow) = consumed.addingReportingOverflow(UInt64(truncatingIfNeeded: max(0, length)))
        consumed = overflow ? .max : sum
        let exhausted = consumed > bytes
        return mode == .over ? exhausted : !exhausted
    }

    /// Starts counting again from 0 (`nft reset quotas`).
    public mutating func reset() {
        consumed = 0
    }

    /// True once the count has reached the quota: the kernel's "depleted" flag (its notification
    /// fires when consumed >= N, one byte before `until` stops matching).
    public var isDepleted: Bool { consumed >= bytes }

    /// The count capped at the quota: what the kernel reports and accepts as `used`.
    public var reportedConsumed: UInt64 { min(consumed, bytes) }
}
