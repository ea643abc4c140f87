/// What must hold for any parse, however malformed the bytes: every offset the present groups
/// promise lies inside the bytes, and groups appear only with the groups they build on. The
/// fuzzers and the parser's tests check every parse they make against it.
extension FrameInfo {
    /// The invariants this parse of `count` bytes breaks, each in a few words (none for a sound parse).
    public func soundnessProblems(byteCount count: Int) -> [String] {
        var problems: [String] = []
        func check(_ condition: Bool, _ what: String) {
            if !condition { problems.append(what) }
        }
        let present = self.present
        check(length == count, "length")
        check(present.isEmpty || present.contains(.ethernet), "groups without .ethernet")
        if present.contains(.ethernet) { check(count >= 14, ".ethernet needs 14 bytes") }
        if present.contains(.vlan) {
            check(vlanTagCount >= 1 && vlanTagCount <= FrameInfo.maxVLANTags, "tag count")
            check(14 + 4 * vlanTagCount <= count, "tags inside the frame")
        } else {
            check(vlanTagCount == 0, "tag count without .vlan")
        }
        let l3Groups = present.intersection([.arp, .ipv4, .ipv6])
        check(l3Groups.rawValue.nonzeroBitCount <= 1, "one L3 group at most")
        if !l3Groups.isEmpty { check(l3Offset == 14 + 4 * vlanTagCount, "l3Offset after the tags") }
        if present.contains(.arp) { check(l3Offset + 8 <= count, "ARP inside the frame") }
        if present.contains(.ipv4) {
            check(ipv4HeaderLength >= 20 && ipv4HeaderLength <= 60, "IHL")
            check(l3Offset + ipv4HeaderLength <= count, "IPv4 header inside the frame")
        }
        if present.contains(.ipv6) { check(l3Offset + 40 <= count, "IPv6 header inside the frame") }
        let l4Groups: FieldPresence = [.l4Protocol, .ports, .tcpFlags, .icmpType, .l4Header]
        if !present.intersection(l4Groups).isEmpty {
            check(present.contains(.l4Protocol), "L4 groups without .l4Protocol")
            check(present.contains(.ipv4) || present.contains(.ipv6), ".l4Protocol without IP")
            check(
                l3Offset < l4Offset && l4Offset <= ipEnd && ipEnd <= count, "L4 offsets")
            if present.contains(.ipv4) {
                check(l4Offset == l3Offset + ipv4HeaderLength, "IPv4 L4 offset")
                check(!isFragment || l4Protocol == ipProtocol, "first fragment protocol")
            }
        }
        let available = ipEnd - l4Offset
        if present.contains(.ports) {
            check(l4Protocol == IPProtocol.tcp || l4Protocol == IPProtocol.udp, "ports on TCP/UDP only")
            check(available >= 4, "ports inside the packet")
        }
        if present.contains(.tcpFlags) { check(l4Protocol == IPProtocol.tcp && available >= 14, "TCP flags") }
        if present.contains(.icmpType) {
            let icmp = l4Protocol == IPProtocol.icmp && present.contains(.ipv4)
            let icmpv6 = l4Protocol == IPProtocol.icmpv6 && present.contains(.ipv6)
            check((icmp || icmpv6) && available >= 2, "ICMP type")
        }
        if present.contains(.l4Header) {
            switch l4Protocol {
            case IPProtocol.tcp: check(present.contains(.tcpFlags) && available >= 20, "TCP header")
            case IPProtocol.udp: check(present.contains(.ports) && available >= 8, "UDP header")
            default: check(present.contains(.icmpType) && available >= 4, "ICMP header")
            }
        }
        return problems
    }
}
