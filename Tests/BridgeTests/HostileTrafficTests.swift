import Frame
import Glibc
import TestSupport
import Testing

/// Malformed frames through the live bridge: the process survives them, counts every one it was
/// given, keeps forwarding real traffic, and never turns a frame with right checksums into one
/// with wrong checksums by rewriting it.
@Suite(.serialized) struct HostileTrafficTests {
    /// Rules on every layer, each with rewrites, and a bpf match: malformed frames reach deep
    /// matching and the rewriters. The hosts' own traffic (198.18.1.0/24, ARP, ICMPv6 ND) matches
    /// none of them and crosses untouched.
    static let policy = """
        version 1
        default forward

        rule "bpf-dns" {
            match bpf "udp and src net 198.18.9.0/24 and dst port 53"
            udp dport set 5353
            ip ttl set 5
            forward
        }
        rule "v4-udp" {
            match ip saddr 198.18.9.0/24 udp dport 1-65535
            ip daddr set 198.18.9.200
            ip dscp set ef
            udp sport set 4000
            forward
        }
        rule "v4-tcp" {
            match ip saddr 198.18.9.0/24 tcp flags syn tcp dport != 0
            ip saddr set 198.18.9.201
            tcp dport set 8080
            forward
        }
        rule "v4-icmp" {
            match ip saddr 198.18.9.0/24 icmp type echo-request
            ip ecn set ce
            ip ttl set 3
            forward
        }
        rule "v4-other" {
            match ip saddr 198.18.9.0/24 meta l4proto != { tcp, udp, icmp }
            ip dscp set cs1
            forward
        }
        rule "v6-l4" {
            match ip6 saddr 2001:db8:9::/48 meta l4proto { tcp, udp, icmpv6 }
            ip6 daddr set 2001:db8:9::200
            ip6 hoplimit set 7
            tcp sport set 4001
            forward
        }
        rule "v6-other" {
            match ip6 saddr 2001:db8:9::/48
            ip6 dscp set af41
            forward
        }
        rule "vlan-retag" {
            match vlan id 1-4094 vlan pcp != 7
            vlan id set 99
            vlan pcp set 3
            ether saddr set 02:00:00:00:09:99
            forward
        }
        rule "vlan-zero-pop" {
            match vlan id 0
            vlan pop
            forward
        }
        rule "experimental-push" {
            match ether type 0x88b5
            vlan push 77
            forward
        }
        """

    @Test func malformedFramesAreCountedAndTheBridgeKeepsForwarding() async throws {
        let corpus = HostileCorpus.build()
        // Several hundred frames of every kind the issue lists.
        #expect(corpus.count >= 500)
        for kind in HostileCorpus.Kind.allCases {
            #expect(corpus.contains { $0.kind == kind }, "no \(kind) frames")
        }
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            let receivedBefore = try bed.portCounter("a", "rx_frames")

            let capture = RawExchange.startCapture(
                in: bed.b, interface: "b0", count: corpus.count, timeout: 4, matching: HostileCorpus.isFromCorpus)
            try bed.a.start {
                let socket = try PlainPacketSocket(interface: "a0")
                for (index, frame) in corpus.enumerated() {
                    try socket.send(frame.bytes)
                    // Paced, so neither the bridge's ring nor the capture socket on b overflows.
                    if index % 32 == 31 { usleep(10_000) }
                }
            }.wait()
            let forwarded = try capture.wait()

            // The process is alive and counted every frame it was given.
            #expect(bed.process?.isRunning == true, "\(bed.log())")
            let counted = try waitUntil(timeout: 5) {
                try bed.portCounter("a", "rx_frames") - receivedBefore >= UInt64(corpus.count)
            }
            let delta = try bed.portCounter("a", "rx_frames") - receivedBefore
            #expect(counted, "rx_frames on a grew by \(delta) for \(corpus.count) frames sent")
            #expect(try bed.portCounter("a", "ring_drops") == 0)

            // Every layer's rule saw malformed frames (the rules count the frames they decided).
            for rule in ["bpf-dns", "v4-udp", "v4-tcp", "v4-icmp", "v4-other", "v6-l4", "v6-other", "vlan-retag"] {
                #expect(try bed.rulePackets(rule) > 0, "rule \(rule) decided no frame")
            }
            #expect(try bed.rulePackets("experimental-push") > 0)
            #expect(try bed.rulePackets("vlan-zero-pop") > 0)

            // It still forwards real traffic, both ways.
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3).received == 3, "\(bed.log())")
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.addressA, count: 3).received == 3)
            #expect(bed.process?.isRunning == true)
            #expect(!bed.log(lines: 400).contains("Fatal error"))

            // Most of the corpus crossed (the policy forwards everything), and no frame whose
            // checksums were right when sent arrived rewritten with a wrong one.
            #expect(forwarded.count >= corpus.count * 9 / 10, "\(forwarded.count) of \(corpus.count) crossed")
            let broken = HostileCorpus.rewrittenWithBrokenChecksums(forwarded, sent: corpus)
            #expect(broken.isEmpty, "\(broken.count) rewritten frames with wrong checksums: \(broken.prefix(3))")
            let rewritten = HostileCorpus.rewrittenCount(forwarded, sent: corpus)
            #expect(rewritten > 100, "only \(rewritten) frames were rewritten: the check above tested little")
        }
    }
}

/// The malformed frames, built from valid ones: truncations at every byte, lying lengths, IHL and
/// data offsets past the end, long IPv6 extension chains, stacked VLAN tags, fragments, and random
/// bytes after a valid Ethernet header.
///
/// Two things the kernel does not let through, and so the corpus leaves out: frames shorter than
/// 14 bytes (`send` on a packet socket fails with EINVAL; truncations below 14 bytes are sent
/// zero-padded to 14), and frames whose outer TPID is 0x8100 or 0x88a8 with fewer than 20 bytes
/// (the receiving kernel drops them while taking the tag off, before any packet socket sees them).
enum HostileCorpus {
    enum Kind: String, CaseIterable {
        case truncated, lyingLength, headerPastEnd, extensionChain, stackedTags, fragment, randomPayload
    }

    struct HostileFrame {
        var bytes: [UInt8]
        var kind: Kind
    }

    /// Tracked frames go to this MAC: their IPv4 identification or IPv6 flow label is unique, so
    /// what arrives can be matched to what was sent.
    static let trackedDestination: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x09, 0x02]
    /// Frames of random bytes go here; they are not matched back.
    static let untrackedDestination: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x09, 0x04]

    static func isFromCorpus(_ frame: [UInt8]) -> Bool {
        frame.count >= 6 && (Array(frame[0..<6]) == trackedDestination || Array(frame[0..<6]) == untrackedDestination)
    }

    static func build() -> [HostileFrame] {
        var corpus: [HostileFrame] = []
        var nextID: UInt32 = 1
        func add(_ bytes: [UInt8], _ kind: Kind) {
            var frame = bytes
            if frame.count < 14 { frame += [UInt8](repeating: 0, count: 14 - frame.count) }
            let outer = UInt16(frame[12]) << 8 | UInt16(frame[13])
            if (outer == EtherType.vlan || outer == EtherType.qinq) && frame.count < 20 { return }
            corpus.append(HostileFrame(bytes: frame, kind: kind))
        }
        /// A base frame built with the next unique identifier.
        func base(_ make: (UInt32) -> FrameBuilder) -> [UInt8] {
            defer { nextID += 1 }
            return make(nextID).build()
        }

        // Truncations of valid frames at every length from 1 byte short to 1 byte.
        for make in validFrameMakers {
            let whole = base(make)
            var cuts = Set<Int>()
            for length in stride(from: whole.count - 1, through: 1, by: -1) {
                cuts.insert(max(length, 14))
            }
            for length in cuts.sorted() {
                let frame = base(make)
                add(Array(frame.prefix(length)), .truncated)
            }
        }

        // Lengths that lie: IPv4 total length, IPv6 payload length, UDP length; header checksums
        // kept right, so only the length is wrong.
        for totalLength: UInt16 in [0, 1, 19, 20, 21, 27, 28, 29, 60, 1500, 0xffff] {
            var frame = base { ipv4Frame(.udp(udp(dport: 9, payload: 8)), id: $0) }
            setBE16(&frame, 16, totalLength)
            fixIPv4HeaderChecksum(&frame, at: 14)
            add(frame, .lyingLength)
        }
        for payloadLength: UInt16 in [0, 1, 7, 8, 9, 40, 1000, 0xffff] {
            var frame = base { ipv6Frame(.udp(udp(dport: 9, payload: 8)), flow: $0) }
            setBE16(&frame, 18, payloadLength)
            add(frame, .lyingLength)
        }
        for udpLength: UInt16 in [0, 1, 7, 9, 15, 16, 17, 0xffff] {
            var frame = base { ipv4Frame(.udp(udp(dport: 53, payload: 8)), id: $0) }
            setBE16(&frame, 14 + 20 + 4, udpLength)
            add(frame, .lyingLength)
        }

        // IHL and TCP data offset below the minimum and past the end.
        for ihl: UInt8 in 0...15 where ihl != 5 {
            var frame = base { ipv4Frame(.tcp(tcp(dport: 80)), id: $0) }
            frame[14] = 0x40 | ihl
            fixIPv4HeaderChecksum(&frame, at: 14, headerLength: max(20, min(Int(ihl) * 4, frame.count - 14)))
            add(frame, .headerPastEnd)
            add(Array(frame.prefix(14 + 24)), .headerPastEnd)
        }
        for offset: UInt8 in 0...15 where offset != 5 {
            var frame = base { ipv4Frame(.tcp(tcp(dport: 80)), id: $0, padded: false) }
            frame[14 + 20 + 12] = offset << 4
            add(frame, .headerPastEnd)
            var frame6 = base { ipv6Frame(.tcp(tcp(dport: 80)), flow: $0) }
            frame6[14 + 40 + 12] = offset << 4
            add(frame6, .headerPastEnd)
        }
        // An extension header whose length runs past the end.
        for units: UInt8 in [1, 2, 8, 255] {
            var frame = base { ipv6Frame(.udp(udp(dport: 9)), flow: $0, headers: [.destinationOptions(length: 6)]) }
            frame[14 + 40 + 1] = units
            add(frame, .headerPastEnd)
        }

        // 8 to 20 IPv6 extension headers, of every kind, with each transport.
        for count in 8...20 {
            for transport in [FrameBuilder.Transport.udp(udp(dport: 53)), .tcp(tcp(dport: 22)), .icmpv6(icmp(128))] {
                let kinds: [FrameBuilder.ExtensionHeader] = [
                    .destinationOptions(length: 6), .routing(length: 14), .destinationOptions(length: 22),
                ]
                var headers: [FrameBuilder.ExtensionHeader] = [.hopByHop(length: 6)]
                while headers.count < count { headers.append(kinds[headers.count % kinds.count]) }
                add(base { ipv6Frame(transport, flow: $0, headers: headers) }, .extensionChain)
            }
        }

        // 3 to 12 stacked VLAN tags of the three TPIDs, over IPv4, IPv6 and nothing.
        let tpids = [EtherType.vlan, EtherType.qinq, EtherType.qinqLegacy]
        for count in 3...12 {
            for (index, network) in ["ipv4", "ipv6", "raw"].enumerated() {
                let tags = (0..<count).map {
                    FrameBuilder.VLANTag(
                        id: UInt16(10 + $0), pcp: UInt8($0 % 7), tpid: tpids[($0 + index) % tpids.count])
                }
                let frame = base { id in
                    var builder: FrameBuilder
                    switch network {
                    case "ipv4": builder = ipv4Frame(.udp(udp(dport: 53)), id: id)
                    case "ipv6": builder = ipv6Frame(.tcp(tcp(dport: 443)), flow: id)
                    default:
                        builder = ethernetFrame(.raw(etherType: 0x88b5, payload: Array(repeating: 0x42, count: 30)))
                    }
                    builder.vlanTags = tags
                    return builder
                }
                add(frame, .stackedTags)
                add(Array(frame.prefix(14 + 4 * count + 2)), .stackedTags)
            }
        }

        // Priority-tagged frames (VID 0, which the policy pops) under 1 to 3 tags, whole and cut
        // inside the inner headers.
        for count in 1...3 {
            let tags = (0..<count).map { FrameBuilder.VLANTag(id: $0 == 0 ? 0 : UInt16(500 + $0), pcp: 5) }
            let frame = base { id in
                var builder = ipv4Frame(.tcp(tcp(dport: 25)), id: id)
                builder.vlanTags = tags
                return builder
            }
            for cut in [frame.count, 14 + 4 * count + 10, 14 + 4 * count + 30] {
                add(Array(frame.prefix(cut)), .stackedTags)
            }
        }

        // IPv4 and IPv6 fragments: first, middle, last, tiny offsets, atomic.
        for (more, offset) in [(true, 0), (true, 1), (true, 185), (false, 185), (false, 8191), (true, 8191)] {
            add(
                base { ipv4Frame(.udp(udp(dport: 53, payload: 24)), id: $0, more: more, offset: UInt16(offset)) },
                .fragment)
            add(
                base {
                    ipv6Frame(
                        .udp(udp(dport: 53, payload: 24)), flow: $0,
                        headers: [.fragment(offset: UInt16(offset), moreFragments: more, identification: $0)])
                }, .fragment)
            add(
                base {
                    ipv6Frame(
                        .tcp(tcp(dport: 80)), flow: $0,
                        headers: [
                            .hopByHop(length: 6),
                            .fragment(offset: UInt16(offset), moreFragments: more, identification: $0),
                            .destinationOptions(length: 6),
                        ])
                }, .fragment)
        }

        // Random bytes after a valid Ethernet header, under each EtherType the parser knows.
        var generator = SplitMix64(seed: 0x4b05_711e)
        let types: [UInt16] = [
            EtherType.ipv4, EtherType.ipv6, EtherType.arp, EtherType.vlan, EtherType.qinq, EtherType.qinqLegacy,
            0x88b5,
        ]
        for round in 0..<140 {
            let type = types[round % types.count]
            var frame = untrackedDestination + [0x02, 0x00, 0x00, 0x00, 0x09, 0x01]
            frame += [UInt8(type >> 8), UInt8(type & 0xff)]
            let count = Int(generator.next() % 200) + 6
            for _ in 0..<count { frame.append(UInt8(truncatingIfNeeded: generator.next())) }
            // Often a plausible version nibble, so the bytes reach the IP parsers.
            if type == EtherType.ipv4 && round % 2 == 0 { frame[14] = 0x40 | frame[14] & 0x0f }
            if type == EtherType.ipv6 && round % 2 == 0 { frame[14] = 0x60 | frame[14] & 0x0f }
            add(frame, .randomPayload)
        }
        return corpus
    }

    /// Valid frames of each layer, each given a unique identifier.
    static let validFrameMakers: [@Sendable (UInt32) -> FrameBuilder] = [
        { ipv4Frame(.udp(udp(dport: 53, payload: 16)), id: $0) },
        { ipv4Frame(.tcp(tcp(dport: 80, options: 8)), id: $0, padded: false) },
        { ipv4Frame(.icmp(icmp(8)), id: $0, options: 8) },
        { ipv6Frame(.udp(udp(dport: 53, payload: 8)), flow: $0, headers: [.hopByHop(length: 6)]) },
        { ipv6Frame(.tcp(tcp(dport: 443)), flow: $0) },
        { id in
            var builder = ipv4Frame(.udp(udp(dport: 4789, payload: 4)), id: id)
            builder.vlanTags = [.init(id: 200, tpid: EtherType.qinq), .init(id: 20, pcp: 2)]
            return builder
        },
        { _ in
            var arp = FrameBuilder.ARP()
            arp.senderIP = 0xC612_0901
            arp.targetIP = 0xC612_0902
            var builder = ethernetFrame(.arp(arp))
            builder.vlanTags = [.init(id: 30)]
            return builder
        },
    ]

    // MARK: What arrived

    /// Frames that arrived different from what was sent (rewritten) with a wrong IPv4 header or
    /// L4 checksum, although the frame they came from had right ones.
    static func rewrittenWithBrokenChecksums(_ received: [[UInt8]], sent: [HostileFrame]) -> [String] {
        let origins = originsByIdentifier(sent)
        var broken: [String] = []
        for frame in received {
            guard let original = origin(of: frame, in: origins), frame != original else { continue }
            let wasValid = original.withUnsafeBytes { ChecksumVerifier.allAreValid($0, info: FrameInfo.parse($0)) }
            let isValid = frame.withUnsafeBytes { ChecksumVerifier.allAreValid($0, info: FrameInfo.parse($0)) }
            if wasValid && !isValid { broken.append(hex(frame)) }
        }
        return broken
    }

    /// How many tracked frames arrived rewritten.
    static func rewrittenCount(_ received: [[UInt8]], sent: [HostileFrame]) -> Int {
        let origins = originsByIdentifier(sent)
        return received.filter { frame in origin(of: frame, in: origins).map { $0 != frame } ?? false }.count
    }

    private static func originsByIdentifier(_ sent: [HostileFrame]) -> [UInt64: [UInt8]] {
        var origins: [UInt64: [UInt8]] = [:]
        for frame in sent where Array(frame.bytes.prefix(6)) == trackedDestination {
            if let key = identifier(frame.bytes) { origins[key] = frame.bytes }
        }
        return origins
    }

    private static func origin(of frame: [UInt8], in origins: [UInt64: [UInt8]]) -> [UInt8]? {
        guard Array(frame.prefix(6)) == trackedDestination, let key = identifier(frame) else { return nil }
        return origins[key]
    }

    /// The IPv4 identification or the IPv6 flow label, tagged with the family; nil without a
    /// complete IP header.
    private static func identifier(_ frame: [UInt8]) -> UInt64? {
        let info = frame.withUnsafeBytes { FrameInfo.parse($0) }
        let l3 = info.l3Offset
        if info.present.contains(.ipv4) { return 4 << 32 | UInt64(frame[l3 + 4]) << 8 | UInt64(frame[l3 + 5]) }
        if info.present.contains(.ipv6) {
            return 6 << 32 | UInt64(frame[l3 + 1] & 0x0f) << 16 | UInt64(frame[l3 + 2]) << 8 | UInt64(frame[l3 + 3])
        }
        return nil
    }

    // MARK: Building blocks

    static func ethernetFrame(_ network: FrameBuilder.Network) -> FrameBuilder {
        var builder = FrameBuilder()
        builder.destinationMAC = 0x02_00_00_00_09_02
        builder.sourceMAC = 0x02_00_00_00_09_01
        builder.network = network
        return builder
    }

    static func ipv4Frame(
        _ transport: FrameBuilder.Transport, id: UInt32, options: Int = 0, more: Bool = false, offset: UInt16 = 0,
        padded: Bool = true
    ) -> FrameBuilder {
        var ip = FrameBuilder.IPv4()
        ip.source = 0xC612_0900 | (id & 0x7f) + 1
        ip.destination = 0xC612_0902
        ip.identification = UInt16(truncatingIfNeeded: id)
        ip.options = Array(repeating: 1, count: options)
        ip.moreFragments = more
        ip.fragmentOffset = offset
        ip.transport = transport
        var builder = ethernetFrame(.ipv4(ip))
        builder.padToMinimum = padded
        return builder
    }

    static func ipv6Frame(
        _ transport: FrameBuilder.Transport, flow: UInt32, headers: [FrameBuilder.ExtensionHeader] = []
    ) -> FrameBuilder {
        var ip = FrameBuilder.IPv6()
        ip.source = 0x2001_0db8_0009 << 80 | UInt128(flow & 0xff) + 1
        ip.destination = 0x2001_0db8_0009 << 80 | 2
        ip.flowLabel = flow & 0xf_ffff
        ip.extensionHeaders = headers
        ip.transport = transport
        return ethernetFrame(.ipv6(ip))
    }

    static func udp(dport: UInt16, payload: Int = 0) -> FrameBuilder.UDP {
        var udp = FrameBuilder.UDP()
        udp.destinationPort = dport
        udp.payload = (0..<payload).map { UInt8(truncatingIfNeeded: $0) }
        return udp
    }

    static func tcp(dport: UInt16, options: Int = 0) -> FrameBuilder.TCP {
        var tcp = FrameBuilder.TCP()
        tcp.destinationPort = dport
        tcp.options = Array(repeating: 1, count: options)
        tcp.payload = Array("hostile".utf8)
        return tcp
    }

    static func icmp(_ type: UInt8) -> FrameBuilder.ICMP {
        var icmp = FrameBuilder.ICMP()
        icmp.type = type
        icmp.payload = Array(repeating: 0x61, count: 16)
        return icmp
    }

    static func setBE16(_ frame: inout [UInt8], _ offset: Int, _ value: UInt16) {
        frame[offset] = UInt8(value >> 8)
        frame[offset + 1] = UInt8(value & 0xff)
    }

    /// Rewrites the IPv4 header checksum at `offset` over `headerLength` bytes.
    static func fixIPv4HeaderChecksum(_ frame: inout [UInt8], at offset: Int, headerLength: Int = 20) {
        setBE16(&frame, offset + 10, 0)
        let sum = frame.withUnsafeBytes { InternetChecksum.add($0.baseAddress! + offset, count: headerLength) }
        setBE16(&frame, offset + 10, InternetChecksum.checksum(sum))
    }

    static func hex(_ frame: [UInt8]) -> String {
        frame.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
