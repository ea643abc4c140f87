/// Names a match value is written with instead of its field's own literals, each standing for
/// some values of the field: `iifname "lan0"` is `iif a`, `meta pkttype broadcast` is
/// `ether daddr ff:ff:ff:ff:ff:ff`. Built by the checker for one term of a ``FieldAlias``.
struct NameTable {
    /// What a name is, for messages: "interface name", "packet type".
    var what: String
    var entries: [(name: String, values: [ValueInterval])]
    /// A trailing `*` stands for every name it begins (nft's `iifname "eth*"`).
    var wildcards = false
    /// The message for a name that is not in the table.
    var unknown: (String) -> String

    /// The values `name` stands for, or why it stands for none.
    func values(of name: String) -> Result<[ValueInterval], ValueError> {
        let matching: [[ValueInterval]]
        if wildcards && name.hasSuffix("*") {
            let prefix = name.dropLast()
            matching = entries.filter { $0.name.hasPrefix(prefix) }.map(\.values)
        } else {
            matching = entries.filter { $0.name == name }.map(\.values)
        }
        guard !matching.isEmpty else { return .failure(ValueError(code: .invalidValue, message: unknown(name))) }
        return .success(matching.flatMap { $0 })
    }
}

extension Resolver {
    /// The names the values of `alias` are written with.
    func nameTable(for alias: FieldAlias) -> NameTable {
        switch alias {
        case .iifname, .oifname:
            return interfaceTable(outgoing: alias == .oifname)
        case .nfproto:
            return NameTable(
                what: "protocol family",
                entries: [("ipv4", [ValueInterval(0x0800)]), ("ipv6", [ValueInterval(0x86dd)])],
                unknown: { "unknown meta nfproto value '\($0)'; on a bridge it is ipv4 or ipv6 (ether type ip or ip6)" }
            )
        case .pkttype:
            let unicast = PacketTypes.unicast
            return NameTable(
                what: "packet type",
                entries: [
                    ("unicast", unicast), ("host", unicast), ("other", unicast),
                    ("broadcast", [ValueInterval(PacketTypes.broadcast)]), ("multicast", PacketTypes.multicast),
                ],
                unknown: { name in
                    "unknown meta pkttype value '\(name)'"
                        + (Suggestion.closest(to: name, among: ["unicast", "broadcast", "multicast", "host", "other"])
                            .map { " (did you mean '\($0)'?)" } ?? "")
                        + "; it is unicast (also host and other), broadcast or multicast"
                })
        }
    }

    /// `iifname`: a port's interface name stands for that port; `oifname`: for the other one (a
    /// frame leaves by one port exactly when it arrived on the other).
    private func interfaceTable(outgoing: Bool) -> NameTable {
        let keyword = outgoing ? "oifname" : "iifname"
        guard let ports = values.ports else {
            return NameTable(
                what: "interface name", entries: [], wildcards: true,
                unknown: {
                    "\(keyword) \"\($0)\" names an interface, and the bridge's ports are not known here: check with "
                        + "--port-a NAME --port-b NAME (run resolves it against its own --port-a and --port-b), or "
                        + "write iif a or iif b"
                })
        }
        func port(_ name: PortName) -> [ValueInterval] {
            [ValueInterval(UInt128(outgoing ? name.peer.rawValue : name.rawValue))]
        }
        return NameTable(
            what: "interface name", entries: [(ports.a, port(.a)), (ports.b, port(.b))], wildcards: true,
            unknown: {
                "\(keyword) \"\($0)\" is neither port of the bridge: port a is \"\(ports.a)\", port b is \"\(ports.b)\""
            })
    }
}

/// `meta pkttype` read from the destination MAC: the group bit (the least significant bit of
/// the first octet) set is multicast, all ones is broadcast, anything else unicast.
enum PacketTypes {
    static let broadcast: UInt128 = 0xffff_ffff_ffff

    /// The 128 runs of MACs whose first octet is even.
    static let unicast: [ValueInterval] = stride(from: 0, to: 256, by: 2).map(run)

    /// The runs whose first octet is odd, without the broadcast address.
    static let multicast: [ValueInterval] = stride(from: 1, to: 256, by: 2).map { octet in
        let whole = run(octet)
        return octet == 255 ? ValueInterval(lo: whole.lo, hi: broadcast - 1) : whole
    }

    /// Every MAC whose first octet is `octet`.
    private static func run(_ octet: Int) -> ValueInterval {
        let lo = UInt128(octet) << 40
        return ValueInterval(lo: lo, hi: lo | 0xff_ffff_ffff)
    }
}
