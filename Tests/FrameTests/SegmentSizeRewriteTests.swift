import Frame
import Testing

/// `tcp option maxseg size set N` on crafted SYNs: the MSS value found wherever it lies in the
/// option list, lowered and never raised, the checksum right from scratch; malformed lists and
/// segments without the option left byte for byte as they came.
@Suite struct SegmentSizeRewriteTests {
    static let timestamps: [UInt8] = [8, 10, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0]
    /// Linux's SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
    static let linuxSYN: [UInt8] = [2, 4, 0x05, 0xb4, 4, 2] + timestamps + [1, 3, 3, 7]

    static func syn(_ options: [UInt8], payload: [UInt8] = []) -> FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.sourcePort = 40100
        tcp.destinationPort = 443
        tcp.sequence = 0x0bad_cafe
        tcp.flags = 0x02
        tcp.window = 64240
        tcp.options = options
        tcp.payload = payload
        return tcp
    }

    /// The frame before and after, and what `apply` said.
    static func clamp(_ builder: FrameBuilder, to limit: UInt16) -> (before: [UInt8], result: Rewritten) {
        let before = builder.build()
        return (before, rewrite(before, [.tcpMaxSegmentSize(limit)]))
    }

    /// The MSS value bytes replaced at `index` of the options: the frame a correct clamp makes.
    static func expected(
        _ builder: (FrameBuilder.TCP) -> FrameBuilder, options: [UInt8], mssAt index: Int, _ value: UInt16
    )
        -> [UInt8]
    {
        var written = options
        written[index] = UInt8(value >> 8)
        written[index + 1] = UInt8(value & 0xff)
        return builder(syn(written)).build()
    }

    @Test func mssFirstIsLowered() {
        let (before, result) = Self.clamp(SampleFrames.ipv4(.tcp(Self.syn(Self.linuxSYN))), to: 1360)
        #expect(result.results == [true])
        #expect(result.bytes == Self.expected({ SampleFrames.ipv4(.tcp($0)) }, options: Self.linuxSYN, mssAt: 2, 1360))
        #expect(result.bytes != before)
        #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true))
        #expect(result.info == parse(result.bytes))
        #expect(result.bytes.withUnsafeBytes { TCPOptions.maximumSegmentSize($0, info: result.info) } == 1360)
    }

    @Test(
        arguments: [
            // After NOPs, SACK permitted, timestamps and window scale: the value at an even offset.
            [1, 1, 4, 2, 1, 3, 3, 7] + timestamps + [1, 1, 2, 4, 0x23, 0x28],
            // After one NOP: the value straddles two checksum words (odd offset in the header).
            [1, 2, 4, 0x05, 0xb4, 1, 1, 1],
            // After window scale alone (3 bytes): odd again.
            [3, 3, 7, 2, 4, 0x05, 0xb4, 0],
        ] as [[UInt8]])
    func mssAfterOtherOptionsIsLowered(options: [UInt8]) throws {
        let index = try #require(Self.mssIndex(options))
        let (_, result) = Self.clamp(SampleFrames.ipv4(.tcp(Self.syn(options))), to: 1220)
        #expect(result.results == [true])
        #expect(result.bytes == Self.expected({ SampleFrames.ipv4(.tcp($0)) }, options: options, mssAt: index, 1220))
        #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true))
    }

    @Test func ipv6BehindExtensionHeadersAndQinQ() {
        let tags = SampleFrames.qinqTags
        let extensions: [FrameBuilder.ExtensionHeader] = [.hopByHop(length: 6), .destinationOptions(length: 14)]
        let make = { (tcp: FrameBuilder.TCP) in SampleFrames.ipv6(.tcp(tcp), tags: tags, extensions: extensions) }
        let (_, result) = Self.clamp(make(Self.syn(Self.linuxSYN)), to: 1220)
        #expect(result.results == [true])
        #expect(result.bytes == Self.expected(make, options: Self.linuxSYN, mssAt: 2, 1220))
        #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true))
        // QinQ over IPv4 with IP options, and a payload after the header.
        var builder = SampleFrames.ipv4(.tcp(Self.syn(Self.linuxSYN, payload: [1, 2, 3])), tags: tags)
        if case .ipv4(var ip) = builder.network {
            ip.options = [0x94, 0x04, 0x00, 0x00]
            builder.network = .ipv4(ip)
        }
        let clamped = Self.clamp(builder, to: 536).result
        #expect(clamped.results == [true])
        #expect(clamped.bytes.withUnsafeBytes { TCPOptions.maximumSegmentSize($0, info: clamped.info) } == 536)
        #expect(checksumsAreValid(clamped.bytes, wholeSegmentPresent: true))
    }

    @Test func neverRaised() {
        for limit: UInt16 in [1460, 1461, 9000, 0xffff] {
            let (before, result) = Self.clamp(SampleFrames.ipv4(.tcp(Self.syn(Self.linuxSYN))), to: limit)
            #expect(result.results == [false], "\(limit)")
            #expect(result.bytes == before, "\(limit)")
        }
    }

    @Test(
        arguments: [
            // No MSS option at all, or none before the End of Option List.
            [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            [0, 0, 0, 0, 2, 4, 0x05, 0xb4],
            [] as [UInt8],
            // An option's length runs past the header: truncated list.
            [1, 1, 8, 10, 0, 0, 0, 1],
            // A length byte missing at the very end (window scale kind in the last byte).
            [1, 1, 1, 3],
            // Lengths below 2 stop the walk before the MSS option.
            [4, 0, 2, 4, 0x05, 0xb4, 1, 1],
            [4, 1, 2, 4, 0x05, 0xb4, 1, 1],
            // An MSS option of the wrong length.
            [2, 3, 0x05, 0xb4],
            [2, 6, 0x05, 0xb4, 0, 0, 1, 1],
        ] as [[UInt8]])
    func malformedOrAbsentLeavesTheFrameAlone(options: [UInt8]) {
        let (before, result) = Self.clamp(SampleFrames.ipv4(.tcp(Self.syn(options))), to: 536)
        #expect(result.results == [false])
        #expect(result.bytes == before)
    }

    @Test func truncatedFramesAndOtherProtocolsAreLeftAlone() {
        let frame = SampleFrames.ipv4(.tcp(Self.syn(Self.linuxSYN))).build()
        // Cut inside the options: no complete TCP header, so no walk at all.
        for length in [14 + 20 + 13, 14 + 20 + 20, 14 + 20 + 23, frame.count - 1] {
            let cut = Array(frame.prefix(length))
            let result = rewrite(cut, [.tcpMaxSegmentSize(536)])
            #expect(result.results == [false], "\(length)")
            #expect(result.bytes == cut, "\(length)")
        }
        for sample in [SampleFrames.ipv4UDP, SampleFrames.arp, SampleFrames.ipv4NonFirstFragment] {
            let original = sample.build()
            let result = rewrite(original, [.tcpMaxSegmentSize(536)])
            #expect(result.results == [false] && result.bytes == original)
        }
    }

    @Test func randomOptionBytesNeverCrashOrBreakTheChecksum() {
        var generator = SeededGenerator(seed: 0x4d55_5353)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...40, using: &generator)
            var options = (0..<count).map { _ in UInt8.random(in: 0...12, using: &generator) }
            if count >= 4 && Bool.random(using: &generator) {
                let at = Int.random(in: 0...(count - 4), using: &generator)
                options.replaceSubrange(at..<at + 4, with: [2, 4, 0x05, 0xb4])
            }
            let builder = SampleFrames.ipv6(.tcp(Self.syn(options)))
            let (before, result) = Self.clamp(builder, to: 1000)
            #expect(checksumsAreValid(result.bytes, wholeSegmentPresent: true), "\(options)")
            if result.results == [false] { #expect(result.bytes == before, "\(options)") }
            #expect(result.info == parse(result.bytes))
        }
    }

    /// Where the MSS option's value starts, by a plain reading of a well-formed list.
    static func mssIndex(_ options: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < options.count {
            if options[index] == 1 {
                index += 1
            } else if options[index] == 2 {
                return index + 2
            } else {
                index += Int(options[index + 1])
            }
        }
        return nil
    }
}
