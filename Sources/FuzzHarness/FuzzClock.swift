/// The clock the frame harness gives its pipelines: it moves on with every input, by a step the
/// input's bytes choose, so limits refill and run dry, flows time out and the answer rate
/// recovers, all reproducibly for the same inputs in the same order.
///
/// Steps are mostly short (bursts under a millisecond; the answer rate's and a 10/second limit's
/// time scale), sometimes seconds to a minute (UDP and ICMP timeouts), and now and then hours
/// (TCP's closing and unacknowledged timeouts). The clock never goes back: the bridge's is monotonic.
struct FuzzClock {
    /// Where the clock starts (not zero, as in `test` blocks: a first frame is not special).
    static let start: UInt64 = 1_000_000_000_000

    /// The current time, in nanoseconds.
    private(set) var now: UInt64 = FuzzClock.start

    /// How long after an input its reply comes (``ReplyFrame``).
    static let replyDelay: UInt64 = 1000

    /// Moves the clock on to the time of the replies of the input it was last advanced for, so
    /// the next input is never clocked before them.
    mutating func passReplies() {
        now &+= Self.replyDelay
    }

    /// Moves the clock on by the step `seed` chooses; the new time.
    mutating func advance(seed: UInt64) -> UInt64 {
        let draw = seed >> 8
        let step: UInt64
        switch seed % 100 {
        case 0..<45: step = draw % 1_000_000
        case 45..<80: step = draw % 200_000_000
        case 80..<96: step = draw % 60_000_000_000
        default: step = draw % 21_600_000_000_000
        }
        now &+= step
        return now
    }
}
