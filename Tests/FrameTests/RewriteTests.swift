import Frame
import Testing

/// Every rewrite on every sample frame: the bytes equal a frame built with the new value, the
/// checksums verify from scratch, and a frame lacking the field is left alone.
@Suite struct RewriteTests {
    static let rewrites: [FieldRewrite] = [
        .etherSource(0x02_aa_bb_cc_dd_ee), .etherDestination(0xff_ff_ff_ff_ff_ff), .vlanID(4094), .vlanID(0x1fff),
        .vlanPCP(7), .vlanPCP(0), .vlanPush(999), .vlanPop,
        .ipv4Source(0xC612_fe01), .ipv4Source(0xffff_ffff), .ipv4Destination(0xC613_0a0b), .ipv4Destination(0),
        .ipv4TTL(0), .ipv4TTL(255), .ipv4DSCP(46), .ipv4DSCP(0), .ipv4ECN(3), .ipv4ECN(0),
        .ipv6Source(0x2001_0db8_ffff_0000_0000_0000_dead_beef), .ipv6Source(0),
        .ipv6Destination(0xfe80_0000_0000_0000_0000_0000_0000_0001), .ipv6Destination(UInt128.max),
        .ipv6HopLimit(1), .ipv6HopLimit(0), .ipv6DSCP(63), .ipv6DSCP(0),
        .tcpSourcePort(0), .tcpSourcePort(65535), .tcpDestinationPort(8443),
        .udpSourcePort(53), .udpSourcePort(0xffff), .udpDestinationPort(0), .tcpMaxSegmentSize(536),
    ]

    @Test(arguments: SampleFrames.all.map(\.name))
    func everyRewriteMatchesTheBuilder(sample name: String) {
        let sample = SampleFrames.all.first { $0.name == name }!.builder
        for item in Self.rewrites {
            let base = RewriteModel.changesLength(item) ? sample.with { $0.padToMinimum = false } : sample
            let original = base.build()
            let result = rewrite(original, [item])
            if let expected = RewriteModel.applying(item, to: base) {
                #expect(result.results == [true], "\(item)")
                #expect(result.bytes == expected.build(), "\(item)")
                #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true), "\(item)")
            } else {
                #expect(result.results == [false], "\(item)")
                #expect(result.bytes == original, "\(item)")
            }
            #expect(result.info == parse(result.bytes), "\(item): info out of step")
        }
    }

    @Test func rewrittenInfoHoldsTheNewValues() {
        let ipv4 = rewrite(
            SampleFrames.ipv4TCP.build(),
            [.ipv4Source(1), .ipv4Destination(2), .ipv4TTL(3), .ipv4DSCP(4), .ipv4ECN(1), .tcpSourcePort(5)])
        #expect(ipv4.results.allSatisfy { $0 })
        #expect(ipv4.info.ipv4Source == 1 && ipv4.info.ipv4Destination == 2 && ipv4.info.ttl == 3)
        #expect(ipv4.info.dscp == 4 && ipv4.info.ecn == 1 && ipv4.info.sourcePort == 5)
        let ipv6 = rewrite(
            SampleFrames.ipv6UDP.build(), [.ipv6Source(7), .ipv6HopLimit(8), .ipv6DSCP(9), .udpDestinationPort(10)])
        #expect(ipv6.info.ipv6Source == 7 && ipv6.info.ttl == 8 && ipv6.info.dscp == 9)
        #expect(ipv6.info.ecn == 1 && ipv6.info.destinationPort == 10)
    }

    /// Random sequences of rewrites on random samples, checked against the model step by step.
    @Test func randomRewriteSequencesMatchTheBuilder() {
        var generator = SeededGenerator(seed: 0xc4ec_5a3e)
        let samples = SampleFrames.all.map { $0.builder.with { $0.padToMinimum = false } }
        for _ in 0..<2_000 {
            var expected = samples.randomElement(using: &generator)!
            let original = expected.build()
            var sequence: [FieldRewrite] = []
            var outcomes: [Bool] = []
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let item = Self.randomRewrite(&generator)
                sequence.append(item)
                if let next = RewriteModel.applying(item, to: expected) {
                    expected = next
                    outcomes.append(true)
                } else {
                    outcomes.append(false)
                }
            }
            let result = rewrite(original, sequence, headroom: 32)
            #expect(result.results == outcomes, "\(sequence)")
            #expect(result.bytes == expected.build(), "\(sequence)")
            #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true), "\(sequence)")
            #expect(result.info == parse(result.bytes), "\(sequence)")
        }
    }

    @Test func udpChecksumThatWouldBecomeZeroIsWrittenAsAllOnes() {
        let base = SampleFrames.ipv4UDP
        let frame = base.build()
        let info = parse(frame)
        let checksumOffset = info.l4Offset + 6
        let checksum = UInt16(frame[checksumOffset]) << 8 | UInt16(frame[checksumOffset + 1])
        // The one's complement sum of the segment is ~checksum; pick the source port that makes
        // it 0xffff, so the computed checksum is 0 and must go out as 0xffff.
        var sum = UInt32(~checksum) + UInt32(~info.sourcePort)
        sum = (sum >> 16) + (sum & 0xffff)
        let port = UInt16(0xffff - sum)
        let expected = RewriteModel.applying(.udpSourcePort(port), to: base)!.build()
        #expect(expected[checksumOffset] == 0xff && expected[checksumOffset + 1] == 0xff)
        let result = rewrite(frame, [.udpSourcePort(port)])
        #expect(result.bytes == expected)
        #expect(checksumsAreValid(result.bytes))
        // And from there to another port: 0xffff is a valid checksum to update.
        let onward = rewrite(result.bytes, [.udpSourcePort(1234)])
        #expect(onward.bytes == RewriteModel.applying(.udpSourcePort(1234), to: base)!.build())
    }

    @Test func udpZeroChecksumStaysZero() {
        let frame = SampleFrames.ipv4UDPZeroChecksum.build()
        let result = rewrite(frame, [.udpSourcePort(1), .ipv4Source(0x0a00_0001), .ipv4Destination(0x0a00_0002)])
        let offset = result.info.l4Offset + 6
        #expect(result.bytes[offset] == 0 && result.bytes[offset + 1] == 0)
        #expect(checksumsAreValid(result.bytes))
    }

    @Test func portRewriteWithoutAFullL4HeaderLeavesTheRestAlone() {
        // 10 bytes of TCP: ports present, checksum not.
        let frame = Array(SampleFrames.ipv4TCP.build().prefix(34 + 10))
        let result = rewrite(frame, [.tcpDestinationPort(0x1234)])
        #expect(result.results == [true])
        var expected = frame
        expected[36] = 0x12
        expected[37] = 0x34
        #expect(result.bytes == expected)
    }

    @Test func infoForAnotherFrameIsRefused() {
        let frame = SampleFrames.ipv4TCP.build()
        withFrameBuffer(frame) { buffer in
            var info = parse(Array(frame.prefix(40)))
            #expect(!buffer.apply(.ipv4Source(1), info: &info))
            #expect(Array(buffer.readOnlyBytes) == frame)
        }
    }

    static func randomRewrite(_ generator: inout SeededGenerator) -> FieldRewrite {
        let u16 = UInt16.random(in: 0...0xffff, using: &generator)
        let u8 = UInt8.random(in: 0...0xff, using: &generator)
        let u32 = UInt32.random(in: 0...UInt32.max, using: &generator)
        let u128 = UInt128(generator.next()) << 64 | UInt128(generator.next())
        switch Int.random(in: 0..<19, using: &generator) {
        case 0: return .etherSource(generator.next() & 0xffff_ffff_ffff)
        case 1: return .etherDestination(generator.next() & 0xffff_ffff_ffff)
        case 2: return .vlanID(u16)
        case 3: return .vlanPCP(u8)
        case 4: return .vlanPush(u16)
        case 5: return .vlanPop
        case 6: return .ipv4Source(u32)
        case 7: return .ipv4Destination(u32)
        case 8: return .ipv4TTL(u8)
        case 9: return .ipv4DSCP(u8)
        case 10: return .ipv4ECN(u8)
        case 11: return .ipv6Source(u128)
        case 12: return .ipv6Destination(u128)
        case 13: return .ipv6HopLimit(u8)
        case 14: return .ipv6DSCP(u8)
        case 15: return .tcpSourcePort(u16)
        case 16: return .tcpDestinationPort(u16)
        case 17: return .udpSourcePort(u16)
        default: return .udpDestinationPort(u16)
        }
    }
}
