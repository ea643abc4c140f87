/// A token bucket for `--rate`: tokens (frames) accrue at the asked rate.
///
/// The sender asks once per batch how many frames it may send now (``grant(now:wanted:)``, at
/// most one batch), and when the answer is 0 it sleeps until a whole batch is due
/// (``readyTime(frames:)``), so at high rates it wakes once per batch, never once per frame.
/// The bucket holds up to 20 ms of frames (at least two batches): a sleep that overran, or a
/// sender the scheduler set aside for a few milliseconds, catches up and the average rate holds;
/// a sender that falls further behind loses that backlog instead of bursting to catch up.
public struct RatePacer: Sendable {
    /// Nanoseconds between two frames.
    public let nanosecondsPerFrame: Double
    /// One batch: the most frames granted at once.
    public let burst: Int
    /// The most tokens the bucket holds: 20 ms of frames, at least two batches.
    public let capacity: Int
    private var tokens: Double
    private var last: UInt64

    /// A bucket at `now` for `framesPerSecond` (> 0) that grants batches of at most `burst`
    /// (>= 1) frames, starting with one batch.
    public init(framesPerSecond: Double, burst: Int, now: UInt64) {
        nanosecondsPerFrame = 1e9 / framesPerSecond
        self.burst = max(1, burst)
        capacity = max(2 * self.burst, Int(framesPerSecond * Self.backlogSeconds))
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

    /// How much sending time the bucket keeps for a sender that fell behind.
    public static let backlogSeconds = 0.02

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
