/// How frames are paced.
public enum Pacing: Sendable, Equatable {
    /// As fast as the TX rings take them.
    case unlimited
    /// This many frames per second for the whole run (shared evenly among the threads).
    case rate(framesPerSecond: Double)
    /// At the capture's own timestamps, gaps divided by `multiplier` (`--speed`).
    case timestamps(multiplier: Double)
}

/// How a transmit run sends.
public struct TransmitOptions: Sendable, Equatable {
    /// Pacing. Default `.unlimited`.
    public var pacing: Pacing = .unlimited
    /// CPUs to pin the threads to, round robin (thread i takes `cpus[i % cpus.count]`); nil: not
    /// pinned.
    public var cpus: [Int]? = nil
    /// Stop after this many seconds; nil: when the frames run out or on SIGINT/SIGTERM.
    public var durationSeconds: Double? = nil
    /// Insert an 802.1Q tag with this VID (PCP 0) into frames that carry no tag.
    public var insertVLAN: UInt16? = nil
    /// Most frames per TX ring kick (and per pacing batch). Default 256.
    public var batchLimit: Int = 256
    /// Give up on a thread whose TX ring does not drain for this long. Default 2 s.
    public var stallSeconds: Int = 2
    /// Print a progress line (`\r`, about 4 times a second) to standard output.
    public var progress: Bool = false

    /// Unpaced, unpinned, no tag, no progress line.
    public init() {}
}
