/// Reading a TCP segment's options: where the maximum segment size option (RFC 9293 section
/// 3.7.1: kind 2, length 4) lies.
///
/// The walk is bounded by the header's data offset (at most 40 bytes of options) and never
/// reads past it: End of Option List (kind 0) ends it, No-Operation (kind 1) is one byte, every
/// other option has a length byte. A length below 2, an option running past the header, or an
/// MSS option whose length is not 4 ends the walk with no answer, so a malformed list is never
/// written to.
public enum TCPOptions {
    /// Kind of the maximum segment size option.
    public static let maximumSegmentSizeKind: UInt8 = 2
    /// Its length: kind, length and a 16-bit value.
    public static let maximumSegmentSizeLength = 4

    /// The offset, from the frame's first byte, of the MSS option's 16-bit value; nil when the
    /// frame has no complete TCP header (``FieldPresence/l4Header``), no MSS option, or a
    /// malformed option list before it. `info` must be the parse of `frame`.
    @inlinable
    public static func maximumSegmentSizeOffset(_ frame: UnsafeRawBufferPointer, info: borrowing FrameInfo) -> Int? {
        guard info.present.contains(.l4Header), info.l4Protocol == IPProtocol.tcp, info.length == frame.count,
            let base = frame.baseAddress
        else { return nil }
        let header = info.l4Offset
        // `.l4Header` promises the data offset's bytes lie inside the IP packet and the frame.
        let end = header + Int(base.load(fromByteOffset: header + 12, as: UInt8.self) >> 4) &* 4
        guard end <= frame.count else { return nil }
        var cursor = header + 20
        while cursor < end {
            let kind = base.load(fromByteOffset: cursor, as: UInt8.self)
            if kind == 0 { return nil }
            if kind == 1 {
                cursor &+= 1
                continue
            }
            guard cursor + 1 < end else { return nil }
            let length = Int(base.load(fromByteOffset: cursor + 1, as: UInt8.self))
            guard length >= 2, cursor + length <= end else { return nil }
            if kind == maximumSegmentSizeKind {
                return length == maximumSegmentSizeLength ? cursor + 2 : nil
            }
            cursor &+= length
        }
        return nil
    }

    /// The MSS option's value, or nil as for ``maximumSegmentSizeOffset(_:info:)``.
    @inlinable
    public static func maximumSegmentSize(_ frame: UnsafeRawBufferPointer, info: borrowing FrameInfo) -> UInt16? {
        guard let offset = maximumSegmentSizeOffset(frame, info: info), let base = frame.baseAddress else {
            return nil
        }
        return UInt16(base.load(fromByteOffset: offset, as: UInt8.self)) << 8
            | UInt16(base.load(fromByteOffset: offset + 1, as: UInt8.self))
    }
}
