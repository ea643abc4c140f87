import Frame
import Testing

/// Random and mangled bytes never trap the parser or the rewriter, and always parse soundly.
@Suite struct RandomInputTests {
    /// Headers a random frame may start with, so the generator reaches deep into the parser.
    static let seeds: [[UInt8]] = SampleFrames.all.map { $0.builder.build() } + GoldenFrames.all.map(\.bytes)

    static let rewrites: [FieldRewrite] = [
        .etherSource(0x02_00_00_00_00_99), .etherDestination(0x02_00_00_00_00_98), .vlanID(42), .vlanPCP(6),
        .vlanPush(43), .vlanPop, .ipv4Source(0xC612_0063), .ipv4Destination(0xC612_0064), .ipv4TTL(1), .ipv4DSCP(46),
        .ipv4ECN(3), .ipv6Source(0x2001_0db8 << 96 | 0x99), .ipv6Destination(0x2001_0db8 << 96 | 0x98),
        .ipv6HopLimit(1), .ipv6DSCP(46), .tcpSourcePort(1), .tcpDestinationPort(2), .udpSourcePort(3),
        .udpDestinationPort(4),
    ]

    @Test func hundredThousandRandomFramesParseSoundly() {
        var generator = SeededGenerator(seed: 0x5eed_f4a3)
        var withL4 = 0
        for round in 0..<100_000 {
            let frame = Self.randomFrame(&generator, round: round)
            let info = parse(frame)
            guard expectSound(info, count: frame.count) else { return }
            if info.present.contains(.l4Protocol) { withL4 += 1 }
        }
        // The mangled valid frames must reach L4 often, or the test would not test much.
        #expect(withL4 > 10_000)
    }

    @Test func randomFramesSurviveEveryRewrite() {
        var generator = SeededGenerator(seed: 0x0dd_ba11)
        for round in 0..<5_000 {
            let frame = Self.randomFrame(&generator, round: round)
            let headroom = Int.random(in: 0...6, using: &generator)
            let chosen = (0..<3).map { _ in Self.rewrites.randomElement(using: &generator)! }
            let result = rewrite(frame, chosen, headroom: headroom)
            #expect(result.info == parse(result.bytes), "info out of step after \(chosen)")
            withFrameBuffer(frame) { buffer in
                buffer.completeL4Checksum(info: FrameInfo.parse(buffer.readOnlyBytes))
            }
        }
    }

    /// Half pure noise, half a valid frame cut at a random point with a few random bytes changed.
    static func randomFrame(_ generator: inout SeededGenerator, round: Int) -> [UInt8] {
        if round % 2 == 0 {
            let count = Int.random(in: 0...160, using: &generator)
            var frame = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Often a plausible EtherType, so the noise reaches the L3 parsers.
            if count >= 14 && Bool.random(using: &generator) {
                let types = [EtherType.ipv4, EtherType.ipv6, EtherType.vlan, EtherType.qinq, EtherType.arp]
                let type = types.randomElement(using: &generator)!
                frame[12] = UInt8(type >> 8)
                frame[13] = UInt8(type & 0xff)
                if count > 14 && type == EtherType.ipv4 { frame[14] = 0x40 | frame[14] & 0x0f }
                if count > 14 && type == EtherType.ipv6 { frame[14] = 0x60 | frame[14] & 0x0f }
            }
            return frame
        }
        var frame = seeds.randomElement(using: &generator)!
        frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &generator)))
        for _ in 0..<Int.random(in: 0...3, using: &generator) where !frame.isEmpty {
            frame[Int.random(in: 0..<frame.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        }
        return frame
    }
}
