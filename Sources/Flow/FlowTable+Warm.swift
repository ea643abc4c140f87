import Frame

/// Overlapping a batch's cache misses. A large table's flows are mostly in DRAM, and one frame's
/// classify waits for its slot: a frame at a time, the misses follow one another. Swift has no
/// prefetch instruction, so `warm` reads the memory instead, in a loop short enough that the CPU
/// keeps several of those reads in flight at once.
extension FlowTable {
    /// Reads what a classify of this parsed frame will read (both cache lines of its home slot,
    /// the first holding its chain's head), changing nothing, and returns a number that means
    /// nothing (fold it into something so the reads are kept). Call it for every frame of a batch, then classify and
    /// commit them in order. TCP, UDP and port-less protocols only: ICMP, fragments and frames
    /// that are not IP are left for classify. Measured (PipelineBench, random order, on a machine
    /// whose DRAM answers in 240 ns): 100,000 flows 265 -> 167 ns a frame for the table,
    /// 1,000,000 flows 357 -> 202; but 4,096 flows, which fit in cache, 37 -> 44: warm only a
    /// table larger than the cache.
    @inline(__always)
    public func warm(frame: UnsafeRawBufferPointer, info: inout FrameInfo) -> UInt64 {
        let present = info.present
        let proto = info.l4Protocol
        guard present.contains(.l4Protocol), !info.isFragment || info.isFirstFragment else { return 0 }
        let ipv4 = present.contains(.ipv4)
        let family: FlowFamily = ipv4 ? .ipv4 : .ipv6
        guard !FlowKey.isICMP(proto, family) else { return 0 }
        let (key, _) = FlowKey.oriented(
            family: family, ipProtocol: proto,
            source: ipv4 ? FlowAddress.mapped(info.ipv4Source) : info.ipv6Source, sourcePort: info.sourcePort,
            destination: ipv4 ? FlowAddress.mapped(info.ipv4Destination) : info.ipv6Destination,
            destinationPort: info.destinationPort,
            outerVLAN: info.vlanTagCount > 0 ? info.outerVLANTCI & 0x0fff : 0,
            innerVLAN: info.vlanTagCount > 1 ? info.innerVLANTCI & 0x0fff : 0)
        let hash = hasher.hash(key)
        let home = slots + Int(self.home(hash))
        return UInt64(home.pointee.bucketHead) &+ UInt64(home.pointee.hash) &+ home.pointee.listTime
    }
}
