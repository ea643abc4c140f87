/// A token bucket per kind of log line, so a flood (a `log` rule hit a million times a second, a
/// link flapping) cannot fill the disk: `burst` lines at once, then `perSecond` on average, and
/// a count of what was suppressed, reported with the next line that gets through.
public struct RateLimiter {
    public let perSecond: Double
    public let burst: Double
    private var tokens: Double
    private var last: UInt64 = 0
    /// Lines suppressed since the last one let through.
    public private(set) var suppressed: UInt64 = 0

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
    }

    /// Whether a line may be written at `now` (nanoseconds, monotonic). When it may, returns
    /// how many were suppressed before it (and resets that count).
    public mutating func admit(now: UInt64) -> (allowed: Bool, suppressedBefore: UInt64) {
        if last != 0 && now > last {
            tokens = min(burst, tokens + Double(now - last) / 1e9 * perSecond)
        }
        last = now
        guard tokens >= 1 else {
            suppressed &+= 1
            return (false, 0)
        }
        tokens -= 1
        let before = suppressed
        suppressed = 0
        return (true, before)
    }
}
