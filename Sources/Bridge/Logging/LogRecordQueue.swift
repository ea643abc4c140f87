import Frame
import Synchronization

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

/// A bounded single-producer, single-consumer queue of ``LogRecord``s. When it is full the
/// record is dropped and counted, never waited for.
public final class LogRecordQueue: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<LogRecord>
    private let capacity: Int
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)
    private let droppedCount = Atomic<UInt64>(0)

    public init(capacity: Int = 1024) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
    }

    deinit {
        var i = head.load(ordering: .relaxed)
        let end = tail.load(ordering: .relaxed)
        while i != end {
            (slots + i % capacity).deinitialize(count: 1)
            i += 1
        }
        slots.deallocate()
    }

    /// Records dropped because the queue was full.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Producer side (one forwarding thread).
    public func push(_ record: LogRecord) {
        let t = tail.load(ordering: .relaxed)
        if t - head.load(ordering: .acquiring) >= capacity {
            droppedCount.wrappingAdd(1, ordering: .relaxed)
            return
        }
        (slots + t % capacity).initialize(to: record)
        tail.store(t + 1, ordering: .releasing)
    }

    /// Consumer side (the control thread).
    public func pop() -> LogRecord? {
        let h = head.load(ordering: .relaxed)
        guard h != tail.load(ordering: .acquiring) else { return nil }
        let record = (slots + h % capacity).move()
        head.store(h + 1, ordering: .releasing)
        return record
    }
}
