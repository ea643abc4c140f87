/// One `limit rate [over] N/unit [burst M packets]` (or a byte rate): the bucket's state, run
/// by its ``RateLimit``.
///
/// The state is two numbers (16 bytes), so a rule's limit is one `TokenBucket` and a meter holds
/// thousands; the arithmetic, and where it matches the kernel's, is described at ``RateLimit``.
/// Time is the caller's: a monotonic `now` in nanoseconds on the live bridge, the capture's
/// timestamps in `replay`, a test block's own clock. The same frames at the same times always
/// give the same answers.
///
/// ```swift
/// let limit = try RateLimit(rate: Rate(packets: 10, per: .second), burst: Burst(packets: 5))
/// var bucket = TokenBucket(full: limit, now: 0)
/// // Five frames at t = 0 pass, the sixth does not; one more passes every 100 ms.
/// ```
public struct TokenBucket: Sendable, Hashable {
    /// Tokens (nanoseconds) held after the last frame.
    public var tokens: UInt64
    /// The time of the last frame (or of the bucket's creation), in the caller's nanoseconds.
    public var last: UInt64

    /// A full bucket at `now`, as the kernel creates one.
    @inlinable
    public init(full limit: RateLimit, now: UInt64) {
        tokens = limit.capacity
        last = now
    }

    /// Runs a frame of `length` bytes arriving at `now` through the bucket; true when the limit
    /// matches (within it, or with `over`, over it). A frame over the limit takes no tokens.
    @inlinable @inline(__always)
    public mutating func matches(_ limit: RateLimit, length: Int, now: UInt64) -> Bool {
        limit.evaluate(tokens: &tokens, last: &last, length: length, now: now)
    }

    /// The tokens the bucket would hold at `now`, before any frame takes from them.
    @inlinable
    public func tokens(at now: UInt64, limit: RateLimit) -> UInt64 {
        limit.refilled(tokens: tokens, last: last, now: now)
    }

    /// True when the bucket has refilled by `now`: it then behaves exactly as a fresh one, so
    /// forgetting it loses nothing.
    @inlinable
    public func isFull(at now: UInt64, limit: RateLimit) -> Bool {
        tokens(at: now, limit: limit) == limit.capacity
    }
}
