/// How fields are spelt: a protocol word and, except for `iif`, a second word; the ARP address
/// fields have a third (`arp saddr ip`, `arp daddr ether`).
enum FieldNames {
    /// Every field by its full name (`"ip saddr"`).
    static let byName: [String: Field] = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, $0) })

    /// First words of field names: `iif`, `ether`, `vlan`, `arp`, `ip`, `ip6`, ...
    static let protocols: Set<String> = Set(Field.allCases.map { String($0.rawValue.split(separator: " ")[0]) })

    /// Full names, for suggestions.
    static let allNames: [String] = Field.allCases.map(\.rawValue)

    /// Two-word prefixes of the three-word names (`arp saddr`), with their third words.
    static let thirdWords: [String: [String]] = Dictionary(
        grouping: Field.allCases.compactMap { field -> (String, String)? in
            let parts = field.rawValue.split(separator: " ")
            return parts.count == 3 ? (parts[0] + " " + parts[1], String(parts[2])) : nil
        }, by: \.0
    ).mapValues { $0.map(\.1) }

    /// What may follow `proto` to name a field (`saddr`, `saddr ip`, `option maxseg size`).
    static func members(of proto: String) -> [String] {
        Field.allCases.compactMap { field in
            let parts = field.rawValue.split(separator: " ")
            return parts.count >= 2 && parts[0] == proto ? parts.dropFirst().joined(separator: " ") : nil
        }
    }
}

/// nft's names for matches the language states with one of its own fields: the checker turns
/// each into terms of ``base``. They are match-line words only (no rewrites, packets or keys).
enum FieldAlias: Sendable, Hashable {
    /// `iifname NAME`: `iif` of the port with that interface name.
    case iifname
    /// `oifname NAME`: the frame leaves by that port, so it arrived on the other one.
    case oifname
    /// `meta nfproto ipv4|ipv6`: `ether type ip|ip6`.
    case nfproto
    /// `meta pkttype unicast|broadcast|multicast`: read from `ether daddr`.
    case pkttype

    /// The spellings, one or two words as for fields.
    static let byName: [String: FieldAlias] = [
        "iifname": .iifname, "meta iifname": .iifname, "oifname": .oifname, "meta oifname": .oifname,
        "meta nfproto": .nfproto, "meta pkttype": .pkttype,
    ]

    /// The field the alias's terms compare.
    var base: Field {
        switch self {
        case .iifname, .oifname: return .iif
        case .nfproto: return .etherType
        case .pkttype: return .etherDaddr
        }
    }

    /// What the alias is written as instead, outside a match line.
    var elsewhere: String {
        switch self {
        case .iifname, .oifname: return "iif a or iif b"
        case .nfproto: return "ether type ip or ether type ip6"
        case .pkttype: return "ether daddr"
        }
    }
}
