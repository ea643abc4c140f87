import Frame
import Testing

/// Every prefix of a valid frame parses soundly, and groups only disappear as it shrinks.
@Suite struct TruncationTests {
    static let frames: [(name: String, bytes: [UInt8])] =
        GoldenFrames.all.map { ($0.name, $0.bytes) } + [
            ("ipv6ExtensionsTCP", SampleFrames.ipv6ExtensionsTCP.build()),
            ("ipv4NonFirstFragment", SampleFrames.ipv4NonFirstFragment.build()),
            ("ipv4TCPTagged", SampleFrames.ipv4TCP.with { $0.vlanTags = [.init(id: 7)] }.build()),
            ("lldp", SampleFrames.lldp.build()),
        ]

    @Test(arguments: frames.map(\.name))
    func everyPrefixParsesAndOnlyLosesGroups(name: String) {
        let frame = Self.frames.first { $0.name == name }!.bytes
        let full = parse(frame)
        var longer = full
        for count in stride(from: frame.count, through: 0, by: -1) {
            let info = parse(frame, prefix: count)
            guard expectSound(info, count: count) else { return }
            #expect(info.present.isSubset(of: longer.present), "prefix \(count) gained groups")
            expectSameFields(info, full, prefix: count)
            longer = info
        }
        #expect(parse(frame, prefix: 0).present.isEmpty)
    }

    /// The prefix length at which each group first appears in Ethernet + IPv4 + TCP (MSS option).
    @Test func ipv4TCPGroupsAppearAtTheirHeaderLengths() {
        let frame = GoldenFrames.ipv4TCP
        let firstLength = firstPrefixLengths(frame)
        #expect(firstLength[.ethernet] == 14)
        #expect(firstLength[.ipv4] == 34)
        #expect(firstLength[.l4Protocol] == 34)
        #expect(firstLength[.ports] == 38)
        #expect(firstLength[.tcpFlags] == 48)
        #expect(firstLength[.l4Header] == 58)  // data offset 6: 24 bytes of TCP header
    }

    @Test func qinqIPv6GroupsAppearAtTheirHeaderLengths() {
        let firstLength = firstPrefixLengths(GoldenFrames.qinqIPv6ICMPv6)
        #expect(firstLength[.ethernet] == 14)
        #expect(firstLength[.vlan] == 18)
        #expect(firstLength[.ipv6] == 62)
        #expect(firstLength[.l4Protocol] == 62)
        #expect(firstLength[.icmpType] == 64)
        #expect(firstLength[.l4Header] == 66)
        // One complete tag, the second cut: the walk stops at the second TPID.
        let oneTag = parse(GoldenFrames.qinqIPv6ICMPv6, prefix: 20)
        #expect(oneTag.vlanTagCount == 1)
        #expect(oneTag.etherType == EtherType.vlan)
        #expect(oneTag.present == [.ethernet, .vlan])
    }

    @Test func ipv6ExtensionChainNeedsEveryHeader() {
        let frame = SampleFrames.ipv6ExtensionsTCP.build()
        let full = parse(frame)
        // One byte short of the 20-byte TCP header: flags, but no complete header.
        #expect(parse(frame, prefix: full.l4Offset + 19).present.contains(.tcpFlags))
        #expect(!parse(frame, prefix: full.l4Offset + 19).present.contains(.l4Header))
        // One byte short of the last extension header: no L4 at all.
        #expect(parse(frame, prefix: full.l4Offset - 1).present == [.ethernet, .ipv6])
        #expect(parse(frame, prefix: full.l4Offset).present == [.ethernet, .ipv6, .l4Protocol])
    }

    private func firstPrefixLengths(_ frame: [UInt8]) -> [FieldPresence: Int] {
        var result: [FieldPresence: Int] = [:]
        for count in 0...frame.count {
            let present = parse(frame, prefix: count).present
            for bit in 0..<16 {
                let group = FieldPresence(rawValue: 1 << bit)
                if present.contains(group) && result[group] == nil { result[group] = count }
            }
        }
        return result
    }

    /// Fields of the groups a prefix has equal the whole frame's.
    private func expectSameFields(_ info: FrameInfo, _ full: FrameInfo, prefix: Int) {
        let present = info.present
        if present.contains(.ethernet) {
            #expect(info.destinationMAC == full.destinationMAC && info.sourceMAC == full.sourceMAC, "prefix \(prefix)")
        }
        if present.contains(.vlan) { #expect(info.outerVLANTCI == full.outerVLANTCI, "prefix \(prefix)") }
        if !present.intersection([.arp, .ipv4, .ipv6]).isEmpty {
            #expect(info.etherType == full.etherType && info.l3Offset == full.l3Offset, "prefix \(prefix)")
        }
        if present.contains(.ipv4) {
            #expect(info.ipv4Source == full.ipv4Source && info.ipv4Destination == full.ipv4Destination)
            #expect(info.ttl == full.ttl && info.ipProtocol == full.ipProtocol && info.dscp == full.dscp)
        }
        if present.contains(.ipv6) {
            #expect(info.ipv6Source == full.ipv6Source && info.ipv6Destination == full.ipv6Destination)
            #expect(info.ttl == full.ttl && info.ipProtocol == full.ipProtocol && info.dscp == full.dscp)
        }
        if present.contains(.l4Protocol) {
            #expect(info.l4Protocol == full.l4Protocol && info.l4Offset == full.l4Offset, "prefix \(prefix)")
        }
        if present.contains(.ports) {
            #expect(info.sourcePort == full.sourcePort && info.destinationPort == full.destinationPort)
        }
        if present.contains(.tcpFlags) { #expect(info.tcpFlags == full.tcpFlags) }
        if present.contains(.icmpType) { #expect(info.icmpType == full.icmpType && info.icmpCode == full.icmpCode) }
    }
}
