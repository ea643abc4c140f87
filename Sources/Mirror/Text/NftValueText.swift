import Frame
import Policy

/// How a field's values are written in nft text.
enum NftValueStyle: Hashable {
    case decimal
    case hex
    /// A raw payload integer in hex with this many digits (`@ll,272,32 0xc6126309`).
    case rawHex(digits: Int)
    case etherType
    case mac
    case ipv4
    case ipv6
    case interfaceName
}

/// Field values in the syntax `nft -f` reads.
enum NftValueText {
    /// One value.
    static func value(_ value: UInt128, style: NftValueStyle) -> String {
        switch style {
        case .decimal: return String(value)
        case .hex: return "0x" + hex(value, digits: 2)
        case .rawHex(let digits): return "0x" + hex(value, digits: digits)
        case .etherType: return etherType(UInt16(truncatingIfNeeded: value))
        case .mac: return AddressText.formatMAC(UInt64(truncatingIfNeeded: value))
        case .ipv4: return AddressText.formatIPv4(UInt32(truncatingIfNeeded: value))
        case .ipv6: return AddressText.formatIPv6(value)
        case .interfaceName: return "\"\(value)\""
        }
    }

    /// One interval: `v`, `lo-hi`, or `address/length` for address fields.
    static func interval(_ interval: ValueInterval, style: NftValueStyle, bitWidth: Int, isAddress: Bool) -> String {
        if interval.isSingle { return value(interval.lo, style: style) }
        if isAddress, let length = interval.prefixLength(bitWidth: bitWidth) {
            return value(interval.lo, style: style) + "/\(length)"
        }
        return value(interval.lo, style: style) + "-" + value(interval.hi, style: style)
    }

    /// `{ a, b-c }`.
    static func set(_ items: [String]) -> String { "{ " + items.joined(separator: ", ") + " }" }

    /// An EtherType by the name `nft` knows it by, else four hex digits.
    static func etherType(_ type: UInt16) -> String {
        switch type {
        case 0x0800: return "ip"
        case 0x0806: return "arp"
        case 0x86dd: return "ip6"
        case 0x8100: return "vlan"
        default: return "0x" + hex(UInt128(type), digits: 4)
        }
    }

    /// A quoted nft string (interface names, comments); `"` and `\` cannot appear in either.
    static func quoted(_ text: String) -> String { "\"" + text + "\"" }

    private static func hex(_ value: UInt128, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
