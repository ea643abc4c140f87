import Frame

/// What must hold for any parse of `count` bytes, however malformed: every offset the present
/// groups promise lies inside the bytes, and groups appear only with the groups they build on.
enum ParseSoundness {
    static func violations(_ info: FrameInfo, count: Int) -> [HarnessViolation] {
        var log = ViolationLog()
        func check(_ condition: Bool, _ what: String) {
            log.expect(condition, "parse-sound", "\(what) (\(count) bytes, present \(info.present.rawValue))")
        }
        let present = info.present
        check(info.length == count, "length")
        check(present.isEmpty || present.contains(.ethernet), "groups without .ethernet")
        if present.contains(.ethernet) { check(count >= 14, ".ethernet needs 14 bytes") }
        if present.contains(.vlan) {
            check(info.vlanTagCount >= 1 && info.vlanTagCount <= FrameInfo.maxVLANTags, "tag count")
            check(14 + 4 * info.vlanTagCount <= count, "tags inside the frame")
        } else {
            check(info.vlanTagCount == 0, "tag count without .vlan")
        }
        let l3Groups = present.intersection([.arp, .ipv4, .ipv6])
        check(l3Groups.rawValue.nonzeroBitCount <= 1, "one L3 group at most")
        if !l3Groups.isEmpty { check(info.l3Offset == 14 + 4 * info.vlanTagCount, "l3Offset after the tags") }
        if present.contains(.arp) { check(info.l3Offset + 8 <= count, "ARP inside the frame") }
        if present.contains(.ipv4) {
            check(info.ipv4HeaderLength >= 20 && info.ipv4HeaderLength <= 60, "IHL")
            check(info.l3Offset + info.ipv4HeaderLength <= count, "IPv4 header inside the frame")
        }
        if present.contains(.ipv6) { check(info.l3Offset + 40 <= count, "IPv6 header inside the frame") }
        let l4Groups: FieldPresence = [.l4Protocol, .ports, .tcpFlags, .icmpType, .l4Header]
        if !present.intersection(l4Groups).isEmpty {
            check(present.contains(.l4Protocol), "L4 groups without .l4Protocol")
            check(present.contains(.ipv4) || present.contains(.ipv6), ".l4Protocol without IP")
            check(
                info.l3Offset < info.l4Offset && info.l4Offset <= info.ipEnd && info.ipEnd <= count, "L4 offsets")
            if present.contains(.ipv4) {
                check(info.l4Offset == info.l3Offset + info.ipv4HeaderLength, "IPv4 L4 offset")
                check(!info.isFragment || info.l4Protocol == info.ipProtocol, "first fragment protocol")
            }
        }
        let available = info.ipEnd - info.l4Offset
        if present.contains(.ports) {
            check(info.l4Protocol == IPProtocol.tcp || info.l4Protocol == IPProtocol.udp, "ports on TCP/UDP only")
            check(available >= 4, "ports inside the packet")
        }
        if present.contains(.tcpFlags) { check(info.l4Protocol == IPProtocol.tcp && available >= 14, "TCP flags") }
        if present.contains(.icmpType) {
            let icmp = info.l4Protocol == IPProtocol.icmp && present.contains(.ipv4)
            let icmpv6 = info.l4Protocol == IPProtocol.icmpv6 && present.contains(.ipv6)
            check((icmp || icmpv6) && available >= 2, "ICMP type")
        }
        if present.contains(.l4Header) {
            switch info.l4Protocol {
            case IPProtocol.tcp: check(present.contains(.tcpFlags) && available >= 20, "TCP header")
            case IPProtocol.udp: check(present.contains(.ports) && available >= 8, "UDP header")
            default: check(present.contains(.icmpType) && available >= 4, "ICMP header")
            }
        }
        return log.items
    }
}
