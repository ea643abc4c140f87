/// When a forwarding thread keeps checking its rings instead of sleeping in `ppoll`: as NAPI
/// and DPDK's interrupt mode do, poll while frames keep coming, sleep once they stop.
///
/// A wake-up from `ppoll` costs a few microseconds of CPU and latency; checking a ring's next
/// status word costs nanoseconds. So while batches arrive close together (a busy segment) the
/// thread spins on the rings for a little longer than the recent gap between batches before it
/// sleeps, and a frame that arrives meanwhile is taken without a wake-up. On a quiet segment,
/// when batches are further apart than ``busyGap``, it sleeps at once: an idle bridge uses no
/// CPU, and a lightly loaded one pays nothing in latency. `--busy-poll USEC` replaces the
/// adaptive choice with a fixed spin after every batch (0: never spin).
struct AdaptivePoll: Sendable, Equatable {
    /// A fixed spin after every batch (`--busy-poll`), nanoseconds; nil: adaptive.
    let fixed: UInt64?
    /// Batches closer together than this mean a busy segment.
    let busyGap: UInt64
    /// The longest spin before sleeping.
    let maximumSpin: UInt64
    /// When the last batch with frames was taken (0: never).
    private(set) var lastFrames: UInt64 = 0
    /// A moving average of the time between batches with frames.
    private(set) var averageGap: UInt64 = .max

    init(fixed: UInt64? = nil, busyGap: UInt64 = 50_000, maximumSpin: UInt64 = 100_000) {
        self.fixed = fixed
        self.busyGap = busyGap
        self.maximumSpin = maximumSpin
    }

    /// A batch with frames was taken at `now`.
    mutating func sawFrames(at now: UInt64) {
        if lastFrames != 0 && now > lastFrames {
            let gap = now - lastFrames
            averageGap = averageGap == .max ? gap : (averageGap &* 7 &+ gap) / 8
        }
        lastFrames = now
    }

    /// How long to keep checking the rings at `now` before sleeping, nanoseconds (0: sleep now).
    func spin(now: UInt64) -> UInt64 {
        if let fixed { return fixed }
        guard lastFrames != 0, averageGap < busyGap, now &- lastFrames < maximumSpin else { return 0 }
        return min(max(2 &* averageGap, 5_000), maximumSpin)
    }
}
