import Capture

/// One frame a source hands to its transmit thread.
public struct SourceFrame {
    /// The frame's bytes, valid until the source's next ``FrameSource/next()``.
    public var bytes: UnsafeRawBufferPointer
    /// Nanoseconds between this frame's capture and the first frame's in the same pass (0 for
    /// generated frames): what `--speed` paces by.
    public var offsetNanoseconds: UInt64
    /// Which pass over the capture (`--loop`) the frame belongs to, from 0.
    public var pass: UInt32

    /// A frame of pass `pass`, `offsetNanoseconds` after that pass's first frame.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, offsetNanoseconds: UInt64 = 0, pass: UInt32 = 0) {
        self.bytes = bytes
        self.offsetNanoseconds = offsetNanoseconds
        self.pass = pass
    }
}

/// The frames one transmit thread sends, in order. Each thread owns its own source.
///
/// ``next()`` is the per-frame path: it must not allocate, lock or use existentials.
public protocol FrameSource: SendableMetatype {
    /// The next frame, or nil when the source has no more.
    mutating func next() -> SourceFrame?
    /// Why the source ended early, once ``next()`` returned nil; nil when it simply ran out.
    var failure: InjectionError? { get }
    /// Where the source's capture is damaged, once it met the damage: every pass then sends the
    /// whole frames before it and no more. Nil for a whole capture or generated frames.
    var damage: CaptureDamage? { get }
}

extension FrameSource {
    /// Nil: a source with no capture meets no damage.
    public var damage: CaptureDamage? { nil }
}

/// Which share of the frames thread `thread` of `threads` sends: frames `thread`,
/// `thread + threads`, `thread + 2 * threads`, ... of each pass.
public struct ThreadShare: Sendable, Equatable {
    /// This thread's number, from 0.
    public var thread: Int
    /// How many threads share the frames.
    public var threads: Int

    /// Thread `thread` of `threads` (1 and 0: all frames).
    public init(thread: Int = 0, of threads: Int = 1) {
        self.threads = max(1, threads)
        self.thread = min(max(0, thread), self.threads - 1)
    }

    /// How many of `total` frames (numbered from 0) are this thread's.
    public func count(of total: UInt64) -> UInt64 {
        let threads = UInt64(self.threads)
        let thread = UInt64(self.thread)
        return total / threads + (thread < total % threads ? 1 : 0)
    }
}
