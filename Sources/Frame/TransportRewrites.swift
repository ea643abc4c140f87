/// Rewrites of TCP and UDP ports, with the checksum that covers them.
extension FrameBuffer {
    /// Writes the port at `offset` (0 source, 2 destination) when the frame's L4 protocol is
    /// `proto` and its ports are present; the checksum is fixed when the whole header is there.
    mutating func setPort(_ port: UInt16, at offset: Int, protocol proto: UInt8, info: inout FrameInfo) -> Bool {
        guard info.present.contains(.ports), info.l4Protocol == proto else { return false }
        let l4 = storage + start + info.l4Offset
        let delta = ChecksumDelta(old: UnsafeRawPointer(l4).be16(offset), new: port)
        l4.storeBE16(port, at: offset)
        if info.present.contains(.l4Header) {
            if proto == IPProtocol.tcp {
                l4.adjustChecksum(at: 16, by: delta)
            } else {
                l4.adjustUDPChecksum(at: 6, by: delta)
            }
        }
        if offset == 0 { info.sourcePort = port } else { info.destinationPort = port }
        return true
    }
}
