import Frame
import Platform

/// What a `log` statement saw, handed from a forwarding thread to the control thread, which
/// formats and writes it. The forwarding thread never formats text or waits on a write.
public struct LogRecord: Sendable {
    public var generation: UInt64
    public var rule: Int32
    public var prefix: Int32
    public var port: UInt8
    public var info: FrameInfo
    /// Wall clock, nanoseconds.
    public var time: UInt64
}

/// A log record is plain values (the parsed frame's fields among them), so the ring copies it
/// byte for byte.
extension LogRecord: BitwiseCopyable {}

/// A bounded single-producer, single-consumer queue of ``LogRecord``s, on the platform's
/// ``SPSCRing``. When it is full the record is dropped and counted, never waited for.
public final class LogRecordQueue: @unchecked Sendable {
    private let ring: SPSCRing<LogRecord>

    public init(capacity: Int = 1024) {
        ring = SPSCRing(capacity: capacity)
    }

    /// Records dropped because the queue was full.
    public var dropped: UInt64 { ring.dropped }

    /// Producer side (one forwarding thread).
    public func push(_ record: LogRecord) {
        ring.push(record)
    }

    /// Consumer side (the control thread).
    public func pop() -> LogRecord? {
        ring.pop()
    }
}
