/// A compiled `limit rate [over] RATE [burst BURST]`: the token-bucket arithmetic of the kernel's
/// `nft_limit`, which a ``TokenBucket`` (one bucket) or a ``MeterTable`` (one per key) runs.
///
/// As in `net/netfilter/nft_limit.c` (`nft_limit_init`, `nft_limit_eval`), tokens are
/// nanoseconds, and one accrues per nanosecond:
///
/// - A packet costs `unit_ns / rate` (integer division). The packet bucket holds
///   `cost * burst` tokens, burst 5 when none is given: `limit rate 10/second` passes 5 packets
///   back to back, then one every 100 ms.
/// - A frame of `len` bytes costs `unit_ns * len / rate`. The byte bucket holds
///   `unit_ns * (rate + burst) / rate` tokens, burst 0 when none is given: one unit's worth of
///   the rate, plus the burst.
/// - A bucket starts full (a meter's new bucket too, as the kernel's clone does). On each frame
///   the tokens grow by the time since the last frame, capped at the bucket size; if they cover
///   the cost, the cost is taken and the frame is within the limit; otherwise nothing is taken
///   (a frame over the limit consumes no tokens), and it is over.
/// - The match holds for a frame within the limit, or with `over`, for a frame over it.
///
/// Where the arithmetic differs from the kernel's, it is where the kernel's 64-bit arithmetic
/// breaks, and those places are either refused here or cannot occur on a bridge:
///
/// - Configurations the kernel refuses with EOVERFLOW (`rate + burst`, `cost * burst` or
///   `unit_ns * (rate + burst)` beyond 64 bits) throw ``LimitError/exceedsKernelArithmetic``.
/// - A bucket above 2^63 - 1 ns is refused (``LimitError/bucketTooLarge``): the kernel keeps
///   `tokens - cost` in a signed 64-bit number, so such a bucket would refuse packets it should
///   pass. Only absurd bursts reach it (1/week with a burst of 15,250 packets).
/// - The byte cost is computed in 128 bits; the kernel's 64-bit product wraps for a `week`
///   unit and frames over 30,500 bytes, which a bridge with GRO off never sees.
/// - `now` earlier than the last frame's (a capture replayed out of order) counts as no time
///   passing, and the bucket's clock does not move back; the kernel's clock is monotonic.
/// - The kernel locks each bucket; here a bucket belongs to one thread (see ``MeterTable``).
///
/// The byte count the kernel charges is `skb->len`; see ``KernelLength`` for what that is on a
/// bridge.
public struct RateLimit: Sendable, Hashable {
    /// The rate as written.
    public let rate: Rate
    /// The burst in packets or bytes, after nft's defaults (5 packets, 0 bytes).
    public let burst: UInt32
    /// `limit rate over`: the match holds for frames over the limit.
    public let over: Bool
    /// Nanoseconds per unit of the rate (the kernel's `nsecs`).
    public let unitNanoseconds: UInt64
    /// Tokens a packet costs in packet mode (`nsecs / rate`); unused in byte mode.
    public let packetCost: UInt64
    /// The bucket size in tokens (the kernel's `tokens_max`).
    public let capacity: UInt64
    /// Byte mode: the cost depends on the frame's length.
    public let countsBytes: Bool

    /// Compiles `limit rate [over] rate [burst burst]`; throws what the kernel would refuse.
    public init(rate: Rate, burst: Burst? = nil, over: Bool = false) throws(LimitError) {
        if let burst, burst.measure != rate.measure { throw .burstMeasureMismatch }
        let countsBytes = rate.measure == .bytes
        let burstAmount = burst?.amount ?? (countsBytes ? Burst.defaultBytes : Burst.defaultPackets)
        let nanoseconds = rate.unit.nanoseconds
        let (rateWithBurst, sumOverflow) = rate.amount.addingReportingOverflow(UInt64(burstAmount))
        guard !sumOverflow else { throw .exceedsKernelArithmetic }
        let capacity: UInt64
        let packetCost: UInt64
        if countsBytes {
            let (product, overflow) = nanoseconds.multipliedReportingOverflow(by: rateWithBurst)
            guard !overflow else { throw .exceedsKernelArithmetic }
            capacity = product / rate.amount
            packetCost = 0
        } else {
            packetCost = nanoseconds / rate.amount
            let (product, overflow) = packetCost.multipliedReportingOverflow(by: UInt64(burstAmount))
            guard !overflow else { throw .exceedsKernelArithmetic }
            capacity = product
        }
        guard capacity <= UInt64(Int64.max) else { throw .bucketTooLarge }
        self.rate = rate
        self.burst = burstAmount
        self.over = over
        self.unitNanoseconds = nanoseconds
        self.packetCost = packetCost
        self.capacity = capacity
        self.countsBytes = countsBytes
    }

    /// Tokens a frame of `length` bytes costs: ``packetCost`` in packet mode, otherwise
    /// `unit_ns * length / rate` computed without overflow (a cost beyond 64 bits exceeds any
    /// bucket and is returned as `UInt64.max`).
    @inlinable @inline(__always)
    public func cost(length: Int) -> UInt64 {
        guard countsBytes else { return packetCost }
        let product = unitNanoseconds.multipliedFullWidth(by: UInt64(truncatingIfNeeded: max(0, length)))
        guard product.high < rate.amount else { return .max }
        return rate.amount.dividingFullWidth(product).quotient
    }

    /// The tokens a bucket holding `tokens` after a frame at `last` holds at `now`: the time
    /// since, added and capped at ``capacity`` (no time passes when `now` is not after `last`).
    @inlinable @inline(__always)
    public func refilled(tokens: UInt64, last: UInt64, now: UInt64) -> UInt64 {
        let available = min(tokens, capacity)
        guard now > last else { return available }
        let elapsed = now &- last
        return elapsed >= capacity &- available ? capacity : available &+ elapsed
    }

    /// Runs one frame through a bucket held as `tokens` and `last` (the time of the previous
    /// frame, in the caller's nanoseconds): refills, then takes the cost if it is covered.
    /// Returns whether the limit matches: the frame is within the limit, or with ``over``,
    /// over it.
    @inlinable @inline(__always)
    public func evaluate(tokens: inout UInt64, last: inout UInt64, length: Int, now: UInt64) -> Bool {
        let available = refilled(tokens: tokens, last: last, now: now)
        if now > last { last = now }
        let cost = cost(length: length)
        if available >= cost {
            tokens = available &- cost
            return !over
        }
        tokens = available
        return over
    }
}
