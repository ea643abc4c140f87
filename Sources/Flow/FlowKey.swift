/// Which end of a ``FlowKey`` a frame came from: the lower (address, port) pair or the higher.
public enum FlowSide: UInt8, Sendable {
    /// The frame's source is the key's low side.
    case low = 0
    /// The frame's source is the key's high side.
    case high = 1

    /// The other end.
    @inlinable public var other: FlowSide { self == .low ? .high : .low }
}

/// A flow's key, the same for both directions: the lower (address, port) pair first.
///
/// Both directions of a flow build the same key; ``FlowSide`` says which end a frame came from.
/// Addresses are compared first, then ports (so the order is the pair's, not each field's
/// sorted on its own as in Suricata: the side stays recoverable). For ICMP query flows the order
/// is by address alone, `lowPort` holds the identifier and `highPort` the request type. The VLAN
/// ids are part of the key: the same addresses on two VLANs are two flows.
public struct FlowKey: Sendable, Hashable {
    /// The low side's address (IPv4 v4-mapped).
    public var lowAddress: UInt128
    /// The high side's address.
    public var highAddress: UInt128
    /// Ports, protocol and VLANs in one word (see ``packPorts(low:high:protocol:outerVLAN:innerVLAN:)``),
    /// so comparing two keys is five word compares.
    public var packed: UInt64
    /// IPv4 or IPv6.
    public var family: FlowFamily

    /// The low side's port (the identifier for ICMP query flows; 0 without ports).
    @inlinable public var lowPort: UInt16 { UInt16(truncatingIfNeeded: packed) }
    /// The high side's port (the request type for ICMP query flows; 0 without ports).
    @inlinable public var highPort: UInt16 { UInt16(truncatingIfNeeded: packed >> 16) }
    /// The L4 protocol number.
    @inlinable public var ipProtocol: UInt8 { UInt8(truncatingIfNeeded: packed >> 32) }
    /// The outer VLAN id, 12 bits.
    @inlinable public var outerVLAN: UInt16 { UInt16(truncatingIfNeeded: packed >> 40) & 0x0fff }
    /// The inner (QinQ) VLAN id, 12 bits.
    @inlinable public var innerVLAN: UInt16 { UInt16(truncatingIfNeeded: packed >> 52) & 0x0fff }

    /// Two keys are equal when their five words and family are: one pass, no branches until
    /// the end (the derived comparison was an out-of-line call on the lookup path).
    @inlinable @inline(__always)
    public static func == (a: FlowKey, b: FlowKey) -> Bool {
        let addresses = (a.lowAddress ^ b.lowAddress) | (a.highAddress ^ b.highAddress)
        return addresses | UInt128(a.packed ^ b.packed) == 0 && a.family == b.family
    }

    /// Ports (16 bits each), protocol (8) and VLAN ids (12 each) in one word.
    @inlinable @inline(__always)
    public static func packPorts(
        low: UInt16, high: UInt16, protocol ipProtocol: UInt8, outerVLAN: UInt16, innerVLAN: UInt16
    ) -> UInt64 {
        UInt64(low) | UInt64(high) << 16 | UInt64(ipProtocol) << 32 | UInt64(outerVLAN & 0x0fff) << 40
            | UInt64(innerVLAN & 0x0fff) << 52
    }

    /// The key of a frame from `source`:`sourcePort` to `destination`:`destinationPort`, and the
    /// side the frame came from. For ICMP query protocols pass the identifier as `sourcePort` and
    /// the request type as `destinationPort` (see ``FlowTuple``).
    @inlinable @inline(__always)
    public static func oriented(
        family: FlowFamily, ipProtocol: UInt8, source: UInt128, sourcePort: UInt16, destination: UInt128,
        destinationPort: UInt16, outerVLAN: UInt16, innerVLAN: UInt16
    ) -> (key: FlowKey, side: FlowSide) {
        let icmp = isICMP(ipProtocol, family)
        let sourceIsLow =
            source < destination || (source == destination && (icmp || sourcePort <= destinationPort))
        // ICMP keeps identifier and request type in place whichever side is low.
        let swapPorts = !sourceIsLow && !icmp
        let key = FlowKey(
            lowAddress: sourceIsLow ? source : destination, highAddress: sourceIsLow ? destination : source,
            lowPort: swapPorts ? destinationPort : sourcePort, highPort: swapPorts ? sourcePort : destinationPort,
            ipProtocol: ipProtocol, family: family, outerVLAN: outerVLAN, innerVLAN: innerVLAN)
        return (key, sourceIsLow ? .low : .high)
    }

    /// The key of `tuple`, and the side its source (the originator) is on.
    @inlinable
    public init(_ tuple: FlowTuple) {
        self = FlowKey.side(of: tuple).key
    }

    /// The key of `tuple` and the side of its source.
    @inlinable
    public static func side(of tuple: FlowTuple) -> (key: FlowKey, side: FlowSide) {
        oriented(
            family: tuple.family, ipProtocol: tuple.ipProtocol, source: tuple.source, sourcePort: tuple.sourcePort,
            destination: tuple.destination, destinationPort: tuple.destinationPort, outerVLAN: tuple.outerVLAN,
            innerVLAN: tuple.innerVLAN)
    }

    /// A key from its fields, already in canonical order.
    @inlinable @inline(__always)
    public init(
        lowAddress: UInt128, highAddress: UInt128, lowPort: UInt16, highPort: UInt16, ipProtocol: UInt8,
        family: FlowFamily, outerVLAN: UInt16, innerVLAN: UInt16
    ) {
        self.lowAddress = lowAddress
        self.highAddress = highAddress
        self.packed = FlowKey.packPorts(
            low: lowPort, high: highPort, protocol: ipProtocol, outerVLAN: outerVLAN, innerVLAN: innerVLAN)
        self.family = family
    }

    /// The flow in the orientation of a frame sent from `side`.
    @inlinable
    public func tuple(from side: FlowSide) -> FlowTuple {
        let icmp = FlowKey.isICMP(ipProtocol, family)
        let fromLow = side == .low
        return FlowTuple(
            family: family, ipProtocol: ipProtocol, source: fromLow ? lowAddress : highAddress,
            destination: fromLow ? highAddress : lowAddress,
            sourcePort: icmp || fromLow ? lowPort : highPort, destinationPort: icmp || fromLow ? highPort : lowPort,
            outerVLAN: outerVLAN, innerVLAN: innerVLAN)
    }

    /// The address on `side`.
    @inlinable @inline(__always)
    public func address(_ side: FlowSide) -> UInt128 { side == .low ? lowAddress : highAddress }

    /// True for ICMP over IPv4 and ICMPv6 over IPv6, whose query flows are keyed by identifier.
    @inlinable @inline(__always)
    public static func isICMP(_ ipProtocol: UInt8, _ family: FlowFamily) -> Bool {
        family == .ipv4 ? ipProtocol == 1 : ipProtocol == 58
    }

}
