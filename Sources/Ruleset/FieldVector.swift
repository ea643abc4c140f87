import Frame

extension FieldCode {
    /// This field's bit in a ``FieldVector`` presence mask.
    @inlinable public var bit: UInt64 { 1 << UInt64(rawValue) }

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
    /// ``groupMasks``, ``l4BitsByGroups`` and ``l4BitsByProtocol``, copied next to the values
    /// (reading the static tables went through a lazy-initialisation check every frame).
    public let tables: UnsafePointer<UInt64>
    /// Bit `FieldCode.rawValue` set: the frame has that field.
    public var present: UInt64 = 0

    @inlinable
    public init(
        narrow: UnsafeMutablePointer<UInt64>, wide: UnsafeMutablePointer<UInt128>, tables: UnsafePointer<UInt64>
    ) {
        self.narrow = narrow
        self.wide = wide
        self.tables = tables
    }

    /// Where each table starts in ``tables``.
    @usableFromInline static let groupCount = Int(groupMaskLimit) + 1
    public static var tableLength: Int { 2 * groupCount + 256 }

    /// The three presence tables, one after the other.
    public static func makeTables() -> [UInt64] { groupMasks + l4BitsByGroups + l4BitsByProtocol }

    /// The value of `field`, or nil when the frame lacks it.
    @inlinable @inline(__always)
    public subscript(field: FieldCode) -> UInt128? {
        guard present & field.bit != 0 else { return nil }
        return field.isWide ? wide[field == .ip6Saddr ? 0 : 1] : UInt128(narrow[Int(field.rawValue)])
    }

    /// Fills the vector from a parsed frame that arrived on `port`: the values of the fields in
    /// `used` (the fields a compiled policy reads; the branches go the same way every frame) and
    /// the presence of every field.
    @inlinable @inline(__always)
    public mutating func load(_ info: borrowing FrameInfo, port: UInt8, used: UInt64 = .max) {
        let v = narrow
        if used & FieldCode.iif.bit != 0 { v[Int(FieldCode.iif.rawValue)] = UInt64(port) }
        if used & FieldCode.etherSaddr.bit != 0 { v[Int(FieldCode.etherSaddr.rawValue)] = info.sourceMAC }
        if used & FieldCode.etherDaddr.bit != 0 { v[Int(FieldCode.etherDaddr.rawValue)] = info.destinationMAC }
        if used & FieldCode.etherType.bit != 0 { v[Int(FieldCode.etherType.rawValue)] = UInt64(info.etherType) }
        if used & FieldCode.vlanID.bit != 0 { v[Int(FieldCode.vlanID.rawValue)] = UInt64(info.outerVLANTCI & 0x0fff) }
        if used & FieldCode.vlanPCP.bit != 0 { v[Int(FieldCode.vlanPCP.rawValue)] = UInt64(info.outerVLANTCI >> 13) }
        if used & FieldCode.arpOperation.bit != 0 {
            v[Int(FieldCode.arpOperation.rawValue)] = UInt64(info.arpOperation)
        }
        if used & FieldVector.arpAddressBits != 0 {
            v[Int(FieldCode.arpSaddrIP.rawValue)] = UInt64(info.arpSenderIP)
            v[Int(FieldCode.arpDaddrIP.rawValue)] = UInt64(info.arpTargetIP)
            v[Int(FieldCode.arpSaddrEther.rawValue)] = info.arpSenderMAC
            v[Int(FieldCode.arpDaddrEther.rawValue)] = info.arpTargetMAC
        }
        if used & FieldCode.ipSaddr.bit != 0 { v[Int(FieldCode.ipSaddr.rawValue)] = UInt64(info.ipv4Source) }
        if used & FieldCode.ipDaddr.bit != 0 { v[Int(FieldCode.ipDaddr.rawValue)] = UInt64(info.ipv4Destination) }
        if used & FieldCode.ipProtocol.bit != 0 { v[Int(FieldCode.ipProtocol.rawValue)] = UInt64(info.ipProtocol) }
        if used & FieldCode.ipDSCP.bit != 0 { v[Int(FieldCode.ipDSCP.rawValue)] = UInt64(info.dscp) }
        if used & FieldCode.ipECN.bit != 0 { v[Int(FieldCode.ipECN.rawValue)] = UInt64(info.ecn) }
        if used & FieldCode.ipTTL.bit != 0 { v[Int(FieldCode.ipTTL.rawValue)] = UInt64(info.ttl) }
        if used & FieldCode.ip6Nexthdr.bit != 0 { v[Int(FieldCode.ip6Nexthdr.rawValue)] = UInt64(info.ipProtocol) }
        if used & FieldCode.ip6Hoplimit.bit != 0 { v[Int(FieldCode.ip6Hoplimit.rawValue)] = UInt64(info.ttl) }
        if used & FieldCode.ip6DSCP.bit != 0 { v[Int(FieldCode.ip6DSCP.rawValue)] = UInt64(info.dscp) }
        if used & FieldCode.tcpSport.bit != 0 { v[Int(FieldCode.tcpSport.rawValue)] = UInt64(info.sourcePort) }
        if used & FieldCode.tcpDport.bit != 0 { v[Int(FieldCode.tcpDport.rawValue)] = UInt64(info.destinationPort) }
        if used & FieldCode.tcpFlags.bit != 0 { v[Int(FieldCode.tcpFlags.rawValue)] = UInt64(info.tcpFlags) }
        if used & FieldCode.udpSport.bit != 0 { v[Int(FieldCode.udpSport.rawValue)] = UInt64(info.sourcePort) }
        if used & FieldCode.udpDport.bit != 0 { v[Int(FieldCode.udpDport.rawValue)] = UInt64(info.destinationPort) }
        if used & FieldCode.thSport.bit != 0 { v[Int(FieldCode.thSport.rawValue)] = UInt64(info.sourcePort) }
        if used & FieldCode.thDport.bit != 0 { v[Int(FieldCode.thDport.rawValue)] = UInt64(info.destinationPort) }
        if used & FieldCode.icmpType.bit != 0 { v[Int(FieldCode.icmpType.rawValue)] = UInt64(info.icmpType) }
        if used & FieldCode.icmpv6Type.bit != 0 { v[Int(FieldCode.icmpv6Type.rawValue)] = UInt64(info.icmpType) }
        if used & FieldCode.metaL4proto.bit != 0 { v[Int(FieldCode.metaL4proto.rawValue)] = UInt64(info.l4Protocol) }
        if used & FieldCode.metaLength.bit != 0 { v[Int(FieldCode.metaLength.rawValue)] = UInt64(info.length) }
        if used & FieldCode.ip6Saddr.bit != 0 { wide[0] = info.ipv6Source }
        if used & FieldCode.ip6Daddr.bit != 0 { wide[1] = info.ipv6Destination }

        // Presence without branches (they mispredicted on mixed traffic): the header groups the
        // parser found index one table, the L4 protocol another.
        // Literal offsets (`groupCount` is 2048): a static read here costs a lazy-init check.
        let groups = Int(info.present.rawValue & 0x7ff)
        let byGroups = tables[2048 + groups]
        let byProtocol = tables[4096 + Int(info.l4Protocol)]
        present = tables[groups] | (byGroups & byProtocol)
    }

    /// Presence bits that do not depend on the L4 protocol, by `FieldPresence` groups.
    @usableFromInline static let groupMaskLimit: UInt16 = 0x7ff
    @usableFromInline static let groupMasks: [UInt64] = (0...Int(groupMaskLimit)).map { raw in
        let p = FieldPresence(rawValue: UInt16(raw))
        var mask = FieldCode.iif.bit | FieldCode.metaLength.bit
        if p.contains(.ethernet) { mask |= ethernetBits }
        if p.contains(.vlan) { mask |= FieldCode.vlanID.bit | FieldCode.vlanPCP.bit }
        if p.contains(.arp) { mask |= FieldCode.arpOperation.bit }
        if p.contains(.arpAddresses) { mask |= arpAddressBits }
        if p.contains(.ipv4) { mask |= ipv4Bits }
        if p.contains(.ipv6) { mask |= ipv6Bits }
        if p.contains(.l4Protocol) { mask |= FieldCode.metaL4proto.bit }
        if p.contains(.tcpFlags) { mask |= FieldCode.tcpFlags.bit }
        return mask
    }

    /// The L4 fields the groups allow (ports, ICMP type), before the protocol narrows them.
    @usableFromInline static let l4BitsByGroups: [UInt64] = (0...Int(groupMaskLimit)).map { raw in
        let p = FieldPresence(rawValue: UInt16(raw))
        var mask: UInt64 = 0
        if p.contains(.ports) { mask |= portBits }
        if p.contains(.icmpType) { mask |= FieldCode.icmpType.bit | FieldCode.icmpv6Type.bit }
        return mask
    }

    /// The L4 fields a protocol number has.
    @usableFromInline static let l4BitsByProtocol: [UInt64] = (0...255).map { number in
        switch UInt8(number) {
        case IPProtocol.tcp: return FieldCode.tcpSport.bit | FieldCode.tcpDport.bit | thBits
        case IPProtocol.udp: return FieldCode.udpSport.bit | FieldCode.udpDport.bit | thBits
        case IPProtocol.icmp: return FieldCode.icmpType.bit
        case IPProtocol.icmpv6: return FieldCode.icmpv6Type.bit
        default: return 0
        }
    }

    static let portBits =
        FieldCode.tcpSport.bit | FieldCode.tcpDport.bit | FieldCode.udpSport.bit | FieldCode.udpDport.bit | thBits
    static let thBits = FieldCode.thSport.bit | FieldCode.thDport.bit

    public static let ethernetBits = FieldCode.etherSaddr.bit | FieldCode.etherDaddr.bit | FieldCode.etherType.bit
    /// The four ARP address fields, loaded and present together.
    public static let arpAddressBits =
        FieldCode.arpSaddrIP.bit | FieldCode.arpDaddrIP.bit | FieldCode.arpSaddrEther.bit | FieldCode.arpDaddrEther.bit
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
    /// A parsed frame, reused frame after frame (no copy of a returned struct).
    public let info: UnsafeMutablePointer<FrameInfo>

    public let tables: UnsafeMutablePointer<UInt64>

    public init() {
        let built = FieldVector.makeTables()
        tables = .allocate(capacity: built.count)
        tables.initialize(from: built, count: built.count)
        info = .allocate(capacity: 1)
        info.initialize(to: FrameInfo())
        narrow = .allocate(capacity: FieldCode.allCases.count)
        narrow.initialize(repeating: 0, count: FieldCode.allCases.count)
        wide = .allocate(capacity: 2)
        wide.initialize(repeating: 0, count: 2)
    }

    deinit {
        tables.deallocate()
        info.deallocate()
        narrow.deallocate()
        wide.deallocate()
    }

    /// An empty vector over this storage.
    @inlinable public var vector: FieldVector { FieldVector(narrow: narrow, wide: wide, tables: tables) }
}
