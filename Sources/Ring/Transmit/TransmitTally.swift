/// What a ``Transmitter`` did with the frames it was given: plain integers, owned by the one
/// thread that sends (publish them elsewhere per batch).
public struct TransmitTally: Sendable, Equatable {
    /// Frames the kernel took (or that sit in the TX ring for the next kick).
    public var frames: UInt64 = 0
    /// Their bytes (without FCS).
    public var bytes: UInt64 = 0
    /// Waits for room (each one followed by another try).
    public var retries: UInt64 = 0
    /// Frames given up on because there was still no room after the retries (or the wait limit).
    public var noRoomDrops: UInt64 = 0
    /// Frames the kernel refused for another reason, and failed kicks of the TX ring.
    public var sendErrors: UInt64 = 0
    /// Frames longer than the interface (or a TX slot) carries.
    public var tooBig: UInt64 = 0
    /// Frames not sent because the interface was down or gone, and kicks that found it so.
    public var linkDown: UInt64 = 0

    /// All zero.
    public init() {}

    /// The sum of two tallies.
    public static func + (left: TransmitTally, right: TransmitTally) -> TransmitTally {
        var sum = left
        sum.frames &+= right.frames
        sum.bytes &+= right.bytes
        sum.retries &+= right.retries
        sum.noRoomDrops &+= right.noRoomDrops
        sum.sendErrors &+= right.sendErrors
        sum.tooBig &+= right.tooBig
        sum.linkDown &+= right.linkDown
        return sum
    }
}
