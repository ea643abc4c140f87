/// Incremental checksum update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m').
///
/// A change is collected as a `ChecksumDelta` (the sum of `~m + m'` over every changed 16-bit word),
/// then applied to each checksum that covers the changed words. Separate from the from-scratch
/// ``InternetChecksum`` code on purpose: each checks the other in the tests.
struct ChecksumDelta {
    /// Unfolded sum of `~m + m'` over the changed words.
    var sum: UInt64 = 0

    @inline(__always)
    init() {}

    /// One 16-bit word changes from `old` to `new`.
    @inline(__always)
    init(old: UInt16, new: UInt16) {
        sum = UInt64(~old) &+ UInt64(new)
    }

    /// A 32-bit field (two words) changes.
    @inline(__always)
    init(old: UInt32, new: UInt32) {
        sum = UInt64(~old >> 16) &+ UInt64(~old & 0xffff) &+ UInt64(new >> 16) &+ UInt64(new & 0xffff)
    }

    /// A 128-bit field (eight words) changes.
    @inline(__always)
    init(old: UInt128, new: UInt128) {
        let oldHigh = UInt64(truncatingIfNeeded: old >> 64)
        let oldLow = UInt64(truncatingIfNeeded: old)
        let newHigh = UInt64(truncatingIfNeeded: new >> 64)
        let newLow = UInt64(truncatingIfNeeded: new)
        sum = Self.words(~oldHigh) &+ Self.words(~oldLow) &+ Self.words(newHigh) &+ Self.words(newLow)
    }

    @inline(__always)
    private static func words(_ value: UInt64) -> UInt64 {
        (value >> 48) &+ (value >> 32 & 0xffff) &+ (value >> 16 & 0xffff) &+ (value & 0xffff)
    }

    /// The checksum after the change: `~(~checksum + delta)`, folded with end-around carry.
    @inline(__always)
    func applied(to checksum: UInt16) -> UInt16 {
        var value = UInt64(~checksum) &+ sum
        value = (value >> 16) &+ (value & 0xffff)
        value = (value >> 16) &+ (value & 0xffff)
        value = (value >> 16) &+ (value & 0xffff)
        return ~UInt16(truncatingIfNeeded: value)
    }
}

extension UnsafeMutableRawPointer {
    /// Applies `delta` to the big-endian checksum stored at `offset`.
    @inline(__always)
    func adjustChecksum(at offset: Int, by delta: ChecksumDelta) {
        let old = UnsafeRawPointer(self).be16(offset)
        storeBE16(delta.applied(to: old), at: offset)
    }

    /// Applies `delta` to a UDP checksum at `offset`: 0 (no checksum) stays 0, and a result of 0
    /// is written as 0xffff (RFC 768).
    @inline(__always)
    func adjustUDPChecksum(at offset: Int, by delta: ChecksumDelta) {
        let old = UnsafeRawPointer(self).be16(offset)
        guard old != 0 else { return }
        let new = delta.applied(to: old)
        storeBE16(new == 0 ? 0xffff : new, at: offset)
    }
}
