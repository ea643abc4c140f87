/// Which port each source MAC was last seen on, so frames the host sends through the host port
/// go to the segment that holds their destination (both segments when unknown).
///
/// A fixed-size, direct-mapped table: learning is one store per frame, a collision simply
/// replaces the older entry (the frame then goes out of both ports, which is still correct).
public final class MACTable {
    private let keys: UnsafeMutablePointer<UInt64>
    private let mask: Int

    /// Room for `size` entries (rounded up to a power of two).
    public init(size: Int = 4096) {
        var capacity = 1
        while capacity < size { capacity <<= 1 }
        mask = capacity - 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
    }

    deinit { keys.deallocate() }

    @inline(__always)
    private func slot(_ mac: UInt64) -> Int {
        Int(truncatingIfNeeded: (mac &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// Records that `mac` (low 48 bits) was a source on `port` (0 or 1). Group addresses are
    /// never sources and are ignored.
    @inline(__always)
    public func learn(_ mac: UInt64, port: UInt8) {
        guard mac & 0x0100_0000_0000 == 0 else { return }
        // Entry: MAC in the low 48 bits, port + 1 above them.
        keys[slot(mac)] = mac | (UInt64(port) + 1) << 48
    }

    /// The port `mac` was last seen on, or nil (unknown, or a group address: send to both).
    public func port(of mac: UInt64) -> UInt8? {
        guard mac & 0x0100_0000_0000 == 0 else { return nil }
        let entry = keys[slot(mac)]
        guard entry & 0xffff_ffff_ffff == mac, entry >> 48 != 0 else { return nil }
        return UInt8(entry >> 48) - 1
    }
}
