/// Clamping the TCP maximum segment size option, as nft's `tcp option maxseg size set N`.
extension FrameBuffer {
    /// Lowers the MSS option's value to `limit` and fixes the TCP checksum incrementally (RFC
    /// 1624). As the kernel's `nft_exthdr_tcp_set_eval`, the value is only ever lowered: an MSS
    /// already at or below `limit` is left as it is (raising it can stall the connection: the
    /// peer would send segments a smaller link on the path cannot carry). Returns false, changing
    /// nothing, when there is nothing to lower or no sound MSS option
    /// (``TCPOptions/maximumSegmentSizeOffset(_:info:)``).
    mutating func clampSegmentSize(to limit: UInt16, info: inout FrameInfo) -> Bool {
        guard let offset = TCPOptions.maximumSegmentSizeOffset(readOnlyBytes, info: info) else { return false }
        let frame = storage + start
        let old = UnsafeRawPointer(frame).be16(offset)
        guard limit < old else { return false }
        frame.storeBE16(limit, at: offset)
        // The checksum sums 16-bit words from the TCP header's start: a value at an odd
        // distance from it straddles two words, which is the same as its bytes swapped.
        let aligned = (offset - info.l4Offset) & 1 == 0
        let delta =
            aligned
            ? ChecksumDelta(old: old, new: limit) : ChecksumDelta(old: old.byteSwapped, new: limit.byteSwapped)
        (frame + info.l4Offset).adjustChecksum(at: 16, by: delta)
        return true
    }
}
