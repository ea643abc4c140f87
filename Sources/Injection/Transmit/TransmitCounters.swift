import Synchronization

/// What one run (or one thread of it) sent and refused.
public struct TransmitCounters: Sendable, Equatable {
    /// Frames handed to the kernel.
    public var frames: UInt64 = 0
    /// Their bytes (without FCS).
    public var bytes: UInt64 = 0
    /// Frames the kernel refused or that were abandoned in the TX ring when sending failed.
    public var sendErrors: UInt64 = 0
    /// Frames longer than the interface carries (MTU + 14, + 4 when 802.1Q-tagged), skipped.
    public var tooBig: UInt64 = 0
    /// Frames too short to be Ethernet (under 14 bytes), skipped.
    public var skipped: UInt64 = 0

    /// All zero.
    public init() {}

    /// The sum of two sets of counters.
    public static func + (left: TransmitCounters, right: TransmitCounters) -> TransmitCounters {
        var sum = left
        sum.frames &+= right.frames
        sum.bytes &+= right.bytes
        sum.sendErrors &+= right.sendErrors
        sum.tooBig &+= right.tooBig
        sum.skipped &+= right.skipped
        return sum
    }
}

/// One thread's counters as the main thread reads them while it runs: stored once per batch.
final class PublishedCounters: Sendable {
    private let frames = Atomic<UInt64>(0)
    private let bytes = Atomic<UInt64>(0)
    private let sendErrors = Atomic<UInt64>(0)
    private let tooBig = Atomic<UInt64>(0)
    private let skipped = Atomic<UInt64>(0)

    func publish(_ counters: TransmitCounters) {
        frames.store(counters.frames, ordering: .relaxed)
        bytes.store(counters.bytes, ordering: .relaxed)
        sendErrors.store(counters.sendErrors, ordering: .relaxed)
        tooBig.store(counters.tooBig, ordering: .relaxed)
        skipped.store(counters.skipped, ordering: .relaxed)
    }

    var current: TransmitCounters {
        var counters = TransmitCounters()
        counters.frames = frames.load(ordering: .relaxed)
        counters.bytes = bytes.load(ordering: .relaxed)
        counters.sendErrors = sendErrors.load(ordering: .relaxed)
        counters.tooBig = tooBig.load(ordering: .relaxed)
        counters.skipped = skipped.load(ordering: .relaxed)
        return counters
    }
}
