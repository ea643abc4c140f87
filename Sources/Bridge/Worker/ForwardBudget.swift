import Synchronization

/// `run --count N`: how many more frames the bridge may forward, shared by every worker, so the
/// bridge forwards exactly N frames in total however many threads share the work.
final class ForwardBudget: Sendable {
    private let remaining: Atomic<Int64>

    init(frames: UInt64) {
        remaining = Atomic(Int64(clamping: frames))
    }

    /// Takes one frame from the budget: true when it may be forwarded. The frame that takes the
    /// last one is the caller's sign to stop the bridge (``exhausted``).
    @inline(__always)
    func take() -> Bool {
        remaining.subtract(1, ordering: .relaxed).oldValue > 0
    }

    /// A frame that took from the budget was not sent after all: its place goes back.
    func giveBack() {
        remaining.add(1, ordering: .relaxed)
    }

    /// Every frame of the budget has been taken.
    var exhausted: Bool { remaining.load(ordering: .relaxed) <= 0 }
}
