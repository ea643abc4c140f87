import Frame

extension FieldVector {
    /// Adds the TCP MSS option's value, when the frame has a sound one: the option walk the
    /// parse does not do, run only for a policy that reads the field (at most 40 bytes, no
    /// allocation). Call after ``load(_:port:used:)``, which clears its presence bit.
    @inlinable @inline(__always)
    public mutating func loadSegmentSize(_ frame: UnsafeRawBufferPointer, info: borrowing FrameInfo) {
        guard let size = TCPOptions.maximumSegmentSize(frame, info: info) else { return }
        narrow[Int(FieldCode.tcpMSS.rawValue)] = UInt64(size)
        present |= FieldCode.tcpMSS.bit
    }
}
