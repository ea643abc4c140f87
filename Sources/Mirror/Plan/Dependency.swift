/// A condition a field needs before its bytes mean anything, as `nft` inserts it in the bridge
/// family (a "protocol dependency"). The planner emits each at most once per rule, before the
/// first term that needs it.
enum Dependency: Hashable {
    /// `meta protocol == TYPE`: the EtherType after at most one VLAN tag (the kernel takes one tag
    /// off before the bridge sees the frame).
    case etherType(UInt16)
    /// `meta l4proto == PROTO`.
    case l4proto(UInt8)
    /// `ether type == 0x8100` at link offset 12: the frame has an 802.1Q outer tag (what nft's
    /// `vlan` rewrites need).
    case vlanTag
    /// `ether type @bk.tpids`: the frame has an outer VLAN tag of any TPID Bridgekeeper walks
    /// (what `vlan id` and `vlan pcp` matches need). Its lookup needs the plan's TPID set, so the
    /// planner builds its statement (``Dependency/outerTagStatement(_:)``).
    case outerTag
    /// `arp htype 1 arp ptype ip` (4 bytes at network offset 0): ARP for IPv4 over Ethernet.
    /// `nft` checks neither this nor ``arpAddressLengths`` for `arp saddr ip` and its kin; the
    /// policy's fields exist only in that format, so the mirror states both (the nft text too).
    case arpIPv4OverEthernet
    /// `arp hlen 6 arp plen 4` (2 bytes at network offset 4): the address lengths of that format.
    case arpAddressLengths

    /// The statement that checks the condition. After an 802.1Q tag check, `nft` tests the
    /// EtherType inside the tag (`vlan type`, link offset 16) instead of `meta protocol`; for a
    /// frame with one tag both are the same value.
    func statement(afterVLANTag: Bool) -> MatchStatement {
        switch self {
        case .etherType(let type) where afterVLANTag:
            let data = Bytes.bigEndian(UInt128(type), count: 2)
            return MatchStatement([.payload(.link, offset: 16, length: 2), .compare(.equal, data)], isProtocol: true)
        case .vlanTag:
            return MatchStatement(expressions, isProtocol: true)
        default:
            return MatchStatement(expressions)
        }
    }

    /// The expressions that check the condition on a frame whose tags are not yet known.
    var expressions: [NftExpression] {
        switch self {
        case .etherType(let type):
            return [.meta(.protocolType), .compare(.equal, Bytes.bigEndian(UInt128(type), count: 2))]
        case .l4proto(let proto):
            return [.meta(.l4proto), .compare(.equal, [proto])]
        case .vlanTag:
            return [.payload(.link, offset: 12, length: 2), .compare(.equal, [0x81, 0x00])]
        case .outerTag:
            return [
                .payload(.link, offset: 12, length: 2),
                .lookup(setName: SetRegistry.tpidsName, setID: 0, inverted: false),
            ]
        case .arpIPv4OverEthernet, .arpAddressLengths:
            let (offset, bytes) = arpHeaderBytes!
            return [.payload(.network, offset: offset, length: bytes.count), .compare(.equal, bytes)]
        }
    }

    /// Where an ARP format check reads (network offset) and the bytes it wants.
    var arpHeaderBytes: (offset: Int, bytes: [UInt8])? {
        switch self {
        case .arpIPv4OverEthernet: return (0, [0x00, 0x01, 0x08, 0x00])
        case .arpAddressLengths: return (4, [0x06, 0x04])
        default: return nil
        }
    }

    /// The outer-tag check against the plan's TPID set.
    static func outerTagStatement(_ tpids: NftSet) -> MatchStatement {
        MatchStatement.unmergeable(
            [.payload(.link, offset: 12, length: 2), .lookup(setName: tpids.name, setID: tpids.id, inverted: false)])
    }

    /// The condition in `nft` text, for when `nft` would not insert the same check by itself.
    var text: String {
        switch self {
        case .etherType(let type): return "meta protocol \(NftValueText.etherType(type))"
        case .l4proto(let proto): return "meta l4proto \(proto)"
        case .vlanTag: return "ether type vlan"
        case .outerTag: return "ether type @\(SetRegistry.tpidsName)"
        case .arpIPv4OverEthernet: return "arp htype 1 arp ptype ip"
        case .arpAddressLengths: return "arp hlen 6 arp plen 4"
        }
    }

    /// Two conditions on the same header that no frame meets together.
    func contradicts(_ other: Dependency) -> Bool {
        switch (self, other) {
        case (.etherType(let x), .etherType(let y)): return x != y
        case (.l4proto(let x), .l4proto(let y)): return x != y
        default: return false
        }
    }
}

/// Big-endian byte strings of field values.
enum Bytes {
    /// The low `count` bytes of `value`, most significant first.
    static func bigEndian(_ value: UInt128, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var rest = value
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes[index] = UInt8(truncatingIfNeeded: rest)
            rest >>= 8
        }
        return bytes
    }

    /// The interface name as `meta iifname` holds it: 16 bytes, NUL-padded.
    static func interfaceName(_ name: String) -> [UInt8] {
        var bytes = Array(name.utf8.prefix(16))
        bytes += [UInt8](repeating: 0, count: 16 - bytes.count)
        return bytes
    }
}
