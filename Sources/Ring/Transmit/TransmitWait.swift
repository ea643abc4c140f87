/// How a ``Transmitter`` waits when the kernel has no room for a frame.
public struct TransmitWait: Sendable, Equatable {
    /// Longest one wait for room lasts (`ppoll` for `POLLOUT`), in nanoseconds. Default 200 µs.
    public var retryNanoseconds: UInt64 = 200_000
    /// Longest all the waits for one frame may last together, in nanoseconds (checked only while
    /// waiting); `UInt64.max`, the default, bounds them by the retry count alone.
    public var giveUpNanoseconds: UInt64 = .max

    /// Waits of `retryNanoseconds` each, at most `giveUpNanoseconds` per frame.
    public init(retryNanoseconds: UInt64 = 200_000, giveUpNanoseconds: UInt64 = .max) {
        self.retryNanoseconds = max(1000, retryNanoseconds)
        self.giveUpNanoseconds = giveUpNanoseconds
    }
}
