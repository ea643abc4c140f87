import Frame

extension FieldCode {
    /// This field's bit in a ``FieldVector`` presence mask.
    @inlinable public var bit: UInt32 { 1 << UInt32(rawValue) }

    /// IPv6 addresses do not fit 64 bits; every other field does.
    @inlinable public var isWide: Bool { self == .ip6Saddr || self == .ip6Daddr }
}

/// Every field value of one frame, extracted once, so a term reads its field with one load and
/// one mask test instead of a switch per term (the switch's indirect jump mispredicted on
/// almost every term).
///
/// Fields up to 64 bits wide live in ``narrow`` (indexed by `FieldCode.rawValue`); the two IPv6
/// addresses in ``wide`` (0: source, 1: destination). The memory is the owner's, allocated once.
/// A value is meaningful only when its bit is in ``present``.
public struct FieldVector {
    public let narrow: UnsafeMutablePointer<UInt64>
    public let wide: UnsafeMutablePointer<UInt128>
    /// Bit `FieldCode.rawValue` set: the frame has that field.
    public var present: UInt32 = 0

    @inlinable
    public init(narrow: UnsafeMutablePointer<UInt64>, wide: UnsafeMutablePointer<UInt128>) {
        self.narrow = narrow
        self.wide = wide
    }

    /// The value of `field`, or nil when the frame lacks it.
    @inlinable @inline(__always)
    public subscript(field: FieldCode) -> UInt128? {
        guard present & field.bit != 0 else { return nil }
        return field.isWide ? wide[field == .ip6Saddr ? 0 : 1] : UInt128(narrow[Int(field.rawValue)])
    }

    /// Fills the vector from a parsed frame that arrived on `port`. Straight-line code: every
    /// value is written, presence decides which count.
    @inlinable
    public mutating func load(_ info: borrowing FrameInfo, port: UInt8) {
        let v = narrow
        v[Int(FieldCode.iif.rawValue)] = UInt64(port)
        v[Int(FieldCode.etherSaddr.rawValue)] = info.sourceMAC
        v[Int(FieldCode.etherDaddr.rawValue)] = info.destinationMAC
        v[Int(FieldCode.etherType.rawValue)] = UInt64(info.etherType)
        v[Int(FieldCode.vlanID.rawValue)] = UInt64(info.outerVLANTCI & 0x0fff)
        v[Int(FieldCode.vlanPCP.rawValue)] = UInt64(info.outerVLANTCI >> 13)
        v[Int(FieldCode.arpOperation.rawValue)] = UInt64(info.arpOperation)
        v[Int(FieldCode.ipSaddr.rawValue)] = UInt64(info.ipv4Source)
        v[Int(FieldCode.ipDaddr.rawValue)] = UInt64(info.ipv4Destination)
        v[Int(FieldCode.ipProtocol.rawValue)] = UInt64(info.ipProtocol)
        v[Int(FieldCode.ipDSCP.rawValue)] = UInt64(info.dscp)
        v[Int(FieldCode.ipECN.rawValue)] = UInt64(info.ecn)
        v[Int(FieldCode.ipTTL.rawValue)] = UInt64(info.ttl)
        v[Int(FieldCode.ip6Nexthdr.rawValue)] = UInt64(info.ipProtocol)
        v[Int(FieldCode.ip6Hoplimit.rawValue)] = UInt64(info.ttl)
        v[Int(FieldCode.ip6DSCP.rawValue)] = UInt64(info.dscp)
        v[Int(FieldCode.tcpSport.rawValue)] = UInt64(info.sourcePort)
        v[Int(FieldCode.tcpDport.rawValue)] = UInt64(info.destinationPort)
        v[Int(FieldCode.tcpFlags.rawValue)] = UInt64(info.tcpFlags)
        v[Int(FieldCode.udpSport.rawValue)] = UInt64(info.sourcePort)
        v[Int(FieldCode.udpDport.rawValue)] = UInt64(info.destinationPort)
        v[Int(FieldCode.icmpType.rawValue)] = UInt64(info.icmpType)
        v[Int(FieldCode.icmpv6Type.rawValue)] = UInt64(info.icmpType)
        v[Int(FieldCode.metaL4proto.rawValue)] = UInt64(info.l4Protocol)
        v[Int(FieldCode.metaLength.rawValue)] = UInt64(info.length)
        wide[0] = info.ipv6Source
        wide[1] = info.ipv6Destination

        let p = info.present
        var mask = FieldCode.iif.bit | FieldCode.metaLength.bit
        if p.contains(.ethernet) { mask |= Self.ethernetBits }
        if p.contains(.vlan) { mask |= FieldCode.vlanID.bit | FieldCode.vlanPCP.bit }
        if p.contains(.arp) { mask |= FieldCode.arpOperation.bit }
        if p.contains(.ipv4) { mask |= Self.ipv4Bits }
        if p.contains(.ipv6) { mask |= Self.ipv6Bits }
        if p.contains(.l4Protocol) { mask |= FieldCode.metaL4proto.bit }
        if p.contains(.ports) {
            if info.l4Protocol == IPProtocol.tcp { mask |= FieldCode.tcpSport.bit | FieldCode.tcpDport.bit }
            if info.l4Protocol == IPProtocol.udp { mask |= FieldCode.udpSport.bit | FieldCode.udpDport.bit }
        }
        if p.contains(.tcpFlags) { mask |= FieldCode.tcpFlags.bit }
        if p.contains(.icmpType) {
            if info.l4Protocol == IPProtocol.icmp { mask |= FieldCode.icmpType.bit }
            if info.l4Protocol == IPProtocol.icmpv6 { mask |= FieldCode.icmpv6Type.bit }
        }
        present = mask
    }

    public static let ethernetBits = FieldCode.etherSaddr.bit | FieldCode.etherDaddr.bit | FieldCode.etherType.bit
    public static let ipv4Bits =
        FieldCode.ipSaddr.bit | FieldCode.ipDaddr.bit | FieldCode.ipProtocol.bit | FieldCode.ipDSCP.bit
        | FieldCode.ipECN.bit | FieldCode.ipTTL.bit
    public static let ipv6Bits =
        FieldCode.ip6Saddr.bit | FieldCode.ip6Daddr.bit | FieldCode.ip6Nexthdr.bit | FieldCode.ip6Hoplimit.bit
        | FieldCode.ip6DSCP.bit
}

/// One thread's memory for a frame's field values.
public final class FieldVectorStorage: @unchecked Sendable {
    public let narrow: UnsafeMutablePointer<UInt64>
    public let wide: UnsafeMutablePointer<UInt128>

    public init() {
        narrow = .allocate(capacity: FieldCode.allCases.count)
        narrow.initialize(repeating: 0, count: FieldCode.allCases.count)
        wide = .allocate(capacity: 2)
        wide.initialize(repeating: 0, count: 2)
    }

    deinit {
        narrow.deallocate()
        wide.deallocate()
    }

    /// An empty vector over this storage.
    @inlinable public var vector: FieldVector { FieldVector(narrow: narrow, wide: wide) }
}
