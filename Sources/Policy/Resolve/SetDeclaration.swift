/// The element type of a set declared nft's way (`type ipv4_addr`, `typeof ip saddr`), which
/// every field using the set must take.
indirect enum SetElementType: Equatable {
    case ipv4Address
    case ipv6Address
    case etherAddress
    case inetService
    case inetProto
    case etherType
    case icmpType
    case icmpv6Type
    case ctState
    case interfaceName
    /// `typeof FIELD`: fields of the same kind and width.
    case field(Field)
    /// `type ipv4_addr . inet_service` or `typeof ip saddr . tcp dport`: tuples, used by a
    /// concatenation of as many fields, each taking its part's type.
    case concatenation([SetElementType])

    /// nft's type names, as `type` takes them.
    static let byName: [String: SetElementType] = [
        "ipv4_addr": .ipv4Address, "ipv6_addr": .ipv6Address, "ether_addr": .etherAddress,
        "inet_service": .inetService, "inet_proto": .inetProto, "ether_type": .etherType,
        "icmp_type": .icmpType, "icmpv6_type": .icmpv6Type, "ct_state": .ctState, "ifname": .interfaceName,
    ]

    /// nft types that mean nothing on a transparent bridge, with the reason.
    static let refused: [String: String] = [
        "mark": "packet marks have no meaning on a transparent bridge: no routing decision, qdisc or later hook "
            + "reads a mark Bridgekeeper could set or match",
        "ct_mark": "connection marks have no meaning on a transparent bridge: no routing decision, qdisc or later "
            + "hook reads them",
        "iface_index": "interface indexes name the host's interfaces; a bridge has two ports, matched with iif a|b",
        "realm": "routing realms come from the host's routing table, and a transparent bridge does no routing",
        "uid": "a bridged frame belongs to no local socket, so it has no user",
        "gid": "a bridged frame belongs to no local socket, so it has no group",
        "cgroupsv2": "a bridged frame belongs to no local process, so it has no cgroup",
        "ct_label": "connection labels are not supported",
    ]

    /// How the type is written, for messages.
    var name: String {
        switch self {
        case .field(let field): return "typeof \(field.rawValue)"
        case .concatenation(let parts):
            if parts.allSatisfy({ if case .field = $0 { true } else { false } }) {
                return "typeof " + parts.map { $0.name.dropFirst("typeof ".count) }.joined(separator: " . ")
            }
            return "type " + parts.map { $0.name.dropFirst("type ".count) }.joined(separator: " . ")
        default: return "type " + (Self.byName.first { $0.value == self }?.key ?? "")
        }
    }

    /// The kind of value the set holds, when it is one of the language's kinds.
    var valueKind: ValueKind? {
        switch self {
        case .ipv4Address: return .ipv4
        case .ipv6Address: return .ipv6
        case .etherAddress: return .mac
        case .inetService, .inetProto, .etherType, .icmpType, .icmpv6Type, .ctState: return .integer
        case .interfaceName, .concatenation: return nil
        case .field(let field): return field.valueKind
        }
    }

    /// A field the type serves, to check the elements of a set nothing uses (nil: none here).
    var representativeField: Field? {
        switch self {
        case .ipv4Address: return .ipSaddr
        case .ipv6Address: return .ip6Saddr
        case .etherAddress: return .etherSaddr
        case .inetService: return .tcpDport
        case .inetProto: return .metaL4proto
        case .etherType: return .etherType
        case .icmpType: return .icmpType
        case .icmpv6Type: return .icmpv6Type
        case .ctState: return .ctState
        case .interfaceName, .concatenation: return nil
        case .field(let field): return field
        }
    }

    /// Whether a set of this type can be used with `field`.
    func accepts(_ field: Field) -> Bool {
        switch self {
        case .ipv4Address: return field.valueKind == .ipv4
        case .ipv6Address: return field.valueKind == .ipv6
        case .etherAddress: return field.valueKind == .mac
        case .inetService:
            return [.tcpSport, .tcpDport, .udpSport, .udpDport].contains(field) || field.rawValue.hasPrefix("th ")
        case .inetProto: return [.ipProtocol, .ip6Nexthdr, .metaL4proto].contains(field)
        case .etherType: return field == .etherType
        case .icmpType: return field == .icmpType
        case .icmpv6Type: return field == .icmpv6Type
        case .ctState: return field == .ctState
        case .interfaceName: return field.rawValue.hasSuffix("ifname")
        case .field(let declared): return declared.valueKind == field.valueKind && declared.bitWidth == field.bitWidth
        case .concatenation: return false
        }
    }
}

extension Resolver {
    /// The elements of declared sets no rule uses are still checked against the declared type.
    mutating func checkUnusedDeclaredSets() {
        for name in setOrder {
            guard let state = values.sets[name], state.firstUse == nil,
                let field = state.declaredType?.representativeField
            else { continue }
            values.checkElements(ofSet: name, as: field)
        }
    }

    /// The declared element type of `set`, nil for a `set NAME = { ... }` or after reporting an
    /// error; also checks `size` and `timeout`.
    func declaredType(of set: SyntaxSet) -> SetElementType? {
        guard let declaration = set.declaration else { return nil }
        checkSizeAndTimeout(declaration)
        let fields = declaration.typeofFields
        if let first = fields.first {
            return fields.count == 1 ? .field(first.field) : .concatenation(fields.map { .field($0.field) })
        }
        guard let keyword = declaration.typeKeyword, let first = declaration.typeWords.first else { return nil }
        let words = declaration.typeWords
        let last = words[words.count - 1]
        if words.count > 1 {
            let written = words.map(\.text).joined(separator: " ")
            if words.contains(where: { $0.text == "." }) {
                return concatenatedType(words, keyword: keyword)
            } else {
                sink.error(
                    .unexpectedToken, "'type' takes one type name, as in type ipv4_addr; found '\(written)'",
                    at: first.location, length: last.endColumn - first.location.column)
            }
            return nil
        }
        return singleType(first, keyword: keyword)
    }

    /// One nft type name, or nil after reporting it unknown or meaningless on a bridge.
    private func singleType(_ word: Token, keyword: Token) -> SetElementType? {
        if let type = SetElementType.byName[word.text] { return type }
        if let reason = SetElementType.refused[word.text] {
            sink.error(.notSupported, "set type \(word.text) is not supported: \(reason)", at: word)
            return nil
        }
        let known = SetElementType.byName.keys.sorted()
        sink.error(
            .invalidValue,
            "unknown set type '\(word.text)' after '\(keyword.text)'; the types are \(known.joined(separator: ", "))"
                + Suggestion.hint(for: word.text, among: known),
            at: word)
        return nil
    }

    /// `type A . B [. C ...]`: a type name on each side of every `.`.
    private func concatenatedType(_ words: [Token], keyword: Token) -> SetElementType? {
        var parts: [SetElementType] = []
        var failed = false
        for (index, word) in words.enumerated() {
            let isDot = word.text == "."
            guard isDot == (index % 2 == 1), !(isDot && index == words.count - 1) else {
                sink.error(
                    .unexpectedToken,
                    "a concatenated type is type names joined by '.', as in type ipv4_addr . inet_service",
                    at: word)
                return nil
            }
            if isDot { continue }
            if let part = singleType(word, keyword: keyword) { parts.append(part) } else { failed = true }
        }
        return failed ? nil : .concatenation(parts)
    }

    /// `size` is a positive count; `timeout` an nft duration such as `1h`, `30m` or `1h30m`.
    private func checkSizeAndTimeout(_ declaration: SyntaxSetDeclaration) {
        if let size = declaration.size {
            var valid = false
            if case .value(let count) = LiteralParser.number(size.text[...]) {
                valid = count > 0 && count <= UInt32.max
            }
            if !valid {
                sink.error(.invalidValue, "a set's size is a count from 1 to 4294967295, not '\(size.text)'", at: size)
            }
        }
        if let timeout = declaration.timeout, !Self.isNftDuration(timeout.text) {
            sink.error(
                .invalidValue, "'\(timeout.text)' is not a timeout; write it as nft does, as in 30s, 10m, 1h or 1d2h",
                at: timeout)
        }
    }

    /// nft's time format: one or more `NUMBER UNIT` with units d, h, m, s and ms.
    static func isNftDuration(_ text: String) -> Bool { nftDuration(text) != nil }

    /// An nft duration (`30s`, `1h30m`, `500ms`) in nanoseconds; nil when it is not one or
    /// does not fit.
    static func nftDuration(_ text: String) -> UInt64? {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { return nil }
        var total: UInt64 = 0
        while !bytes.isEmpty {
            let digits = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard !digits.isEmpty, digits.count <= 18 else { return nil }
            bytes = bytes.dropFirst(digits.count)
            let number = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            let scale: UInt64
            if bytes.starts(with: "ms".utf8) {
                bytes = bytes.dropFirst(2)
                scale = 1_000_000
            } else if let unit = bytes.first, let found = Self.nftUnits[unit] {
                bytes = bytes.dropFirst()
                scale = found
            } else {
                return nil
            }
            let (scaled, overflow) = number.multipliedReportingOverflow(by: scale)
            let (sum, carry) = total.addingReportingOverflow(scaled)
            guard !overflow, !carry else { return nil }
            total = sum
        }
        return total
    }

    private static let nftUnits: [UInt8: UInt64] = [
        UInt8(ascii: "d"): 86_400_000_000_000, UInt8(ascii: "h"): 3_600_000_000_000,
        UInt8(ascii: "m"): 60_000_000_000, UInt8(ascii: "s"): 1_000_000_000,
    ]
}
