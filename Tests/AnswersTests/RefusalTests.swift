import Answers
import Frame
import Testing

/// One frame that must get no answer, and a control: the nearest frame (or call) that differs
/// only in what is refused, and is answered, so the refusal is shown to be for that reason.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    var name: String
    var refusal: AnswerRefusal
    var kind: RejectKind = .automatic
    var frame: [UInt8]
    var verifyingChecksum = true
    var capacity = 2048
    /// The answered twin: (kind, frame, verifying, capacity).
    var control: Control?

    struct Control: Sendable {
        var kind: RejectKind = .automatic
        var frame: [UInt8]
        var verifyingChecksum = true
        var capacity = 2048
    }

    var testDescription: String { "\(refusal.name): \(name)" }
}

enum RefusalCases {
    static let syn4 = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02))).build()
    static let syn6 = Samples.ipv6(.tcp(Samples.tcp(flags: 0x02))).build()
    static let udp4 = Samples.ipv4(.udp(Samples.udp())).build()
    static let udp6 = Samples.ipv6(.udp(Samples.udp())).build()

    static func v4(
        _ transport: FrameBuilder.Transport = .udp(Samples.udp()), _ change: (inout FrameBuilder.IPv4) -> Void
    )
        -> [UInt8]
    {
        Samples.ipv4(transport, change: change).build()
    }

    static func v6(
        _ transport: FrameBuilder.Transport = .udp(Samples.udp()), _ change: (inout FrameBuilder.IPv6) -> Void
    )
        -> [UInt8]
    {
        Samples.ipv6(transport, change: change).build()
    }

    static func withMACs(_ builder: FrameBuilder, destination: UInt64? = nil, source: UInt64? = nil) -> [UInt8] {
        var copy = builder
        if let destination { copy.destinationMAC = destination }
        if let source { copy.sourceMAC = source }
        return copy.build()
    }

    /// Flips a bit of the last byte of the IP packet: the transport checksum is now wrong.
    static func damaged(_ frame: [UInt8]) -> [UInt8] {
        var copy = frame
        copy[parse(frame).ipEnd - 1] ^= 0x40
        return copy
    }

    static func address4(_ text: Substring) -> UInt32 { AddressText.parseIPv4(text)! }
    static func address6(_ text: Substring) -> UInt128 { AddressText.parseIPv6(text)! }

    static var all: [RefusalCase] {
        var cases: [RefusalCase] = []
        func add(
            _ name: String, _ refusal: AnswerRefusal, _ frame: [UInt8], kind: RejectKind = .automatic,
            verifying: Bool = true, capacity: Int = 2048, control: RefusalCase.Control?
        ) {
            cases.append(
                RefusalCase(
                    name: name, refusal: refusal, kind: kind, frame: frame, verifyingChecksum: verifying,
                    capacity: capacity, control: control))
        }
        let longSYN = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02, payload: Array(repeating: 1, count: 40)))).build()

        add("13 bytes", .truncated, Array(syn4.prefix(13)), control: .init(frame: syn4))
        add("IPv4 header cut short", .truncated, Array(syn4.prefix(24)), control: .init(frame: syn4))
        add("IPv6 header cut short", .truncated, Array(syn6.prefix(40)), control: .init(frame: syn6))
        add(
            "IP length beyond the frame", .truncated, Array(longSYN.dropLast(5)),
            control: .init(frame: longSYN))
        add(
            "TCP flags missing", .truncated,
            v4(.other(protocolNumber: IPProtocol.tcp, payload: Array(0..<10))) { _ in },
            control: nil)
        let shortTCP = v4(.other(protocolNumber: IPProtocol.tcp, payload: Array(0..<13) + [0x02, 0, 0])) { _ in }
        add(
            "a reset needs the whole TCP header", .truncated, shortTCP, kind: .tcpReset,
            control: .init(kind: .icmp(code: 3), frame: shortTCP))
        add(
            "ICMP type missing", .truncated, v4(.other(protocolNumber: IPProtocol.icmp, payload: [8])) { _ in },
            control: nil)
        let nineHeaders = Samples.ipv6(
            .udp(Samples.udp()), extensions: Array(repeating: .destinationOptions(length: 6), count: 9)
        ).build()
        let eightHeaders = Samples.ipv6(
            .udp(Samples.udp()), extensions: Array(repeating: .destinationOptions(length: 6), count: 8)
        ).build()
        add("IPv6 header chain too long to walk", .truncated, nineHeaders, control: .init(frame: eightHeaders))

        var arp = FrameBuilder()
        arp.network = .arp(FrameBuilder.ARP())
        add("ARP", .notIP, arp.build(), control: nil)
        var lldp = FrameBuilder()
        lldp.network = .raw(etherType: EtherType.lldp, payload: Array(repeating: 0, count: 46))
        add("LLDP", .notIP, lldp.build(), control: nil)
        let nineTags = (1...9).map { FrameBuilder.VLANTag(id: UInt16($0)) }
        add(
            "more tags than the parser walks", .notIP,
            Samples.ipv4(.tcp(Samples.tcp(flags: 2)), tags: nineTags).build(),
            control: .init(frame: Samples.ipv4(.tcp(Samples.tcp(flags: 2)), tags: Array(nineTags.prefix(8))).build()))

        let udp4Builder = Samples.ipv4(.udp(Samples.udp()))
        let udp6Builder = Samples.ipv6(.udp(Samples.udp()))
        add(
            "ff:ff:ff:ff:ff:ff", .broadcastDestinationMAC, withMACs(udp4Builder, destination: 0xffff_ffff_ffff),
            control: .init(frame: udp4))
        add(
            "01:00:5e:00:00:fb", .multicastDestinationMAC, withMACs(udp4Builder, destination: 0x0100_5e00_00fb),
            control: .init(frame: udp4))
        add(
            "33:33:00:00:00:01", .multicastDestinationMAC, withMACs(udp6Builder, destination: 0x3333_0000_0001),
            control: .init(frame: udp6))
        add(
            "group source MAC", .multicastSourceMAC, withMACs(udp4Builder, source: 0x0300_0000_0001),
            control: .init(frame: withMACs(udp4Builder, source: 0x0200_0000_0001)))

        add(
            "255.255.255.255", .broadcastDestination, v4 { $0.destination = 0xffff_ffff },
            control: .init(frame: v4 { $0.destination = 0xffff_fffe }))
        for text: Substring in ["224.0.0.251", "239.255.255.250"] {
            add(
                String(text), .multicastDestination, v4 { $0.destination = address4(text) },
                control: .init(frame: v4 { $0.destination = address4("223.255.255.255") }))
        }
        add(
            "ff02::1", .multicastDestination, v6 { $0.destination = address6("ff02::1") },
            control: .init(frame: v6 { $0.destination = address6("fe80::1") }))
        add(
            "0.0.0.0", .unspecifiedDestination, v4 { $0.destination = 0 },
            control: .init(frame: v4 { $0.destination = 1 }))
        add("::", .unspecifiedDestination, v6 { $0.destination = 0 }, control: .init(frame: v6 { $0.destination = 2 }))
        add("from 0.0.0.0", .unspecifiedSource, v4 { $0.source = 0 }, control: .init(frame: v4 { $0.source = 1 }))
        add("from ::", .unspecifiedSource, v6 { $0.source = 0 }, control: .init(frame: v6 { $0.source = 2 }))
        add(
            "from 255.255.255.255", .broadcastSource, v4 { $0.source = 0xffff_ffff },
            control: .init(frame: v4 { $0.source = 0xffff_fffe }))
        add(
            "from 224.0.0.1", .multicastSource, v4 { $0.source = address4("224.0.0.1") },
            control: .init(frame: v4 { $0.source = address4("223.0.0.1") }))
        add(
            "from ff05::2", .multicastSource, v6 { $0.source = address6("ff05::2") },
            control: .init(frame: v6 { $0.source = address6("fe05::2") }))
        for text: Substring in ["127.0.0.1", "127.255.0.9"] {
            add(
                "from \(text)", .loopbackSource, v4 { $0.source = address4(text) },
                control: .init(frame: v4 { $0.source = address4("128.0.0.1") }))
        }
        add("from ::1", .loopbackSource, v6 { $0.source = 1 }, control: .init(frame: v6 { $0.source = 3 }))

        add(
            "IPv4 offset 185", .nonFirstFragment, v4 { $0.fragmentOffset = 185 },
            control: .init(frame: v4 { $0.moreFragments = true }))
        add(
            "IPv6 offset 100",
            .nonFirstFragment,
            Samples.ipv6(
                .udp(Samples.udp()), extensions: [.fragment(offset: 100, moreFragments: false, identification: 1)]
            )
            .build(),
            control: .init(
                frame: Samples.ipv6(
                    .udp(Samples.udp()), extensions: [.fragment(offset: 0, moreFragments: true, identification: 1)]
                ).build()))

        let echo4 = Samples.ipv4(.icmp(Samples.icmp(type: 8))).build()
        for type: UInt8 in [3, 4, 5, 9, 10, 11, 12, 19, 42, 255] {
            add(
                "ICMP type \(type)", .icmpError, Samples.ipv4(.icmp(Samples.icmp(type: type))).build(),
                control: .init(frame: echo4))
        }
        let echo6 = Samples.ipv6(.icmpv6(Samples.icmp(type: 128))).build()
        for type: UInt8 in [1, 2, 3, 4, 127] {
            add(
                "ICMPv6 type \(type)", .icmpError, Samples.ipv6(.icmpv6(Samples.icmp(type: type))).build(),
                control: .init(frame: echo6))
        }
        add(
            "ICMPv6 redirect", .icmpv6Redirect, Samples.ipv6(.icmpv6(Samples.icmp(type: 137))).build(),
            control: .init(frame: Samples.ipv6(.icmpv6(Samples.icmp(type: 136))).build()))

        for flags: UInt8 in [0x04, 0x14] {
            let reset = Samples.ipv4(.tcp(Samples.tcp(flags: flags, acknowledgment: 5))).build()
            add("flags \(flags)", .tcpReset, reset, control: .init(frame: syn4))
            add("flags \(flags), asked for ICMP", .tcpReset, reset, kind: .icmp(code: 13), control: .init(frame: syn4))
        }
        add(
            "reset for UDP", .resetNeedsTCP, udp4, kind: .tcpReset,
            control: .init(kind: .tcpReset, frame: syn4))
        add(
            "reset for ICMPv6 echo", .resetNeedsTCP, echo6, kind: .tcpReset,
            control: .init(kind: .tcpReset, frame: syn6))

        let fragmentedSYN4 = v4(.tcp(Samples.tcp(flags: 0x02))) { $0.moreFragments = true }
        add(
            "IPv4 first fragment", .fragmentedTCP, fragmentedSYN4,
            control: .init(kind: .icmp(code: 3), frame: fragmentedSYN4))
        let fragmentedSYN6 = Samples.ipv6(
            .tcp(Samples.tcp(flags: 0x02)), extensions: [.fragment(offset: 0, moreFragments: true, identification: 7)]
        ).build()
        add(
            "IPv6 first fragment", .fragmentedTCP, fragmentedSYN6, kind: .tcpReset,
            control: .init(kind: .icmpv6(code: 1), frame: fragmentedSYN6))

        add(
            "icmp for IPv6", .familyMismatch, udp6, kind: .icmp(code: 3),
            control: .init(kind: .icmpx(.portUnreachable), frame: udp6))
        add(
            "icmpv6 for IPv4", .familyMismatch, udp4, kind: .icmpv6(code: 4),
            control: .init(kind: .icmpx(.portUnreachable), frame: udp4))

        for (name, frame) in [
            ("TCP", syn4), ("TCP over IPv6", syn6), ("UDP", udp4), ("UDP over IPv6", udp6), ("ICMP echo", echo4),
            ("ICMPv6 echo", echo6),
        ] {
            add(
                name, .badChecksum, damaged(frame),
                control: .init(frame: damaged(frame), verifyingChecksum: false))
        }

        add(
            "59 bytes for a 60-byte reset", .bufferTooSmall, syn4, capacity: 59,
            control: .init(frame: syn4, capacity: 60))
        let big = Samples.ipv4(.udp(Samples.udp(payload: Array(repeating: 0, count: 1472)))).build()
        add(
            "589 bytes for a 590-byte error", .bufferTooSmall, big, capacity: 589,
            control: .init(frame: big, capacity: 590))
        return cases
    }
}

@Suite struct RefusalTests {
    @Test(arguments: RefusalCases.all)
    func isRefusedAndItsTwinAnswered(_ item: RefusalCase) {
        let result = answer(
            item.kind, to: item.frame, verifyingChecksum: item.verifyingChecksum, capacity: item.capacity)
        #expect(result.outcome == .refused(item.refusal))
        if let control = item.control {
            let twin = answer(
                control.kind, to: control.frame, verifyingChecksum: control.verifyingChecksum,
                capacity: control.capacity)
            guard case .built = twin.outcome else {
                Issue.record("the control was not answered: \(twin.outcome)")
                return
            }
            checksumsHold(twin.bytes)
        }
    }

    @Test func everyRefusalHasACase() {
        let covered = Set(RefusalCases.all.map(\.refusal))
        #expect(covered == Set(AnswerRefusal.allCases), "missing: \(Set(AnswerRefusal.allCases).subtracting(covered))")
    }

    @Test func refusalsHaveDenseRawValuesAndDistinctNames() {
        let cases = AnswerRefusal.allCases
        #expect(cases.map { Int($0.rawValue) } == Array(0..<cases.count))
        #expect(Set(cases.map(\.name)).count == cases.count)
    }

    /// UDP's checksum 0 means "none": Linux answers it over IPv4 and over IPv6 alike.
    @Test func udpWithoutChecksumIsAnswered() {
        for frame in [
            Samples.ipv4(.udp(Samples.udp(zeroChecksum: true))).build(),
            Samples.ipv6(.udp(Samples.udp(zeroChecksum: true))).build(),
        ] {
            guard case .built = answer(.automatic, to: frame).outcome else {
                Issue.record("a UDP datagram without a checksum was refused")
                continue
            }
        }
    }
}
