/// A token bucket for `--rate`: tokens (frames) accrue at the asked rate, up to two batches.
///
/// The sender asks once per batch how many frames it may send now (``grant(now:wanted:)``), and
/// when the answer is 0 it sleeps until a whole batch is due (``readyTime(frames:)``), so at high
/// rates it wakes once per batch, never once per frame. The second batch of room absorbs a sleep
/// that overran, so oversleeping does not lower the rate; a sender that falls further behind
/// loses that backlog instead of bursting to catch up.
public struct RatePacer: Sendable {
    /// Nanoseconds between two frames.
    public let nanosecondsPerFrame: Double
    /// One batch: the most frames granted at once.
    public let burst: Int
    /// The most tokens the bucket holds: two batches.
    public let capacity: Int
    private var tokens: Double
    private var last: UInt64

    /// A bucket at `now` for `framesPerSecond` (> 0) that grants batches of at most `burst`
    /// (>= 1) frames, starting with one batch.
    public init(framesPerSecond: Double, burst: Int, now: UInt64) {
        nanosecondsPerFrame = 1e9 / framesPerSecond
        self.burst = max(1, burst)
        capacity = 2 * self.burst
        tokens = Double(self.burst)
        last = now
    }

    /// How many of `wanted` frames may leave at `now`; they are taken from the bucket.
    public mutating func grant(now: UInt64, wanted: Int) -> Int {
        if now > last {
            tokens = min(Double(capacity), tokens + Double(now - last) / nanosecondsPerFrame)
            last = now
        }
        let granted = min(wanted, burst, Int(tokens))
        tokens -= Double(granted)
        return max(0, granted)
    }

    /// When the bucket will hold `frames` tokens (at most ``burst``), on the clock `grant` was given.
    public func readyTime(frames: Int) -> UInt64 {
        let missing = Double(min(frames, burst)) - tokens
        guard missing > 0 else { return last }
        return last &+ UInt64((missing * nanosecondsPerFrame).rounded(.up))
    }

    /// The batch that holds about one millisecond of frames at `framesPerSecond`, between 1 and
    /// `limit`.
    public static func batchSize(framesPerSecond: Double, limit: Int) -> Int {
        let perMillisecond = Int(framesPerSecond / 1000)
        return min(max(1, perMillisecond), max(1, limit))
    }
}
