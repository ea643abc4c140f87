/// For each common shape of frame (which fields it has), the rules that can match it.
///
/// A rule whose equal terms need a field the frame lacks can never match it. Testing that per
/// rule per frame is cheap but its branch is unpredictable on mixed traffic; instead the compiler
/// lists, for every plausible presence mask (untagged or tagged; ARP, IPv4 or IPv6; TCP, UDP,
/// ICMP, another protocol or none), the unindexed rules worth trying, and a frame picks its list
/// with one hash lookup. A frame of another shape (a truncated header, say) falls back to the
/// full list, checking each rule's needs.
public struct FrameClassTable: @unchecked Sendable {
    /// Presence mask → index + 1 into `lists` (stored as a slice start).
    public let classes: FlatHashMap
    /// Rule lists, each a slice of the rule pool.
    public let lists: FlatArray<PoolSlice>

    init(classes: FlatHashMap, lists: [PoolSlice]) {
        self.classes = classes
        self.lists = FlatArray(lists)
    }

    /// The rules to try for a frame with presence mask `present`, or nil when the shape is not
    /// one the table knows.
    @inlinable @inline(__always)
    public func rules(for present: UInt32) -> PoolSlice? {
        let found = classes.lookup(UInt128(present))
        return found.count == 0 ? nil : lists.base[Int(found.start)]
    }

    func deallocate() {
        classes.deallocate()
        lists.deallocate()
    }

    /// Every presence mask ``FieldVector/load(_:port:)`` produces for a whole frame of a common shape.
    static var commonShapes: [UInt32] {
        let base = FieldCode.iif.bit | FieldCode.metaLength.bit | FieldVector.ethernetBits
        let vlan = FieldCode.vlanID.bit | FieldCode.vlanPCP.bit
        let l4 = FieldCode.metaL4proto.bit
        let tcp = l4 | FieldCode.tcpSport.bit | FieldCode.tcpDport.bit | FieldCode.tcpFlags.bit
        let udp = l4 | FieldCode.udpSport.bit | FieldCode.udpDport.bit
        var shapes: [UInt32] = []
        for tag in [0, vlan] {
            shapes.append(base | tag)
            shapes.append(base | tag | FieldCode.arpOperation.bit)
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
