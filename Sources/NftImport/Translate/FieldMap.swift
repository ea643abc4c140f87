/// A field of the policy language that an nft expression reads.
struct PolicyField: Sendable, Hashable {
    /// As the policy writes it (`ip saddr`, `meta l4proto`).
    var name: String
    /// Bits of a numeric field (for `<`, `>` as ranges); nil for addresses and names.
    var bitWidth: Int?
    /// The term nft adds implicitly before reading this field (`tcp dport` needs `meta l4proto
    /// tcp`), which the policy must write when the rule only excludes values (`!=`).
    var dependency: String?
    /// The field needs a language construct this Bridgekeeper does not have yet (named).
    var needs: String?
    /// nft's names for values that the policy spells otherwise.
    var valueNames: [String: String] = [:]
    /// The field can be rewritten (`FIELD set VALUE`).
    var isRewritable = false

    /// The policy field nft's `payload` expression reads, or why there is none.
    static func payload(protocol proto: String, field: String) throws(Untranslatable) -> PolicyField {
        let numberRewritable: Set = ["ip dscp", "ip ecn", "ip ttl", "ip6 hoplimit", "ip6 dscp", "vlan id", "vlan pcp"]
        let name = "\(proto) \(field)"
        switch (proto, field) {
        case ("ether", "saddr"), ("ether", "daddr"):
            return PolicyField(name: name, isRewritable: true)
        case ("ether", "type"), ("vlan", "type"):
            guard proto == "ether" else { throw Untranslatable("vlan type: write ether type (read after the tags)") }
            return PolicyField(name: "ether type", bitWidth: 16, valueNames: etherTypeNames)
        case ("vlan", "id"):
            return PolicyField(name: name, bitWidth: 12, dependency: "vlan id 0-4095", isRewritable: true)
        case ("vlan", "pcp"):
            return PolicyField(name: name, bitWidth: 3, dependency: "vlan id 0-4095", isRewritable: true)
        case ("arp", "operation"): return PolicyField(name: name, bitWidth: 16, dependency: "ether type arp")
        case ("arp", "saddr ip"), ("arp", "daddr ip"), ("arp", "saddr ether"), ("arp", "daddr ether"):
            return PolicyField(name: name, dependency: "ether type arp")
        case ("ip", "saddr"), ("ip", "daddr"):
            return PolicyField(name: name, dependency: "ether type ip", isRewritable: true)
        case ("ip", "protocol"): return protocolField(name, dependency: "ether type ip")
        case ("ip", "dscp"), ("ip", "ecn"), ("ip", "ttl"):
            return PolicyField(
                name: name, bitWidth: field == "dscp" ? 6 : (field == "ecn" ? 2 : 8), dependency: "ether type ip",
                isRewritable: numberRewritable.contains(name))
        case ("ip6", "saddr"), ("ip6", "daddr"):
            return PolicyField(name: name, dependency: "ether type ip6", isRewritable: true)
        case ("ip6", "nexthdr"): return protocolField(name, dependency: "ether type ip6")
        case ("ip6", "hoplimit"), ("ip6", "dscp"):
            return PolicyField(
                name: name, bitWidth: field == "dscp" ? 6 : 8, dependency: "ether type ip6", isRewritable: true)
        case ("tcp", "sport"), ("tcp", "dport"), ("udp", "sport"), ("udp", "dport"):
            return PolicyField(name: name, bitWidth: 16, dependency: "meta l4proto \(proto)", isRewritable: true)
        case ("tcp", "flags"): return PolicyField(name: name, bitWidth: 8, dependency: "meta l4proto tcp")
        case ("icmp", "type"): return PolicyField(name: name, bitWidth: 8, dependency: "meta l4proto icmp")
        case ("icmpv6", "type"): return PolicyField(name: name, bitWidth: 8, dependency: "meta l4proto icmpv6")
        case ("th", "sport"), ("th", "dport"): return PolicyField(name: name, bitWidth: 16)
        default: throw Untranslatable("\(name): the language has no such field")
        }
    }

    /// nft's ethertype names the policy spells differently (`8021q` is `vlan`).
    static let etherTypeNames = ["8021q": "vlan", "ipv4": "ip", "ipv6": "ip6"]

    /// Protocol names nft prints (from /etc/protocols) that the policy has no name for.
    static let protocolNumbers = [
        "ipip": "4", "ipencap": "4", "egp": "8", "pup": "12", "idp": "22", "dccp": "33", "ipv6": "41",
        "ipv6-route": "43", "ipv6-frag": "44", "rsvp": "46", "ipv6-nonxt": "59", "ipv6-opts": "60",
        "ospf": "89", "pim": "103", "vrrp": "112", "l2tp": "115", "isis": "124", "mpls-in-ip": "137",
    ]

    /// The values of `meta l4proto`, `ip protocol` and `ip6 nexthdr` with names nft uses freely.
    static func protocolField(_ name: String, dependency: String?) -> PolicyField {
        PolicyField(
            name: name, bitWidth: 8, dependency: dependency, valueNames: protocolNumbers)
    }
}
