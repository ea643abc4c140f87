import Frame
import Testing

/// Frames whose length fields, header lengths or tag/extension counts do not fit their bytes.
@Suite struct LyingLengthTests {
    /// Ethernet + IPv4 (IHL 5) + TCP (data offset 8): IPv4 at 14, TCP at 34, 24 payload bytes.
    let ipv4TCP = SampleFrames.ipv4TCP.build()

    private func patched(_ frame: [UInt8], _ changes: [(offset: Int, value: UInt8)]) -> [UInt8] {
        var copy = frame
        for change in changes { copy[change.offset] = change.value }
        return copy
    }

    @Test func ipv4TotalLengthBeyondCapturedBytesEndsAtTheCapture() {
        let info = parse(patched(ipv4TCP, [(16, 0x05), (17, 0xdc)]))  // total length 1500
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .ports, .tcpFlags, .l4Header])
        #expect(info.ipEnd == ipv4TCP.count)
    }

    @Test func ipv4TotalLengthBelowHeaderLengthHasNoL4() {
        let info = parse(patched(ipv4TCP, [(16, 0), (17, 19)]))
        #expect(info.present == [.ethernet, .ipv4])
        #expect(info.ipv4Source == SampleFrames.ipv4TCP.build().withUnsafeBytes { FrameInfo.parse($0).ipv4Source })
    }

    @Test func ipv4TotalLengthCutsTheL4HeaderShort() {
        // Total length 30: 10 bytes of TCP, although the frame holds all of it.
        let info = parse(patched(ipv4TCP, [(16, 0), (17, 30)]))
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .ports])
        #expect(info.ipEnd == 44)
    }

    @Test func ipv4HeaderLengthBelowFiveIsNotIPv4() {
        for ihl: UInt8 in 0...4 {
            let info = parse(patched(ipv4TCP, [(14, 0x40 | ihl)]))
            #expect(info.present == [.ethernet], "IHL \(ihl)")
        }
    }

    @Test func ipv4HeaderLengthPastTheEndIsNotIPv4() {
        let frame = patched(ipv4TCP, [(14, 0x4f)])  // 60-byte header
        #expect(parse(frame, prefix: 14 + 59).present == [.ethernet])
        // The header fits now; the 40 bytes of it that were TCP are options, and L4 starts at the end.
        #expect(parse(frame, prefix: 14 + 60).present == [.ethernet, .ipv4, .l4Protocol])
    }

    @Test func wrongIPVersionIsNotIP() {
        #expect(parse(patched(ipv4TCP, [(14, 0x65)])).present == [.ethernet])
        let ipv6 = SampleFrames.ipv6TCP.build()
        #expect(parse(patched(ipv6, [(14, 0x46)])).present == [.ethernet])
    }

    @Test func tcpDataOffsetPastTheEndOrBelowFiveHasNoL4Header() {
        let flagsOffset = 34 + 12
        for dataOffset: UInt8 in [0, 1, 4, 15] {
            let info = parse(patched(ipv4TCP, [(flagsOffset, dataOffset << 4)]))
            #expect(info.present == [.ethernet, .ipv4, .l4Protocol, .ports, .tcpFlags], "data offset \(dataOffset)")
        }
        // 15 words fits once the segment is long enough: 60 bytes of a 64-byte segment.
        let long = SampleFrames.ipv4(.tcp(SampleFrames.tcp.withPayload(count: 40))).build()
        #expect(parse(patched(long, [(flagsOffset, 0xf0)])).present.contains(.l4Header))
    }

    @Test func ipv6PayloadLengthLies() {
        let frame = SampleFrames.ipv6ICMPv6.build()  // ICMPv6 at 54
        // Longer than the frame: ends at the capture.
        let long = parse(patched(frame, [(18, 0xff), (19, 0xff)]))
        #expect(long.present == [.ethernet, .ipv6, .l4Protocol, .icmpType, .l4Header])
        #expect(long.ipEnd == frame.count)
        // 2 bytes: type and code only.
        let short = parse(patched(frame, [(18, 0), (19, 2)]))
        #expect(short.present == [.ethernet, .ipv6, .l4Protocol, .icmpType])
        #expect(short.ipEnd == 56)
        // 0 bytes: the protocol is known, nothing of its header.
        #expect(parse(patched(frame, [(18, 0), (19, 0)])).present == [.ethernet, .ipv6, .l4Protocol])
    }

    @Test func ipv6PayloadLengthCutsTheExtensionChain() {
        let frame = SampleFrames.ipv6ExtensionsTCP.build()  // 8 + 8 + 16 bytes of extensions
        let info = parse(patched(frame, [(18, 0), (19, 31)]))
        #expect(info.present == [.ethernet, .ipv6])
    }

    @Test func extensionHeaderRunningPastTheEndHasNoL4() {
        var frame = SampleFrames.ipv6ExtensionsTCP.build()
        frame[54 + 1] = 200  // hop-by-hop claims 1,608 bytes
        let info = parse(frame)
        #expect(info.present == [.ethernet, .ipv6])
        #expect(info.ipProtocol == IPProtocol.hopByHop)
    }

    @Test func eightExtensionHeadersAreWalkedNineAreNot() {
        let eight = SampleFrames.ipv6(
            .udp(SampleFrames.udp), extensions: Array(repeating: .destinationOptions(length: 6), count: 8))
        let eightInfo = parse(eight.build())
        #expect(eightInfo.present == [.ethernet, .ipv6, .l4Protocol, .ports, .l4Header])
        #expect(eightInfo.l4Offset == 14 + 40 + 64)
        #expect(eightInfo.ipProtocol == IPProtocol.destinationOptions)
        #expect(eightInfo.l4Protocol == IPProtocol.udp)
        let nine = SampleFrames.ipv6(
            .udp(SampleFrames.udp), extensions: Array(repeating: .destinationOptions(length: 6), count: 9))
        #expect(parse(nine.build()).present == [.ethernet, .ipv6])
        let twenty = SampleFrames.ipv6(
            .udp(SampleFrames.udp), extensions: Array(repeating: .hopByHop(length: 0), count: 20))
        #expect(parse(twenty.build()).present == [.ethernet, .ipv6])
    }

    @Test func noNextHeaderHasNoL4() {
        let frame = SampleFrames.ipv6(.other(protocolNumber: IPProtocol.noNextHeader, payload: SampleFrames.payload))
        #expect(parse(frame.build()).present == [.ethernet, .ipv6])
        let afterOptions = SampleFrames.ipv6(
            .other(protocolNumber: IPProtocol.noNextHeader, payload: []), extensions: [.destinationOptions(length: 6)])
        #expect(parse(afterOptions.build()).present == [.ethernet, .ipv6])
    }

    @Test func authenticationHeaderIsWalkedInFourByteUnits() {
        // Turn a 16-byte destination options header into AH: payload length (16 / 4) - 2 = 2.
        var frame = SampleFrames.ipv6(.tcp(SampleFrames.tcp), extensions: [.destinationOptions(length: 14)]).build()
        frame[14 + 6] = IPProtocol.ah
        frame[54 + 1] = 2
        let info = parse(frame)
        #expect(info.present == [.ethernet, .ipv6, .l4Protocol, .ports, .tcpFlags, .l4Header])
        #expect(info.ipProtocol == IPProtocol.ah)
        #expect(info.l4Offset == 14 + 40 + 16)
        #expect(info.sourcePort == 40001)
    }

    @Test func otherTransportsHaveOnlyTheirProtocol() {
        let info = parse(SampleFrames.ipv4ESP.build())
        #expect(info.present == [.ethernet, .ipv4, .l4Protocol])
        #expect(info.l4Protocol == IPProtocol.esp)
        #expect(info.l4Offset == 34)
        // ICMPv6 numbers inside IPv4 and ICMP inside IPv6 are not ICMP.
        let v6InV4 = SampleFrames.ipv4(.icmp(SampleFrames.icmp)).with {
            guard case .ipv4(var ip) = $0.network else { return }
            ip.protocolOverride = IPProtocol.icmpv6
            $0.network = .ipv4(ip)
        }
        #expect(parse(v6InV4.build()).present == [.ethernet, .ipv4, .l4Protocol])
        #expect(parse(SampleFrames.ipv6(.icmp(SampleFrames.icmp)).build()).present == [.ethernet, .ipv6, .l4Protocol])
    }

    @Test func eightVLANTagsAreWalkedNineAreNot() {
        let tags = (1...9).map { FrameBuilder.VLANTag(id: UInt16($0)) }
        let eight = parse(SampleFrames.ipv4(.udp(SampleFrames.udp), tags: Array(tags.prefix(8))).build())
        #expect(eight.present == [.ethernet, .vlan, .ipv4, .l4Protocol, .ports, .l4Header])
        #expect(eight.vlanTagCount == 8)
        #expect(eight.outerVLANTCI == 1 && eight.innerVLANTCI == 2)
        #expect(eight.l3Offset == 14 + 32)
        let nine = parse(SampleFrames.ipv4(.udp(SampleFrames.udp), tags: tags).build())
        #expect(nine.present == [.ethernet, .vlan])
        #expect(nine.vlanTagCount == 8)
        #expect(nine.etherType == EtherType.vlan)
    }

    @Test func everyVLANTPIDIsWalked() {
        for tpid in [EtherType.vlan, EtherType.qinq, EtherType.qinqLegacy] {
            let info = parse(SampleFrames.ipv4(.udp(SampleFrames.udp), tags: [.init(id: 5, tpid: tpid)]).build())
            #expect(info.present.contains(.ports), "TPID \(tpid)")
            #expect(info.outerVLANTPID == tpid)
        }
    }

    @Test func shortARPHasNoOperation() {
        let frame = SampleFrames.arp.build()
        #expect(parse(frame, prefix: 21).present == [.ethernet])
        #expect(parse(frame, prefix: 22).present == [.ethernet, .arp])
    }
}

extension FrameBuilder.TCP {
    /// This header with `count` payload bytes.
    func withPayload(count: Int) -> FrameBuilder.TCP {
        var copy = self
        copy.payload = Array(repeating: 0x5a, count: count)
        return copy
    }
}
