import Policy

/// Where the kernel finds one policy field in a bridged frame, and how `nft` names it.
///
/// The layouts follow `nft --debug=netlink` for the bridge family (kernel 6.18, nft 1.0.6), with
/// one deliberate difference: `ether type`, `arp operation`, `icmp type` and `icmpv6 type` depend
/// on `meta protocol` (the EtherType after the one VLAN tag the kernel takes off) rather than on
/// the EtherType at link offset 12, because the policy reads them through VLAN tags; the nft text
/// then says `meta protocol ...` explicitly and `nft` compiles it to the same expressions.
struct FieldLayout {
    /// The load into register 1.
    var load: NftExpression
    /// Bytes in the register after the load.
    var length: Int
    /// The bits of the loaded bytes that hold the field (`bitwise` before comparing), if not all.
    var mask: [UInt8]?
    /// How far the field's value is shifted left inside the loaded bytes.
    var shift: Int
    /// Conditions `nft` checks before the load.
    var dependencies: [Dependency]
    /// Whether the nft text must spell the dependencies out (see the type's comment).
    var spellsOutDependencies: Bool
    /// The selector in nft text: `ip saddr`.
    var selector: String
    /// The key type of an anonymous set of this field.
    var setType: NftDataType
    /// The key type of a named nft set of this field; nil when nft has no plain type for it and
    /// the planner inlines the policy's set as an anonymous set instead.
    var namedSetType: NftDataType?
    /// How `nft` describes the field in a set's `typeof` userdata, when it does.
    var typeof: SetTypeof?
    /// How values are written in nft text.
    var style: NftValueStyle
    /// Whether `a-b` intervals that are CIDR prefixes are written and compiled as prefixes.
    var isAddress: Bool
    /// A raw payload field that does not end on a byte boundary is shifted right into place
    /// after its mask (``NftExpression/shiftRight(bits:length:)``), as `nft` does, and compared
    /// with its values as they are (``shift`` is 0 then).
    var rightShift = 0
    /// The register holds the value in host order (`meta length`): single values compare as
    /// such; ranges and sets compare after `nft`'s conversion to network order.
    var hostOrder = false

    /// The load, the mask and the shift that leave the field in register 1.
    var loads: [NftExpression] {
        var loads = [load]
        if let mask { loads.append(.bitwise(mask: mask, xor: [UInt8](repeating: 0, count: length))) }
        if rightShift > 0 { loads.append(.shiftRight(bits: UInt32(rightShift), length: length)) }
        return loads
    }

    /// The value's bytes in the register (shifted into place), network order.
    func bytes(_ value: UInt128) -> [UInt8] {
        Bytes.bigEndian(value << UInt128(shift), count: length)
    }

    /// A condition a positive single-valued match of this field establishes for the rest of the
    /// rule (`meta protocol ip` makes `ip saddr`'s own check unnecessary).
    func established(by value: UInt128) -> Dependency? {
        switch selector {
        case "meta protocol": return .etherType(UInt16(truncatingIfNeeded: value))
        case "meta l4proto": return .l4proto(UInt8(truncatingIfNeeded: value))
        default: return nil
        }
    }

    static func of(_ field: Field) -> FieldLayout? {
        let ip: [Dependency] = [.etherType(0x0800)]
        let ip6: [Dependency] = [.etherType(0x86dd)]
        switch field {
        case .iif:
            return FieldLayout(
                load: .meta(.iifname), length: 16, mask: nil, shift: 0, dependencies: [],
                spellsOutDependencies: false, selector: "meta iifname", setType: .interfaceName,
                namedSetType: nil, typeof: .meta(key: 6), style: .interfaceName, isAddress: false)
        case .etherSaddr, .etherDaddr:
            let source = field == .etherSaddr
            return FieldLayout(
                load: .payload(.link, offset: source ? 6 : 0, length: 6), length: 6, mask: nil, shift: 0,
                dependencies: [], spellsOutDependencies: false, selector: source ? "ether saddr" : "ether daddr",
                setType: .etherAddress, namedSetType: .etherAddress,
                typeof: .payload(protocol: 17, field: source ? 2 : 1), style: .mac, isAddress: true)
        case .etherType:
            return FieldLayout(
                load: .meta(.protocolType), length: 2, mask: nil, shift: 0, dependencies: [],
                spellsOutDependencies: false, selector: "meta protocol", setType: .etherType,
                namedSetType: .etherType, typeof: .meta(key: 1), style: .etherType, isAddress: false)
        case .vlanID:
            // The outer tag's VID, whatever its TPID: raw, because nft's `vlan id` is 802.1Q only.
            return FieldLayout(
                load: .payload(.link, offset: 14, length: 2), length: 2, mask: [0x0f, 0xff], shift: 0,
                dependencies: [.outerTag], spellsOutDependencies: true, selector: "@ll,116,12", setType: .integer,
                namedSetType: nil, typeof: .raw(base: 1, offset: 116, length: 12), style: .decimal, isAddress: false)
        case .vlanPCP:
            return FieldLayout(
                load: .payload(.link, offset: 14, length: 1), length: 1, mask: [0xe0], shift: 0,
                dependencies: [.outerTag], spellsOutDependencies: true, selector: "@ll,112,3", setType: .integer,
                namedSetType: nil, typeof: .raw(base: 1, offset: 112, length: 3), style: .decimal, isAddress: false,
                rightShift: 5)
        case .arpOperation:
            return FieldLayout(
                load: .payload(.network, offset: 6, length: 2), length: 2, mask: nil, shift: 0,
                dependencies: [.etherType(0x0806)], spellsOutDependencies: true, selector: "arp operation",
                setType: .arpOperation, namedSetType: .arpOperation, typeof: .payload(protocol: 15, field: 5),
                style: .decimal, isAddress: false)
        case .arpSaddrIP, .arpDaddrIP, .arpSaddrEther, .arpDaddrEther:
            return arpAddress(field)
        case .ipSaddr, .ipDaddr:
            let source = field == .ipSaddr
            return FieldLayout(
                load: .payload(.network, offset: source ? 12 : 16, length: 4), length: 4, mask: nil, shift: 0,
                dependencies: ip, spellsOutDependencies: false, selector: source ? "ip saddr" : "ip daddr",
                setType: .ipv4Address, namedSetType: .ipv4Address,
                typeof: .payload(protocol: 12, field: source ? 11 : 12), style: .ipv4, isAddress: true)
        case .ipProtocol:
            return byte(
                .network, 9, ip, "ip protocol", .inetProtocol, named: .inetProtocol, .payload(protocol: 12, field: 9))
        case .ipTTL:
            return byte(.network, 8, ip, "ip ttl", .integer, named: nil, .payload(protocol: 12, field: 8))
        case .ipDSCP:
            return FieldLayout(
                load: .payload(.network, offset: 1, length: 1), length: 1, mask: [0xfc], shift: 2,
                dependencies: ip, spellsOutDependencies: false, selector: "ip dscp", setType: .dscp,
                namedSetType: nil, typeof: nil, style: .decimal, isAddress: false)
        case .ipECN:
            return FieldLayout(
                load: .payload(.network, offset: 1, length: 1), length: 1, mask: [0x03], shift: 0,
                dependencies: ip, spellsOutDependencies: false, selector: "ip ecn", setType: .ecn,
                namedSetType: nil, typeof: nil, style: .decimal, isAddress: false)
        case .ip6Saddr, .ip6Daddr:
            let source = field == .ip6Saddr
            return FieldLayout(
                load: .payload(.network, offset: source ? 8 : 24, length: 16), length: 16, mask: nil, shift: 0,
                dependencies: ip6, spellsOutDependencies: false, selector: source ? "ip6 saddr" : "ip6 daddr",
                setType: .ipv6Address, namedSetType: .ipv6Address,
                typeof: .payload(protocol: 13, field: source ? 8 : 9), style: .ipv6, isAddress: true)
        case .ip6Nexthdr:
            return byte(
                .network, 6, ip6, "ip6 nexthdr", .inetProtocol, named: .inetProtocol, .payload(protocol: 13, field: 6))
        case .ip6Hoplimit:
            return byte(.network, 7, ip6, "ip6 hoplimit", .integer, named: nil, .payload(protocol: 13, field: 7))
        case .ip6DSCP:
            return FieldLayout(
                load: .payload(.network, offset: 0, length: 2), length: 2, mask: [0x0f, 0xc0], shift: 6,
                dependencies: ip6, spellsOutDependencies: false, selector: "ip6 dscp", setType: .dscp,
                namedSetType: nil, typeof: nil, style: .decimal, isAddress: false)
        case .tcpSport, .tcpDport, .udpSport, .udpDport:
            let tcp = field == .tcpSport || field == .tcpDport
            let source = field == .tcpSport || field == .udpSport
            return FieldLayout(
                load: .payload(.transport, offset: source ? 0 : 2, length: 2), length: 2, mask: nil, shift: 0,
                dependencies: [.l4proto(tcp ? 6 : 17)], spellsOutDependencies: false, selector: field.rawValue,
                setType: .inetService, namedSetType: .inetService,
                typeof: .payload(protocol: tcp ? 8 : 6, field: source ? 1 : 2), style: .decimal, isAddress: false)
        case .tcpFlags:
            return FieldLayout(
                load: .payload(.transport, offset: 13, length: 1), length: 1, mask: nil, shift: 0,
                dependencies: [.l4proto(6)], spellsOutDependencies: false, selector: "tcp flags", setType: .integer,
                namedSetType: nil, typeof: nil, style: .hex, isAddress: false)
        case .icmpType:
            var layout = byte(
                .transport, 0, ip + [.l4proto(1)], "icmp type", .icmpType, named: .icmpType,
                .payload(protocol: 4, field: 1))
            layout.spellsOutDependencies = true
            return layout
        case .icmpv6Type:
            var layout = byte(
                .transport, 0, ip6 + [.l4proto(58)], "icmpv6 type", .icmpv6Type, named: .icmpv6Type,
                .payload(protocol: 14, field: 1))
            layout.spellsOutDependencies = true
            return layout
        case .metaL4proto:
            return FieldLayout(
                load: .meta(.l4proto), length: 1, mask: nil, shift: 0, dependencies: [],
                spellsOutDependencies: false, selector: "meta l4proto", setType: .inetProtocol,
                namedSetType: .inetProtocol, typeof: .meta(key: 16), style: .decimal, isAddress: false)
        case .metaLength:
            // The kernel's value counts from the network header: the planners shift the
            // policy's frame lengths to it, framing by framing.
            return FieldLayout(
                load: .meta(.len), length: 4, mask: nil, shift: 0, dependencies: [], spellsOutDependencies: false,
                selector: "meta length", setType: .integer, namedSetType: nil, typeof: .meta(key: 0), style: .decimal,
                isAddress: false, hostOrder: true)
        case .thSport, .thDport:
            // nft's `th` reads the first bytes of any transport header, with no dependency: the
            // translation puts `meta l4proto { 6, 17 }` before it (``MatchTranslation``), and the
            // planner splits a negated one into `tcp ... !=` and `udp ... !=` (``RuleTerms``).
            return FieldLayout(
                load: .payload(.transport, offset: field == .thSport ? 0 : 2, length: 2), length: 2, mask: nil,
                shift: 0, dependencies: [], spellsOutDependencies: false, selector: field.rawValue,
                setType: .inetService, namedSetType: nil, typeof: nil, style: .decimal, isAddress: false)
        case .tcpMSS:
            // nft's `tcp option maxseg size`: the option's value, found by the kernel's option
            // walk; no dependency (the load stops the rule on a segment without the option, or a
            // frame that is not TCP).
            return FieldLayout(
                load: .tcpOption(kind: 2, offset: 2, length: 2), length: 2, mask: nil, shift: 0, dependencies: [],
                spellsOutDependencies: false, selector: field.rawValue, setType: .integer, namedSetType: nil,
                typeof: nil, style: .decimal, isAddress: false)
        case .ctState, .ctDirection:
            return nil
        }
    }

    /// Why a field that is not connection tracking has no layout, for the mirror's notes.
    static func unmirroredReason(_ field: Field) -> String {
        "its `\(field.rawValue)` match has no nft form"
    }

    /// An ARP address of IPv4 over Ethernet, where `nft` reads `arp saddr ip` and its kin: the
    /// sender's MAC at network offset 8 and IP at 14, the target's at 18 and 24 (nft's ARP
    /// description: protocol 15, fields 6 to 9).
    private static func arpAddress(_ field: Field) -> FieldLayout {
        let mac = field == .arpSaddrEther || field == .arpDaddrEther
        let offset: Int
        let index: UInt32
        switch field {
        case .arpSaddrEther: (offset, index) = (8, 6)
        case .arpSaddrIP: (offset, index) = (14, 7)
        case .arpDaddrEther: (offset, index) = (18, 8)
        default: (offset, index) = (24, 9)
        }
        return FieldLayout(
            load: .payload(.network, offset: offset, length: mac ? 6 : 4), length: mac ? 6 : 4, mask: nil, shift: 0,
            dependencies: [.etherType(0x0806), .arpIPv4OverEthernet, .arpAddressLengths], spellsOutDependencies: true,
            selector: field.rawValue, setType: mac ? .etherAddress : .ipv4Address,
            namedSetType: mac ? .etherAddress : .ipv4Address, typeof: .payload(protocol: 15, field: index),
            style: mac ? .mac : .ipv4, isAddress: true)
    }

    /// A whole-byte integer field.
    private static func byte(
        _ base: NftPayloadBase, _ offset: Int, _ dependencies: [Dependency], _ selector: String,
        _ setType: NftDataType, named: NftDataType?, _ typeof: SetTypeof
    ) -> FieldLayout {
        FieldLayout(
            load: .payload(base, offset: offset, length: 1), length: 1, mask: nil, shift: 0,
            dependencies: dependencies, spellsOutDependencies: false, selector: selector, setType: setType,
            namedSetType: named, typeof: typeof, style: .decimal, isAddress: false)
    }
}

/// How `nft` describes a set's key expression in the set's `typeof` userdata (`nft list` uses
/// it to print elements).
enum SetTypeof: Hashable {
    /// A payload field: nft's protocol description id and field index.
    case payload(protocol: UInt32, field: UInt32)
    /// A meta key (`NFT_META_*`).
    case meta(key: UInt32)
    /// A payload field whose nft type is a plain integer (`icmp id`): its length in bits too.
    case payloadInteger(protocol: UInt32, field: UInt32, bits: UInt32)
    /// A raw payload: nft's base number (1 link, 2 network, 3 transport), bit offset and length.
    case raw(base: UInt32, offset: UInt32, length: UInt32)
}

extension NftDataType {
    static let dscp = NftDataType(id: 36, name: "dscp")
    static let ecn = NftDataType(id: 37, name: "ecn")
}
