/// The clock a replay gives the pipeline: each frame's capture timestamp, so limits, meters,
/// flow timeouts and the answer rate behave as they did on the wire.
///
/// The live bridge's clock is monotonic, and the flow table and the buckets assume one. A capture
/// whose timestamps go backwards (merged files, a clock step on the capturing host) clocks such a
/// frame at the latest time seen so far: no time passes for it, as on a bridge that received it
/// straight after the frame before. Such frames are counted.
struct ReplayClock {
    /// The time the latest frame was clocked at (nanoseconds since the epoch, as captures stamp).
    private(set) var now: UInt64 = 0
    /// Frames stamped earlier than a frame before them.
    private(set) var backwardSteps = 0

    /// The time to clock a frame stamped `stamp` at.
    mutating func advance(to stamp: UInt64) -> UInt64 {
        if stamp >= now {
            now = stamp
        } else {
            backwardSteps += 1
        }
        return now
    }
}
