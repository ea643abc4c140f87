/// When each frame of a capture is due under `--speed`: the capture's own gaps, divided by the
/// multiplier, measured from the moment the pass began.
///
/// The due times are absolute, so a sender that overslept sends the frames it owes at once and
/// is back on time: it never sleeps per frame when the gaps are shorter than a sleep.
public struct CaptureTimeline: Sendable {
    /// Capture seconds per real second (2: twice as fast).
    public let multiplier: Double
    private let scale: Double
    private var origin: UInt64

    /// A timeline whose first frame is due at `origin`.
    public init(multiplier: Double, origin: UInt64) {
        self.multiplier = multiplier
        scale = 1 / multiplier
        self.origin = origin
    }

    /// Starts a new pass of the capture: its first frame is due at `origin`.
    public mutating func restart(at origin: UInt64) {
        self.origin = origin
    }

    /// When the frame captured `offset` nanoseconds after the pass's first frame is due.
    @inline(__always)
    public func due(offset: UInt64) -> UInt64 {
        origin &+ UInt64(Double(offset) * scale)
    }
}
