import Frame
import Limits
import Testing

/// Meter keys read from real frames.
@Suite struct MeterKeyTests {
    @Test func sourceAndPortMakeOneKeyPerPair() throws {
        let spec = try MeterKeySpec([.ipSource, .tcpDestinationPort])
        #expect(spec.name == "ip saddr . tcp dport")
        let a = spec.key(from: frameInfo(source: 0xC612_0001, port: 22))
        let sameFlow = spec.key(from: frameInfo(source: 0xC612_0001, destination: 0xC613_0009, port: 22))
        let otherPort = spec.key(from: frameInfo(source: 0xC612_0001, port: 23))
        let otherSource = spec.key(from: frameInfo(source: 0xC612_0002, port: 22))
        #expect(a != nil && a == sameFlow)
        #expect(a != otherPort && a != otherSource && otherPort != otherSource)
        #expect(a == MeterKey(first: 0xC612_0001, short: 22))
    }

    /// A frame without the field has no key (nft's dependency would not match).
    @Test func aFrameWithoutTheFieldHasNoKey() throws {
        let udp = frameInfo(source: 0xC612_0001, port: 53, udp: true)
        #expect(try MeterKeySpec([.tcpDestinationPort]).key(from: udp) == nil)
        #expect(try MeterKeySpec([.udpDestinationPort]).key(from: udp) == MeterKey(first: 0, short: 53))
        var v6 = FrameBuilder()
        v6.network = .ipv6(FrameBuilder.IPv6())
        #expect(try MeterKeySpec([.ipSource]).key(from: parse(v6)) == nil)
        #expect(try MeterKeySpec([.vlanID]).key(from: udp) == nil)
        #expect(try MeterKeySpec([.etherSource]).key(from: FrameInfo()) == nil)
    }

    /// The largest key: two IPv6 addresses and both ports, plus protocol and VLAN id.
    @Test func twoIPv6AddressesAndFourShortFieldsFit() throws {
        var ip = FrameBuilder.IPv6()
        ip.source = 0x2001_0db8_0000_0000_0000_0000_0000_00aa
        ip.destination = 0x2001_0db8_ffff_0000_0000_0000_0000_00bb
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = 1111
        tcp.destinationPort = 2222
        ip.transport = .tcp(tcp)
        var builder = FrameBuilder()
        builder.vlanTags = [FrameBuilder.VLANTag(id: 300)]
        builder.network = .ipv6(ip)
        let spec = try MeterKeySpec([
            .ip6Source, .ip6Destination, .tcpSourcePort, .tcpDestinationPort, .l4Protocol, .vlanID,
        ])
        let key = try #require(spec.key(from: parse(builder)))
        #expect(key.first == ip.source && key.second == ip.destination)
        #expect(key.short == 1111 | 2222 << 16 | 6 << 32 | 300 << 48)
        #expect(
            spec.fields == [.ip6Source, .ip6Destination, .tcpSourcePort, .tcpDestinationPort, .l4Protocol, .vlanID])
    }

    @Test func macsAndTheOrderOfFieldsMatter() throws {
        var builder = FrameBuilder()
        builder.sourceMAC = 0x02_aa_bb_cc_dd_ee
        builder.destinationMAC = 0x02_11_22_33_44_55
        let info = parse(builder)
        #expect(try MeterKeySpec([.etherSource]).key(from: info) == MeterKey(first: 0x02_aa_bb_cc_dd_ee))
        let forward = try MeterKeySpec([.etherSource, .etherDestination]).key(from: info)
        let backward = try MeterKeySpec([.etherDestination, .etherSource]).key(from: info)
        #expect(forward == MeterKey(first: 0x02_aa_bb_cc_dd_ee, second: 0x02_11_22_33_44_55))
        #expect(forward != backward)
    }

    @Test func keysTooLargeOrEmptyAreRefused() {
        #expect(throws: LimitError.emptyMeterKey) { try MeterKeySpec([]) }
        #expect(throws: LimitError.tooManyMeterKeyAddresses) {
            try MeterKeySpec([.ipSource, .ipDestination, .etherSource])
        }
        #expect(throws: LimitError.tooManyMeterKeyShortFields) {
            try MeterKeySpec([.tcpSourcePort, .tcpDestinationPort, .udpSourcePort, .udpDestinationPort, .vlanID])
        }
        #expect(throws: LimitError.conflictingMeterKeyProtocols) {
            try MeterKeySpec([.ipSource, .tcpDestinationPort, .udpDestinationPort])
        }
        for field in MeterKeyField.allCases { #expect(MeterKeyField(name: Substring(field.name)) == field) }
        #expect(MeterKeyField(name: "ip  saddr") == nil)
    }
}
