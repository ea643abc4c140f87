import Synchronization

/// Copies of frames for `pcap "FILE"` statements, handed from a forwarding thread to the control
/// thread, which appends them to the files. The forwarding thread never waits on a disk: when
/// the queue is full the copy is dropped and counted.
public final class CaptureQueue: @unchecked Sendable {
    /// One queued copy.
    public struct Header {
        public var generation: UInt64
        public var file: Int32
        public var length: Int32
        public var wireLength: Int32
        public var time: UInt64
    }

    public let slotSize: Int
    private let capacity: Int
    private let headers: UnsafeMutablePointer<Header>
    private let bytes: UnsafeMutableRawPointer
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)
    private let droppedCount = Atomic<UInt64>(0)

    public init(capacity: Int = 512, slotSize: Int) {
        self.capacity = capacity
        self.slotSize = slotSize
        headers = .allocate(capacity: capacity)
        bytes = .allocate(byteCount: capacity * slotSize, alignment: 64)
    }

    deinit {
        headers.deallocate()
        bytes.deallocate()
    }

    /// Copies dropped because the queue was full.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Producer side (one forwarding thread).
    public func push(_ frame: UnsafeRawBufferPointer, file: Int32, generation: UInt64, time: UInt64) {
        let t = tail.load(ordering: .relaxed)
        guard t - head.load(ordering: .acquiring) < capacity, let source = frame.baseAddress else {
            droppedCount.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let slot = t % capacity
        let length = min(frame.count, slotSize)
        (bytes + slot * slotSize).copyMemory(from: source, byteCount: length)
        headers[slot] = Header(
            generation: generation, file: file, length: Int32(length), wireLength: Int32(frame.count), time: time)
        tail.store(t + 1, ordering: .releasing)
    }

    /// Consumer side (the control thread): the oldest copy, valid until ``removeFirst()``.
    public func first() -> (header: Header, bytes: UnsafeRawBufferPointer)? {
        let h = head.load(ordering: .relaxed)
        guard h != tail.load(ordering: .acquiring) else { return nil }
        let slot = h % capacity
        let header = headers[slot]
        return (header, UnsafeRawBufferPointer(start: bytes + slot * slotSize, count: Int(header.length)))
    }

    /// Consumer side: frees the oldest copy.
    public func removeFirst() {
        head.store(head.load(ordering: .relaxed) + 1, ordering: .releasing)
    }
}
