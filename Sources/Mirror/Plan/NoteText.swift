import Policy

/// Words for dependencies in notes.
enum DependencyText {
    static func frames(_ dependencies: [Dependency]) -> String {
        dependencies.map(name).joined(separator: " ")
    }

    private static func name(_ dependency: Dependency) -> String {
        switch dependency {
        case .etherType(0x0800): return "IPv4"
        case .etherType(0x86dd): return "IPv6"
        case .etherType(0x0806): return "ARP"
        case .etherType(let type): return "EtherType \(NftValueText.etherType(type))"
        case .l4proto(6): return "TCP"
        case .l4proto(17): return "UDP"
        case .l4proto(1): return "ICMP"
        case .l4proto(58): return "ICMPv6"
        case .l4proto(let proto): return "IP protocol \(proto)"
        case .vlanTag: return "802.1Q-tagged"
        case .outerTag: return "VLAN-tagged"
        case .arpIPv4OverEthernet, .arpAddressLengths: return "IPv4-over-Ethernet"
        }
    }
}

/// Words for verdict options in notes.
enum VerdictText {
    static let optionsReason = "the kernel bridge forwards at once and does not retry a failed send"

    /// `delay 25ms jitter 5ms retries 2`, as written.
    static func options(_ options: VerdictOptions) -> String {
        var parts: [String] = []
        if let delay = options.delay { parts.append("delay \(duration(delay))") }
        if let jitter = options.jitter { parts.append("jitter \(duration(jitter))") }
        if let retries = options.retries { parts.append("retries \(retries)") }
        return "`" + parts.joined(separator: " ") + "`"
    }

    /// Nanoseconds in the largest unit the language has that divides them (`s`, `ms`, `us`).
    static func duration(_ nanoseconds: UInt64) -> String {
        if nanoseconds >= 1_000_000_000 && nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds >= 1_000_000 && nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1000 == 0 { return "\(nanoseconds / 1000)us" }
        return "\(nanoseconds)ns"
    }
}
