import Frame

/// For each common shape of frame (which fields it has), the rules that can match it.
///
/// A rule whose equal terms need a field the frame lacks can never match it. Testing that per
/// rule per frame is cheap but its branch is unpredictable on mixed traffic; instead the compiler
/// lists, for every plausible presence mask (untagged or tagged; ARP, IPv4 or IPv6; TCP, UDP,
/// ICMP, another protocol or none), the unindexed rules worth trying, and a frame picks its list
/// with one hash lookup. A frame of another shape (a truncated header, say) falls back to the
/// full list, checking each rule's needs.
public struct FrameClassTable: @unchecked Sendable {
    /// One slot of the table: the presence mask it holds and that shape's rule list.
    public struct Entry: Sendable {
        public var shape: UInt64
        public var rules: PoolSlice
    }

    /// A collision-free (perfect) hash over the known shapes: `(mask &* multiplier) >> shift`.
    public let entries: FlatArray<Entry>
    public let multiplier: UInt64
    public let shift: UInt64

    /// Builds the table for `shapes` (with their rule lists), searching for a multiplier that
    /// puts every shape in its own slot.
    init(shapes: [(shape: UInt64, rules: PoolSlice)]) {
        var bits: UInt64 = 6
        var random = SplitMix64(seed: 0x5eed)
        while true {
            for _ in 0..<2000 {
                let multiplier = random.next() | 1
                let shift = 64 - bits
                var slots = [Entry](repeating: Entry(shape: UInt64.max, rules: .empty), count: 1 << Int(bits))
                var clash = false
                for (shape, rules) in shapes {
                    let index = Int((shape &* multiplier) >> shift)
                    if slots[index].shape != UInt64.max {
                        clash = true
                        break
                    }
                    slots[index] = Entry(shape: shape, rules: rules)
                }
                if !clash {
                    self.entries = FlatArray(slots)
                    self.multiplier = multiplier
                    self.shift = shift
                    return
                }
            }
            bits += 1
        }
    }

    /// The rules to try for a frame with presence mask `present`, or nil when the shape is not
    /// one the table knows.
    @inlinable @inline(__always)
    public func rules(for present: UInt64) -> PoolSlice? {
        let entry = entries.base[Int((present &* multiplier) >> shift)]
        return entry.shape == present ? entry.rules : nil
    }

    func deallocate() {
        entries.deallocate()
    }

    /// Every presence mask ``FieldVector/load(_:port:)`` produces for a whole frame of a common shape.
    static var commonShapes: [UInt64] {
        let base = FieldCode.iif.bit | FieldCode.metaLength.bit | FieldVector.ethernetBits
        let vlan = FieldCode.vlanID.bit | FieldCode.vlanPCP.bit
        let l4 = FieldCode.metaL4proto.bit
        let tcp = l4 | FieldCode.tcpSport.bit | FieldCode.tcpDport.bit | FieldCode.tcpFlags.bit
        let udp = l4 | FieldCode.udpSport.bit | FieldCode.udpDport.bit
        var shapes: [UInt64] = []
        for tag in [0, vlan] {
            shapes.append(base | tag)
            shapes.append(base | tag | FieldCode.arpOperation.bit)
            shapes.append(base | tag | FieldCode.arpOperation.bit | FieldVector.arpAddressBits)
            for (l3, icmp) in [
                (FieldVector.ipv4Bits, FieldCode.icmpType.bit), (FieldVector.ipv6Bits, FieldCode.icmpv6Type.bit),
            ] {
                for transport in [0, l4, tcp, udp, l4 | icmp] {
                    shapes.append(base | tag | l3 | transport)
                }
            }
        }
        return shapes
    }
}
