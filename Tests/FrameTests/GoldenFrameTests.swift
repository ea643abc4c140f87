import Frame
import Testing

@Suite struct GoldenFrameTests {
    @Test(arguments: GoldenFrames.all.map(\.name))
    func builderProducesTheGoldenBytes(name: String) {
        let golden = GoldenFrames.all.first { $0.name == name }!
        #expect(golden.builder.build() == golden.bytes)
    }

    @Test(arguments: GoldenFrames.all.map(\.name))
    func goldenChecksumsVerify(name: String) {
        let golden = GoldenFrames.all.first { $0.name == name }!
        #expect(checksumsAreValid(golden.bytes, wholeSegmentPresent: true))
    }

    @Test func parsesIPv4TCP() {
        let info = parse(GoldenFrames.ipv4TCP)
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .ports, .tcpFlags, .l4Header])
        #expect(info.length == 61)
        #expect(info.destinationMAC == GoldenFrames.macB)
        #expect(info.sourceMAC == GoldenFrames.macA)
        #expect(info.vlanTagCount == 0)
        #expect(info.etherType == EtherType.ipv4)
        #expect(info.l3Offset == 14)
        #expect(info.ipv4Source == GoldenFrames.ipA)
        #expect(info.ipv4Destination == GoldenFrames.ipB)
        #expect(info.ipv4HeaderLength == 20)
        #expect(info.ipProtocol == IPProtocol.tcp)
        #expect(info.ttl == 64)
        #expect(info.dscp == 46)
        #expect(info.ecn == 0)
        #expect(!info.isFragment)
        #expect(info.l4Protocol == IPProtocol.tcp)
        #expect(info.l4Offset == 34)
        #expect(info.ipEnd == 61)
        #expect(info.sourcePort == 40000)
        #expect(info.destinationPort == 80)
        #expect(info.tcpFlags == 0x02)
    }

    @Test func parsesDot1QIPv4UDP() {
        let info = parse(GoldenFrames.dot1QIPv4UDP)
        #expect(info.present == [.ethernet, .vlan, .ipv4, .l4Protocol, .ports, .l4Header])
        #expect(info.length == 60)
        #expect(info.vlanTagCount == 1)
        #expect(info.outerVLANTPID == EtherType.vlan)
        #expect(info.outerVLANTCI == 0x6064)
        #expect(info.etherType == EtherType.ipv4)
        #expect(info.l3Offset == 18)
        #expect(info.ipv4Source == GoldenFrames.ipA)
        #expect(info.ipv4Destination == GoldenFrames.ipB)
        #expect(info.ipProtocol == IPProtocol.udp)
        #expect(info.ttl == 63)
        #expect(info.dscp == 0)
        #expect(!info.isFragment)
        #expect(info.l4Protocol == IPProtocol.udp)
        #expect(info.l4Offset == 38)
        #expect(info.ipEnd == 51)
        #expect(info.sourcePort == 40000)
        #expect(info.destinationPort == 53)
    }

    @Test func parsesQinQIPv6ICMPv6() {
        let info = parse(GoldenFrames.qinqIPv6ICMPv6)
        #expect(info.present == [.ethernet, .vlan, .ipv6, .l4Protocol, .icmpType, .l4Header])
        #expect(info.length == 74)
        #expect(info.vlanTagCount == 2)
        #expect(info.outerVLANTPID == EtherType.qinq)
        #expect(info.outerVLANTCI == 0xa0c8)
        #expect(info.innerVLANTCI == 0x012c)
        #expect(info.etherType == EtherType.ipv6)
        #expect(info.l3Offset == 22)
        #expect(info.ipv6Source == GoldenFrames.ip6A)
        #expect(info.ipv6Destination == GoldenFrames.ip6B)
        #expect(info.ipProtocol == IPProtocol.icmpv6)
        #expect(info.ttl == 64)
        #expect(info.dscp == 46)
        #expect(info.ecn == 1)
        #expect(info.l4Protocol == IPProtocol.icmpv6)
        #expect(info.l4Offset == 62)
        #expect(info.ipEnd == 74)
        #expect(info.icmpType == 128)
        #expect(info.icmpCode == 0)
    }

    @Test func parsesARPRequest() {
        let info = parse(GoldenFrames.arpRequest)
        #expect(info.present == [.ethernet, .arp, .arpAddresses])
        #expect(info.destinationMAC == 0xffff_ffff_ffff)
        #expect(info.sourceMAC == GoldenFrames.macA)
        #expect(info.etherType == EtherType.arp)
        #expect(info.l3Offset == 14)
        #expect(info.arpOperation == 1)
        #expect(info.arpSenderMAC == 0x0200_0000_0001 && info.arpSenderIP == 0xc612_0001)
        #expect(info.arpTargetMAC == 0 && info.arpTargetIP == 0xc612_0002)
        // One byte short of the body: the operation, no addresses.
        let cut = parse(Array(GoldenFrames.arpRequest.prefix(41)))
        #expect(cut.present == [.ethernet, .arp])
        #expect(cut.arpSenderIP == 0)
    }

    @Test func parsesIPv4WithOptions() {
        let info = parse(GoldenFrames.ipv4OptionsICMP)
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .icmpType, .l4Header])
        #expect(info.ipv4HeaderLength == 28)
        #expect(info.ipProtocol == IPProtocol.icmp)
        #expect(info.ipv4Source == GoldenFrames.ipA)
        #expect(info.ipv4Destination == GoldenFrames.ipB)
        #expect(info.l4Protocol == IPProtocol.icmp)
        #expect(info.l4Offset == 42)
        #expect(info.ipEnd == 53)
        #expect(info.icmpType == 8)
        #expect(info.icmpCode == 0)
    }

    @Test func parsesIPv6HopByHopAndFragment() {
        let info = parse(GoldenFrames.ipv6HopByHopFragmentUDP)
        #expect(info.present == [.ethernet, .ipv6, .l4Protocol, .ports, .l4Header])
        #expect(info.length == 83)
        #expect(info.ipProtocol == IPProtocol.hopByHop)
        #expect(info.isFragment)
        #expect(info.l4Protocol == IPProtocol.udp)
        #expect(info.l4Offset == 70)
        #expect(info.ipEnd == 83)
        #expect(info.sourcePort == 40000)
        #expect(info.destinationPort == 9)
    }
}
