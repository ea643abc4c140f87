import Policy

/// The L3 protocol a rule variant of a tagged framing reads (``TaggedRulePlanner``).
enum RawFamily: Hashable {
    /// Only link-layer fields (MACs, the outer tag, `iif`, `ether type`).
    case link
    case arp
    case ipv4
    case ipv6

    /// The EtherTypes of the families other than ``link``.
    static let known: [UInt16] = [0x0800, 0x0806, 0x86dd]

    /// The EtherType that selects the family; nil for ``link``.
    var etherType: UInt16? {
        switch self {
        case .link: return nil
        case .arp: return 0x0806
        case .ipv4: return 0x0800
        case .ipv6: return 0x86dd
        }
    }
}

extension FieldLayout {
    /// `length` whole bytes at link-layer `offset`, as a raw payload (`@ll,OFFSET*8,LENGTH*8`).
    static func rawLink(offset: Int, length: Int, style: NftValueStyle) -> FieldLayout {
        FieldLayout(
            load: .payload(.link, offset: offset, length: length), length: length, mask: nil, shift: 0,
            dependencies: [], spellsOutDependencies: false, selector: "@ll,\(8 * offset),\(8 * length)",
            setType: .integer, namedSetType: nil,
            typeof: .raw(base: 1, offset: UInt32(8 * offset), length: UInt32(8 * length)), style: style,
            isAddress: false)
    }

    /// `field` read as raw link-layer payload, for a frame whose L3 header starts at link offset
    /// `payload` and, for L4 fields, whose L4 header starts `l4Start` bytes after it. Nil when
    /// the field has no such form (`meta l4proto`, which depends on the family: see
    /// ``rawProtocol(family:payload:)``, and the fields the kernel cannot read at all).
    ///
    /// The loads, masks and shifts are the native layout's moved to the link layer, and written
    /// as `nft` writes raw payload matches: `@ll,BIT-OFFSET,BIT-LENGTH`, values as integers
    /// (addresses in hex, so `0xc6120000/16` is a prefix). A policy's named set is inlined as an
    /// anonymous set, because `nft` refuses a typed set for an untyped raw payload.
    static func raw(_ field: Field, payload: Int, l4Start: Int?) -> FieldLayout? {
        guard var layout = FieldLayout.of(field) else { return nil }
        let start: Int
        let offset: Int
        let length: Int
        switch layout.load {
        case .payload(.link, let at, let bytes):
            (start, offset, length) = (0, at, bytes)
        case .payload(.network, let at, let bytes):
            (start, offset, length) = (payload, at, bytes)
        case .payload(.transport, let at, let bytes):
            guard let l4Start else { return nil }
            (start, offset, length) = (payload + l4Start, at, bytes)
        case .meta(.protocolType):
            return rawLink(offset: payload - 2, length: 2, style: .rawHex(digits: 4))
        case .meta(.iifname):
            layout.dependencies = []
            return layout
        default:
            return nil
        }
        layout.load = .payload(.link, offset: start + offset, length: length)
        if layout.shift > 0 {
            layout.rightShift = layout.shift
            layout.shift = 0
        }
        layout.dependencies = []
        layout.spellsOutDependencies = false
        layout.namedSetType = nil
        layout.setType = .integer
        let bits = RawBits(byteOffset: start + offset, length: length, mask: layout.mask)
        layout.selector = "@ll,\(bits.offset),\(bits.length)"
        layout.typeof = .raw(base: 1, offset: UInt32(bits.offset), length: UInt32(bits.length))
        if layout.isAddress || layout.style == .mac || layout.style == .ipv4 || layout.style == .ipv6 {
            layout.style = .rawHex(digits: 2 * length)
        } else if layout.style == .hex {
            layout.style = .rawHex(digits: 2)
        } else {
            layout.style = .decimal
        }
        return layout
    }

    /// The L4 protocol as raw payload: the IPv4 protocol field, or the IPv6 header's next header
    /// (which is the L4 protocol only when no extension header follows).
    static func rawProtocol(family: RawFamily, payload: Int) -> FieldLayout {
        var layout = rawLink(offset: payload + (family == .ipv6 ? 6 : 9), length: 1, style: .decimal)
        layout.setType = .inetProtocol
        return layout
    }
}

/// A raw payload match's bits: where the field starts and how long it is, from the bytes loaded
/// and the mask that keeps the field.
struct RawBits {
    var offset: Int
    var length: Int

    init(byteOffset: Int, length bytes: Int, mask: [UInt8]?) {
        guard let mask else {
            offset = 8 * byteOffset
            length = 8 * bytes
            return
        }
        var leading = 0
        for byte in mask {
            if byte == 0 {
                leading += 8
                continue
            }
            leading += byte.leadingZeroBitCount
            break
        }
        offset = 8 * byteOffset + leading
        length = mask.reduce(0) { $0 + $1.nonzeroBitCount }
    }
}

extension Field {
    /// The field is read from the Ethernet header, the outer VLAN tag or the port: the same in
    /// every framing.
    var isLinkLevel: Bool {
        switch self {
        case .iif, .etherSaddr, .etherDaddr, .vlanID, .vlanPCP: return true
        default: return false
        }
    }
}
