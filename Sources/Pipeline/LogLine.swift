import Frame

/// The structured text of a `log` statement's line: `key=value` pairs an operator can grep.
///
/// `rule=no-telnet prefix="blk" iif=a len=74 ether=02:..:01>02:..:02 vlan=10 ip=198.18.0.1>198.19.0.1 proto=6 sport=40000 dport=23`
public enum LogLine {
    public static func describe(rule: String, prefix: String?, info: FrameInfo, port: UInt8) -> String {
        var parts = ["rule=\(rule)"]
        if let prefix { parts.append("prefix=" + quoted(prefix)) }
        parts.append("iif=\(port == 0 ? "a" : "b")")
        parts.append("len=\(info.length)")
        if info.present.contains(.ethernet) {
            parts.append(
                "ether=\(AddressText.formatMAC(info.sourceMAC))>\(AddressText.formatMAC(info.destinationMAC))")
            parts.append("type=0x" + String(info.etherType, radix: 16))
        }
        if info.present.contains(.vlan) { parts.append("vlan=\(info.outerVLANTCI & 0x0fff)") }
        if info.present.contains(.arp) { parts.append("arp=\(info.arpOperation)") }
        if info.present.contains(.ipv4) {
            parts.append(
                "ip=\(AddressText.formatIPv4(info.ipv4Source))>\(AddressText.formatIPv4(info.ipv4Destination))")
        }
        if info.present.contains(.ipv6) {
            parts.append(
                "ip6=\(AddressText.formatIPv6(info.ipv6Source))>\(AddressText.formatIPv6(info.ipv6Destination))")
        }
        if info.present.contains(.l4Protocol) { parts.append("proto=\(info.l4Protocol)") }
        if info.present.contains(.ports) {
            parts.append("sport=\(info.sourcePort)")
            parts.append("dport=\(info.destinationPort)")
        }
        if info.present.contains(.icmpType) { parts.append("icmp=\(info.icmpType)/\(info.icmpCode)") }
        return parts.joined(separator: " ")
    }

    /// A value as it may stand in a `key=value` line: bare when it is one word, else quoted.
    static func quoted(_ text: String) -> String {
        if !text.isEmpty && !text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" }) {
            return text
        }
        var out = "\""
        for ch in text {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "\""
    }
}
