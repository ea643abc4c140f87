import Ring

/// When each frame of a batch arrived, on the monotonic clock the pipeline's limits, meters,
/// answer rate and flow timeouts run on.
///
/// The worker reads a whole batch at once, so one clock reading per batch would stamp up to a
/// batch of frames with the same instant: a token bucket then refills once per batch and
/// `limit rate 100000/second burst 5 packets` would let through five frames per batch, far below
/// its rate. The kernel stamps every frame as it enters the ring (CLOCK_REALTIME); this turns
/// that stamp into the frame's age at the batch's start and subtracts it from the batch's
/// monotonic reading, so every frame is clocked when it arrived, as nft's `limit` clocks each
/// packet. Realtime is only used for the age, so a wall-clock step cannot move the result by
/// more than ``maximumAge``, and the times handed out never go backwards.
struct ArrivalClock {
    /// The oldest a frame is taken to be: a stamp further back (or one that a wall-clock step
    /// made look so) is clocked this long before the batch.
    static let maximumAge: UInt64 = 1_000_000_000

    private var batchMonotonic: UInt64 = 0
    private var batchWall: UInt64 = 0
    /// The last time handed out.
    private(set) var last: UInt64 = 0

    /// Takes the clocks' readings at the start of a batch.
    @inline(__always)
    mutating func startBatch(monotonic: UInt64, wall: UInt64) {
        batchMonotonic = max(monotonic, last)
        batchWall = wall
    }

    /// The batch's own reading, for work that is not about one frame.
    var batchStart: UInt64 { batchMonotonic }

    /// When the frame stamped `stamp` arrived (the batch's start for a frame with no stamp),
    /// never earlier than the previous frame.
    @inline(__always)
    mutating func arrival(_ stamp: KernelTimestamp) -> UInt64 {
        let stamped = UInt64(stamp.seconds) &* 1_000_000_000 &+ UInt64(stamp.nanoseconds)
        var time = batchMonotonic
        if stamped != 0 && stamped < batchWall {
            let age = min(batchWall &- stamped, Self.maximumAge, batchMonotonic)
            time = batchMonotonic &- age
        }
        if time < last { time = last }
        last = time
        return time
    }
}
