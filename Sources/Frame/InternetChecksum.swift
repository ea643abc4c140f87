/// The Internet checksum (RFC 1071) computed from scratch over bytes.
///
/// Used by ``FrameBuilder``, ``ChecksumVerifier`` and ``FrameBuffer/completeL4Checksum(info:)``.
/// The per-rewrite incremental update (RFC 1624) is separate code, so each can check the other.
/// Sums are kept unfolded in a `UInt64` until ``fold(_:)``; any number of calls can add to one.
public enum InternetChecksum {
    /// Adds the 16-bit big-endian words of `count` bytes at `start` to `sum`; an odd last byte is
    /// padded with a zero byte.
    public static func add(_ start: UnsafeRawPointer, count: Int, to sum: UInt64 = 0) -> UInt64 {
        var total = sum
        var index = 0
        while index + 8 <= count {
            let word = start.be64(index)
            total &+= (word >> 32) &+ (word & 0xffff_ffff)
            index &+= 8
        }
        while index + 2 <= count {
            total &+= UInt64(start.be16(index))
            index &+= 2
        }
        if index < count { total &+= UInt64(start.u8(index)) << 8 }
        return total
    }

    /// Adds the bytes of `buffer` to `sum`.
    public static func add(_ buffer: UnsafeRawBufferPointer, to sum: UInt64 = 0) -> UInt64 {
        guard let start = buffer.baseAddress else { return sum }
        return add(start, count: buffer.count, to: sum)
    }

    /// The IPv4 pseudo-header (RFC 793/768): addresses, protocol, L4 length.
    public static func ipv4PseudoHeader(source: UInt32, destination: UInt32, protocol proto: UInt8, length: Int)
        -> UInt64
    {
        UInt64(source >> 16) &+ UInt64(source & 0xffff) &+ UInt64(destination >> 16)
            &+ UInt64(destination & 0xffff) &+ UInt64(proto) &+ UInt64(UInt32(truncatingIfNeeded: length))
    }

    /// The IPv6 pseudo-header (RFC 8200 section 8.1): addresses, upper-layer length, next header.
    public static func ipv6PseudoHeader(source: UInt128, destination: UInt128, nextHeader: UInt8, length: Int)
        -> UInt64
    {
        let length32 = UInt32(truncatingIfNeeded: length)
        return UInt64(nextHeader) &+ UInt64(length32 >> 16) &+ UInt64(length32 & 0xffff)
            &+ words(UInt64(truncatingIfNeeded: source >> 64)) &+ words(UInt64(truncatingIfNeeded: source))
            &+ words(UInt64(truncatingIfNeeded: destination >> 64)) &+ words(UInt64(truncatingIfNeeded: destination))
    }

    /// The sum of the four 16-bit words of `value`.
    @inline(__always)
    static func words(_ value: UInt64) -> UInt64 {
        (value >> 48) &+ (value >> 32 & 0xffff) &+ (value >> 16 & 0xffff) &+ (value & 0xffff)
    }

    /// Folds an unfolded sum to 16 bits with end-around carry (not complemented).
    @inline(__always)
    public static func fold(_ sum: UInt64) -> UInt16 {
        var value = (sum >> 32) &+ (sum & 0xffff_ffff)
        value = (value >> 16) &+ (value & 0xffff)
        value = (value >> 16) &+ (value & 0xffff)
        value = (value >> 16) &+ (value & 0xffff)
        return UInt16(truncatingIfNeeded: value)
    }

    /// The checksum field value for a sum taken with the field zeroed: `~fold(sum)`.
    @inline(__always)
    public static func checksum(_ sum: UInt64) -> UInt16 {
        ~fold(sum)
    }
}
