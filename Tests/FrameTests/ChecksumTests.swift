import Frame
import Testing

@Suite struct ChecksumTests {
    static let checksummed = [
        "ipv4TCP", "ipv4UDP", "ipv4ICMP", "ipv6TCP", "ipv6UDP", "ipv6ICMPv6", "ipv6ExtensionsTCP", "dot1QIPv4TCP",
        "qinqIPv6UDP",
    ]

    /// Breaks the L4 checksum (the way offload leaves it, or with garbage) and completes it again.
    @Test(arguments: checksummed)
    func completeL4ChecksumFixesABrokenChecksum(sample name: String) {
        let frame = SampleFrames.all.first { $0.name == name }!.builder.build()
        let info = parse(frame)
        let offset =
            info.l4Offset + (info.l4Protocol == IPProtocol.tcp ? 16 : info.l4Protocol == IPProtocol.udp ? 6 : 2)
        for broken: [UInt8] in [[0, 0], [0xff, 0xff], [0x12, 0x34]] {
            var damaged = frame
            damaged[offset] = broken[0]
            damaged[offset + 1] = broken[1]
            guard damaged != frame else { continue }
            #expect(!checksumsAreValid(damaged) || info.l4Protocol == IPProtocol.udp && broken == [0, 0])
            let repaired = withFrameBuffer(damaged) { buffer in
                buffer.completeL4Checksum(info: FrameInfo.parse(buffer.readOnlyBytes))
                return Array(buffer.readOnlyBytes)
            }
            #expect(repaired == frame, "\(name) with \(broken)")
        }
    }

    @Test func completeL4ChecksumLeavesFragmentsAndOtherProtocolsAlone() {
        for builder in [
            SampleFrames.ipv4FirstFragment, SampleFrames.ipv4NonFirstFragment, SampleFrames.ipv4ESP, SampleFrames.arp,
        ] {
            var frame = builder.build()
            frame[frame.count - 1] ^= 0xff
            let after = withFrameBuffer(frame) { buffer in
                buffer.completeL4Checksum(info: FrameInfo.parse(buffer.readOnlyBytes))
                return Array(buffer.readOnlyBytes)
            }
            #expect(after == frame)
        }
    }

    @Test func verifierRejectsAnyFlippedBit() {
        for name in Self.checksummed {
            let frame = SampleFrames.all.first { $0.name == name }!.builder.build()
            let info = parse(frame)
            #expect(checksumsAreValid(frame), "\(name)")
            // Flip each bit of the payload: L4 is wrong. Flip the TTL: the IPv4 header is wrong.
            for bit in 0..<8 {
                var damaged = frame
                damaged[info.ipEnd - 1] ^= 1 << bit
                damaged.withUnsafeBytes { #expect(!ChecksumVerifier.l4IsValid($0, info: info), "\(name) bit \(bit)") }
            }
            if info.present.contains(.ipv4) {
                var damaged = frame
                damaged[info.l3Offset + 8] ^= 0x10
                damaged.withUnsafeBytes { #expect(!ChecksumVerifier.ipv4HeaderIsValid($0, info: info)) }
                frame.withUnsafeBytes { #expect(ChecksumVerifier.ipv4HeaderIsValid($0, info: info)) }
            }
        }
    }

    @Test func udpZeroChecksumIsValidOverIPv4Only() {
        let ipv4 = SampleFrames.ipv4UDPZeroChecksum.build()
        ipv4.withUnsafeBytes { #expect(ChecksumVerifier.l4IsValid($0, info: FrameInfo.parse($0))) }
        var udp = SampleFrames.udp
        udp.zeroChecksum = true
        let ipv6 = SampleFrames.ipv6(.udp(udp)).build()
        ipv6.withUnsafeBytes { #expect(!ChecksumVerifier.l4IsValid($0, info: FrameInfo.parse($0))) }
    }

    @Test func verifierCannotCheckWhatIsNotThere() {
        for builder in [SampleFrames.arp, SampleFrames.ipv4ESP, SampleFrames.ipv4NonFirstFragment] {
            builder.build().withUnsafeBytes { #expect(!ChecksumVerifier.l4IsValid($0, info: FrameInfo.parse($0))) }
        }
        // A first fragment only with the caller's word that the whole segment is there.
        SampleFrames.ipv4FirstFragment.build().withUnsafeBytes { bytes in
            let info = FrameInfo.parse(bytes)
            #expect(!ChecksumVerifier.l4IsValid(bytes, info: info))
            #expect(ChecksumVerifier.l4IsValid(bytes, info: info, wholeSegmentPresent: true))
        }
    }

    @Test func internetChecksumMatchesRFC1071Example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2 (folded).
        let bytes: [UInt8] = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]
        bytes.withUnsafeBytes { #expect(InternetChecksum.fold(InternetChecksum.add($0)) == 0xddf2) }
        // An odd length pads the last byte on the right.
        let odd: [UInt8] = [0x00, 0x01, 0xf2]
        odd.withUnsafeBytes { #expect(InternetChecksum.fold(InternetChecksum.add($0)) == 0xf201) }
        // Long input takes the 8-byte path: 100 words of 0xffff fold to 0xffff.
        let long = [UInt8](repeating: 0xff, count: 200)
        long.withUnsafeBytes { #expect(InternetChecksum.fold(InternetChecksum.add($0)) == 0xffff) }
    }
}
