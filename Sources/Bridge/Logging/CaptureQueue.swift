import Platform

/// Copies of frames for `pcap "FILE"` statements, handed from a forwarding thread to the control
/// thread, which appends them to the files. The forwarding thread never waits on a disk: when
/// the queue is full the copy is dropped and counted. Fixed byte slots beside the platform's
/// ``SPSCRing`` of headers.
public final class CaptureQueue: @unchecked Sendable {
    /// One queued copy.
    public struct Header: BitwiseCopyable {
        public var generation: UInt64
        public var file: Int32
        public var length: Int32
        public var wireLength: Int32
        public var time: UInt64
    }

    public let slotSize: Int
    /// The headers; slot `i`'s bytes are at `bytes + i * slotSize`.
    private let ring: SPSCRing<Header>
    private let bytes: UnsafeMutableRawPointer

    public init(capacity: Int = 512, slotSize: Int) {
        self.slotSize = slotSize
        ring = SPSCRing(capacity: capacity)
        bytes = .allocate(byteCount: ring.capacity * slotSize, alignment: 64)
    }

    deinit {
        bytes.deallocate()
    }

    /// Copies dropped because the queue was full.
    public var dropped: UInt64 { ring.dropped }

    /// Producer side (one forwarding thread).
    public func push(_ frame: UnsafeRawBufferPointer, file: Int32, generation: UInt64, time: UInt64) {
        guard let source = frame.baseAddress else {
            ring.recordDrop()
            return
        }
        guard let slot = ring.reserve() else { return }
        let length = min(frame.count, slotSize)
        (bytes + slot * slotSize).copyMemory(from: source, byteCount: length)
        ring.commit(
            Header(
                generation: generation, file: file, length: Int32(length), wireLength: Int32(frame.count), time: time))
    }

    /// Consumer side (the control thread): the oldest copy, valid until ``removeFirst()``.
    public func first() -> (header: Header, bytes: UnsafeRawBufferPointer)? {
        guard let (header, slot) = ring.first() else { return nil }
        return (header, UnsafeRawBufferPointer(start: bytes + slot * slotSize, count: Int(header.length)))
    }

    /// Consumer side: frees the oldest copy.
    public func removeFirst() {
        ring.removeFirst()
    }
}
