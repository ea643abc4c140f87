import Foundation
import Frame
import Policy
import TestSupport
import Testing

/// Fail-open parity: the same frames sent through the running bridge and, after `kill -9`,
/// through the kernel bridge alone (enforcing the nftables mirror), arrive alike on the far side.
///
/// For every shipped policy, the corpus is every framing Bridgekeeper parses (untagged, 802.1Q,
/// 802.1ad, 0x9100, QinQ with outer TPID 0x88a8, 0x9100 and 0x8100, three tags) times probes
/// made from the policy's rules (a frame that matches each rule, one that just misses it) plus
/// frames no rule names (ARP, ping, IPv6 neighbour discovery, LLDP), in both directions, and
/// the cases a parser gets wrong: IPv4 options, IPv6 with one and with three extension headers,
/// first and later fragments. A frame that crosses in one run and not in the other is a
/// difference; the test fails on any the plan's notes do not announce (the kernel's safer
/// verdict for frames it cannot read, with a note that says so).
@Suite(.serialized) struct FailOpenParityTests {
    /// Every policy shipped in `policies/`, by name.
    static let policies: [String] = {
        guard let folder = try? ParityPolicies.folder(),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
        else { return [] }
        return names.filter { $0.hasSuffix(".policy") }.map { String($0.dropLast(7)) }.sorted()
    }()

    @Test func everyShippedPolicyIsInTheCorpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: try ParityPolicies.folder())
        #expect(Self.policies.count == names.filter { $0.hasSuffix(".policy") }.count && Self.policies.count >= 6)
    }

    @Test(arguments: policies) func theKernelAfterKill9ForwardsWhatTheBridgeForwards(name: String) async throws {
        let path = try Self.policyPath(name)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let policy = try #require(PolicyReader.parse(text: text, path: path).policy, "\(name).policy parses")
        let corpus = ParityCorpus(policy: policy)
        try await BridgeTestbed.with { bed in
            try bed.start(policy: text, arguments: ["--on-failure", "open"])
            let macA = try Self.mac(try bed.mac(of: "a0", in: bed.a))
            let macB = try Self.mac(try bed.mac(of: "b0", in: bed.b))
            let frames = corpus.frames(macA: macA, macB: macB)
            let bridge = try Self.crossing(frames, bed)
            let process = try #require(bed.process)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // The guard table goes with the process's netlink socket; the kernel bridge forwards now.
            let kernel = try Self.crossing(frames, bed)
            let plan = try bed.bridgekeeper("check", "--print-nft", "--port-a", "pa", "--port-b", "pb", bed.policyPath)
            var undocumented: [String] = []
            var documented: [String] = []
            for frame in frames {
                let viaBridge = bridge.contains(frame.id)
                let viaKernel = kernel.contains(frame.id)
                guard viaBridge != viaKernel else { continue }
                let line =
                    "\(frame.description): bridge \(viaBridge ? "forwards" : "drops"), kernel "
                    + "\(viaKernel ? "forwards" : "drops")"
                // The notes announce the kernel's safer verdict for frames it reads only as raw
                // payload: those whose L4 header it cannot find, and (with `ct` terms) every one,
                // since the flow emulation cannot classify them.
                let unreadable =
                    frame.unreadableByRawPayload && plan.contains("the kernel drops frames whose L4 header")
                let unclassified =
                    frame.readAsRawPayload && plan.contains("frames with two or more VLAN tags) get the safer verdict")
                let deep = frame.deeperThanMirrored && plan.contains("every frame with more than 2 VLAN tags")
                if !viaKernel && (unreadable || unclassified || deep) {
                    documented.append(line)
                } else {
                    undocumented.append(line)
                }
            }
            let forwarded = frames.filter { bridge.contains($0.id) }.count
            print(
                "fail-open parity \(name).policy: \(frames.count) frames, \(forwarded) forwarded by the bridge, "
                    + "\(documented.count) documented differences (safer verdict), \(undocumented.count) undocumented")
            for line in documented { print("  documented: \(line)") }
            var table: [String: (frames: Int, forwarded: Int, differences: Int)] = [:]
            for frame in frames {
                var row = table[frame.framing] ?? (0, 0, 0)
                row.frames += 1
                if bridge.contains(frame.id) { row.forwarded += 1 }
                if bridge.contains(frame.id) != kernel.contains(frame.id) { row.differences += 1 }
                table[frame.framing] = row
            }
            for (framing, row) in table.sorted(by: { $0.key < $1.key }) {
                print(
                    "  \(name) | \(framing) | \(row.frames) frames | \(row.forwarded) forwarded | \(row.differences) differ"
                )
            }
            #expect(undocumented.isEmpty, "\(undocumented.joined(separator: "\n"))")
            #expect(forwarded > 0, "the bridge forwarded something at all")
        }
    }

    /// A stateful policy after `kill -9`: the kernel's flow emulation lets the inside (port b)
    /// open connections and pings and their answers pass, and still refuses the outside.
    @Test func afterKill9TheKernelLetsTheInsideOpenAndRefusesTheOutside() async throws {
        let policy = """
            version 1
            default drop
            rule "established" {
                match ct state established,related
                forward
            }
            rule "invalid" {
                match ct state invalid
                drop
            }
            rule "arp" {
                match ether type arp
                forward
            }
            rule "inside-opens" {
                match iif b ct state new
                forward
            }
            """
        try await BridgeTestbed.with { bed in
            try bed.start(policy: policy, arguments: ["--on-failure", "open"])
            let process = try #require(bed.process)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let tables = try bed.bridge.exec("nft", "list", "tables")
            #expect(tables.contains("bridgekeeper_flows"), "\(tables)")
            // A closed port answers with a reset: "refused" means both directions crossed.
            #expect(try HostTraffic.tcpConnect(from: bed.b, to: BridgeTestbed.addressA, port: 9) == "refused")
            #expect(try HostTraffic.tcpConnect(from: bed.a, to: BridgeTestbed.addressB, port: 9) == "timeout")
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.addressA, count: 3, interval: "0.2").received == 3)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.2").received == 0)
            // The kernel learned the inside's flows itself.
            let flows = try bed.bridge.exec("nft", "list", "set", "bridge", "bridgekeeper_flows", "est4")
            #expect(flows.contains("\(BridgetestAddresses.b) . \(BridgetestAddresses.a) . tcp"), "\(flows)")
        }
    }

    /// The ids of `frames` that arrive on the far side, each sent from its own side.
    static func crossing(_ frames: [ParityFrame], _ bed: BridgeTestbed) throws -> Set<UInt32> {
        var arrived: Set<UInt32> = []
        for fromA in [true, false] {
            let batch = frames.filter { $0.fromA == fromA }.map(\.bytes)
            let capture = RawExchange.startCapture(
                in: fromA ? bed.b : bed.a, interface: fromA ? "b0" : "a0", count: 2 * batch.count,
                timeout: 1.0 + Double(batch.count) / 500
            ) { ParityFrame.marker(in: $0) != nil }
            let interface = fromA ? "a0" : "b0"
            try (fromA ? bed.a : bed.b).start {
                // Paced, so the capture socket's buffer never overflows (a burst of hundreds did).
                let socket = try PlainPacketSocket(interface: interface)
                for (index, frame) in batch.enumerated() {
                    try socket.send(frame)
                    if index % 16 == 15 { usleep(2000) }
                }
            }.wait()
            let ids = try capture.wait().compactMap(ParityFrame.marker)
            let duplicates = ids.count - Set(ids).count
            #expect(duplicates == 0, "\(duplicates) frames arrived twice")
            arrived.formUnion(ids)
        }
        return arrived
    }

    static func policyPath(_ name: String) throws -> String {
        try ParityPolicies.folder() + "/\(name).policy"
    }

    static func mac(_ text: String) throws -> UInt64 {
        guard let value = AddressText.parseMAC(Substring(text)) else { throw TestFailure("bad MAC \(text)") }
        return value
    }
}

/// Where the shipped policies are.
enum ParityPolicies {
    static func folder() throws -> String {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("policies").path) {
            let parent = folder.deletingLastPathComponent()
            guard parent.path != folder.path else { throw TestFailure("no policies folder above \(#filePath)") }
            folder = parent
        }
        return folder.appendingPathComponent("policies").path
    }
}

/// The testbed hosts' addresses as `nft list` prints them.
enum BridgetestAddresses {
    static let a = BridgeTestbed.addressA
    static let b = BridgeTestbed.addressB
}

/// One frame of the corpus: its L4 payload (or, for frames without one, its end) holds an
/// 8-byte marker, `BKPx` and its id, so it is told apart on arrival. (Inside the payload, where
/// the IP length counts it: a kernel with br_netfilter loaded trims bytes past the IP length.)
struct ParityFrame {
    var id: UInt32
    var fromA: Bool
    /// The framing's name, for the summary table.
    var framing: String
    var description: String
    var bytes: [UInt8]
    /// Its L4 header lies behind IPv4 options or IPv6 extension headers, and it has a framing the
    /// kernel reads only as raw payload (two tags or more, a 0x9100 tag).
    var unreadableByRawPayload: Bool
    /// Its framing is one the kernel reads only as raw payload.
    var readAsRawPayload: Bool
    /// It has more VLAN tags than the mirror reads fields through (the plan announces the
    /// safer verdict for those: the policy's first dropping rule drops them).
    var deeperThanMirrored: Bool

    static let tag = Array("BKPx".utf8)

    static func marker(in frame: [UInt8]) -> UInt32? {
        guard frame.count >= 8 else { return nil }
        for start in stride(from: frame.count - 8, through: 0, by: -1) where Array(frame[start..<(start + 4)]) == tag {
            return frame[(start + 4)..<(start + 8)].reduce(0) { $0 << 8 | UInt32($1) }
        }
        return nil
    }
}

/// The probes of one policy, and the framings each is sent in.
struct ParityCorpus {
    /// What a probe carries before framing.
    struct Probe {
        var name: String
        var fromA = true
        var network: FrameBuilder.Network
        var outerVLAN: UInt16?
    }

    /// A way to frame a probe: its tags, and what it does to the IP header.
    struct Framing {
        var name: String
        var tags: [UInt16]
        var ipChange: IPChange = .none
    }

    enum IPChange {
        case none
        case ipv4Options
        case ipv6Extensions(count: Int)
        case firstFragment
        case laterFragment
    }

    var probes: [Probe] = []

    static let framings: [Framing] = [
        Framing(name: "untagged", tags: []),
        Framing(name: "802.1Q", tags: [0x8100]),
        Framing(name: "802.1ad", tags: [0x88a8]),
        Framing(name: "0x9100", tags: [0x9100]),
        Framing(name: "QinQ 0x88a8", tags: [0x88a8, 0x8100]),
        Framing(name: "QinQ 0x9100", tags: [0x9100, 0x8100]),
        Framing(name: "QinQ 0x8100", tags: [0x8100, 0x8100]),
        Framing(name: "3 tags", tags: [0x88a8, 0x8100, 0x8100]),
        Framing(name: "8 tags", tags: [0x88a8] + [UInt16](repeating: 0x8100, count: 7)),
        Framing(name: "9 tags", tags: [0x88a8] + [UInt16](repeating: 0x8100, count: 8)),
    ]

    /// The hidden cases, each untagged, with one tag and with two.
    static let ipChanges: [(String, IPChange)] = [
        ("IPv4 options", .ipv4Options), ("1 IPv6 extension header", .ipv6Extensions(count: 1)),
        ("3 IPv6 extension headers", .ipv6Extensions(count: 3)), ("first fragment", .firstFragment),
        ("later fragment", .laterFragment),
    ]

    init(policy: Policy) {
        probes = Self.generic
        for rule in policy.rules {
            let fields = rule.match.compactMap { term -> FieldMatch? in
                if case .field(let match) = term { return match }
                return nil
            }
            guard fields.count == rule.match.count else { continue }
            probes.append(Self.probe("matches \(rule.name)", fields, missing: nil))
            for index in fields.indices {
                probes.append(
                    Self.probe("misses \(rule.name) (\(fields[index].field.rawValue))", fields, missing: index))
            }
        }
    }

    /// Frames no rule names.
    static var generic: [Probe] {
        var ping = FrameBuilder.IPv4()
        ping.source = 0xC612_0101
        ping.destination = 0xC612_0102
        ping.transport = .icmp(FrameBuilder.ICMP())
        var nd = FrameBuilder.IPv6()
        var solicit = FrameBuilder.ICMP()
        solicit.type = 135
        nd.transport = .icmpv6(solicit)
        var web = FrameBuilder.TCP()
        web.destinationPort = 443
        var tcp = FrameBuilder.IPv4()
        tcp.transport = .tcp(web)
        var tcp6 = FrameBuilder.IPv6()
        tcp6.transport = .tcp(web)
        return [
            Probe(name: "arp request", network: .arp(FrameBuilder.ARP())),
            Probe(name: "ping", network: .ipv4(ping)),
            Probe(name: "neighbour solicitation", network: .ipv6(nd)),
            Probe(name: "lldp", network: .raw(etherType: 0x88cc, payload: [UInt8](repeating: 0, count: 20))),
            Probe(name: "https", network: .ipv4(tcp)),
            Probe(name: "https over IPv6", fromA: false, network: .ipv6(tcp6)),
        ]
    }

    /// A frame with every term's first value (a value just outside it for a negated term), and
    /// for `missing` a value just outside (inside, if negated) instead.
    static func probe(_ name: String, _ fields: [FieldMatch], missing: Int?) -> Probe {
        var v4 = FrameBuilder.IPv4()
        v4.source = 0xC612_0101
        v4.destination = 0xC612_0102
        var v6 = FrameBuilder.IPv6()
        var family = 4
        var transport = FrameBuilder.Transport.udp(FrameBuilder.UDP())
        var probe = Probe(name: name, network: .ipv4(v4))
        var etherType: UInt16?
        var arp = FrameBuilder.ARP()
        for (index, match) in fields.enumerated() {
            let inside = (index == missing) == match.negated
            guard let value = Self.value(match, inside: inside) else { continue }
            switch match.field {
            case .iif: probe.fromA = value == 0
            case .etherType: etherType = UInt16(truncatingIfNeeded: value)
            case .vlanID: probe.outerVLAN = UInt16(truncatingIfNeeded: value)
            case .arpOperation:
                etherType = 0x0806
                arp.operation = UInt16(truncatingIfNeeded: value)
            case .ipSaddr: v4.source = UInt32(truncatingIfNeeded: value)
            case .ipDaddr: v4.destination = UInt32(truncatingIfNeeded: value)
            case .ipDSCP: v4.dscp = UInt8(truncatingIfNeeded: value)
            case .ipTTL: v4.ttl = UInt8(truncatingIfNeeded: value)
            case .ip6Saddr:
                family = 6
                v6.source = value
            case .ip6Daddr:
                family = 6
                v6.destination = value
            case .tcpSport, .tcpDport:
                var tcp = FrameBuilder.TCP()
                if case .tcp(let existing) = transport { tcp = existing }
                if match.field == .tcpSport {
                    tcp.sourcePort = UInt16(value)
                } else {
                    tcp.destinationPort = UInt16(value)
                }
                transport = .tcp(tcp)
            case .udpSport, .udpDport:
                var udp = FrameBuilder.UDP()
                if case .udp(let existing) = transport { udp = existing }
                if match.field == .udpSport {
                    udp.sourcePort = UInt16(value)
                } else {
                    udp.destinationPort = UInt16(value)
                }
                transport = .udp(udp)
            case .icmpType:
                var icmp = FrameBuilder.ICMP()
                icmp.type = UInt8(truncatingIfNeeded: value)
                transport = .icmp(icmp)
            case .icmpv6Type:
                family = 6
                var icmp = FrameBuilder.ICMP()
                icmp.type = UInt8(truncatingIfNeeded: value)
                transport = .icmpv6(icmp)
            case .metaL4proto:
                switch value {
                case 6: transport = .tcp(FrameBuilder.TCP())
                case 17: transport = .udp(FrameBuilder.UDP())
                case 1: transport = .icmp(FrameBuilder.ICMP())
                case 58: transport = .icmpv6(FrameBuilder.ICMP())
                default: transport = .other(protocolNumber: UInt8(truncatingIfNeeded: value), payload: [0, 0, 0, 0])
                }
            default: continue
            }
        }
        if case .icmpv6 = transport { family = 6 }
        if case .icmp = transport, family == 6 { transport = .icmpv6(FrameBuilder.ICMP()) }
        if family == 6 {
            v6.transport = transport
            probe.network = .ipv6(v6)
        } else {
            v4.transport = transport
            probe.network = .ipv4(v4)
        }
        switch etherType {
        case 0x0806: probe.network = .arp(arp)
        case 0x86dd where family == 4: probe.network = .ipv6(v6)
        case .some(let type) where type != 0x0800 && type != 0x86dd:
            probe.network = .raw(etherType: type, payload: [UInt8](repeating: 0, count: 20))
        default: break
        }
        return probe
    }

    /// A value of the term (`inside`) or just outside all its values.
    static func value(_ match: FieldMatch, inside: Bool) -> UInt128? {
        let sorted = match.values.sorted { $0.lo < $1.lo }
        guard let first = sorted.first else { return nil }
        if inside {
            // A host inside a prefix, not its network address.
            return first.isSingle ? first.lo : first.lo + (first.hi > first.lo + 1 ? 1 : 0)
        }
        var candidate = (sorted.last?.hi ?? 0) &+ 1
        if candidate > match.field.maxValue { candidate = first.lo &- 1 }
        guard !sorted.contains(where: { $0.lo <= candidate && candidate <= $0.hi }) else { return nil }
        return candidate
    }

    /// Every probe in every framing, and the hidden cases of IP probes.
    func frames(macA: UInt64, macB: UInt64) -> [ParityFrame] {
        var frames: [ParityFrame] = []
        for probe in probes {
            var cases: [Framing] = Self.framings
            if case .arp = probe.network {
            } else if case .raw = probe.network {
            } else {
                for (name, change) in Self.ipChanges {
                    for tags in [[], [0x8100], [0x88a8, 0x8100]] as [[UInt16]] {
                        cases.append(Framing(name: "\(name), \(tags.count) tags", tags: tags, ipChange: change))
                    }
                }
            }
            for framing in cases {
                guard var network = Self.apply(framing.ipChange, to: probe.network) else { continue }
                if case .ipv4 = network, case .ipv6Extensions = framing.ipChange { continue }
                if probe.outerVLAN != nil && framing.tags.isEmpty { continue }
                var builder = FrameBuilder()
                builder.sourceMAC = probe.fromA ? macA : macB
                builder.destinationMAC = probe.fromA ? macB : macA
                builder.vlanTags = framing.tags.enumerated().map { index, tpid in
                    FrameBuilder.VLANTag(id: index == 0 ? probe.outerVLAN ?? 100 : UInt16(200 + index), tpid: tpid)
                }
                let id = UInt32(frames.count + 1)
                let marker =
                    ParityFrame.tag + [
                        UInt8(id >> 24), UInt8((id >> 16) & 0xff), UInt8((id >> 8) & 0xff), UInt8(id & 0xff),
                    ]
                let carried = Self.carry(marker, in: &network)
                builder.network = network
                builder.padToMinimum = false
                var bytes = builder.build()
                // Ethernet padding to 60 bytes, before a marker that is not in the payload.
                let padding = [UInt8](repeating: 0, count: max(0, 60 - bytes.count - (carried ? 0 : 8)))
                bytes += carried ? padding : padding + marker
                let unreadable: Bool
                switch framing.ipChange {
                case .ipv4Options, .ipv6Extensions: unreadable = framing.tags.count >= 2
                case .laterFragment, .firstFragment:
                    if case .ipv6 = network { unreadable = framing.tags.count >= 2 } else { unreadable = false }
                case .none: unreadable = false
                }
                frames.append(
                    ParityFrame(
                        id: id, fromA: probe.fromA, framing: framing.name,
                        description: "\(probe.name) [\(framing.name)\(probe.fromA ? "" : ", from b")]", bytes: bytes,
                        unreadableByRawPayload: unreadable,
                        readAsRawPayload: framing.tags.count >= 2 || framing.tags.first == 0x9100,
                        deeperThanMirrored: framing.tags.count > 2))
            }
        }
        return frames
    }

    /// Puts `marker` in the transport's payload; false for frames without one (ARP, raw).
    private static func carry(_ marker: [UInt8], in network: inout FrameBuilder.Network) -> Bool {
        func carried(_ transport: FrameBuilder.Transport) -> FrameBuilder.Transport {
            switch transport {
            case .tcp(var tcp):
                tcp.payload = marker
                return .tcp(tcp)
            case .udp(var udp):
                udp.payload = marker
                return .udp(udp)
            case .icmp(var icmp):
                icmp.payload = marker
                return .icmp(icmp)
            case .icmpv6(var icmp):
                icmp.payload = marker
                return .icmpv6(icmp)
            case .other(let number, let payload):
                return .other(protocolNumber: number, payload: payload + marker)
            }
        }
        switch network {
        case .ipv4(var ip):
            // A later fragment carries data, not a transport header.
            ip.transport =
                ip.fragmentOffset != 0
                ? .other(
                    protocolNumber: ip.transport.protocolNumber, payload: [UInt8](repeating: 0xab, count: 8) + marker)
                : carried(ip.transport)
            network = .ipv4(ip)
            return true
        case .ipv6(var ip):
            ip.transport = carried(ip.transport)
            network = .ipv6(ip)
            return true
        case .raw(let type, let payload):
            network = .raw(etherType: type, payload: payload + marker)
            return true
        case .arp:
            return false
        }
    }

    static func apply(_ change: IPChange, to network: FrameBuilder.Network) -> FrameBuilder.Network? {
        switch (change, network) {
        case (.none, _): return network
        case (.ipv4Options, .ipv4(var ip)):
            ip.options = [0x01, 0x01, 0x01, 0x00]  // NOP NOP NOP EOL
            return .ipv4(ip)
        case (.firstFragment, .ipv4(var ip)):
            ip.moreFragments = true
            ip.identification = 77
            return .ipv4(ip)
        case (.laterFragment, .ipv4(var ip)):
            ip.fragmentOffset = 8
            ip.identification = 78
            return .ipv4(ip)
        case (.ipv6Extensions(let count), .ipv6(var ip)):
            let headers: [FrameBuilder.ExtensionHeader] = [
                .hopByHop(length: 6), .destinationOptions(length: 6), .routing(length: 6),
            ]
            ip.extensionHeaders = Array(headers.prefix(count))
            return .ipv6(ip)
        case (.firstFragment, .ipv6(var ip)):
            ip.extensionHeaders = [.fragment(offset: 0, moreFragments: true, identification: 79)]
            return .ipv6(ip)
        case (.laterFragment, .ipv6(var ip)):
            ip.extensionHeaders = [.fragment(offset: 8, moreFragments: false, identification: 80)]
            return .ipv6(ip)
        default: return nil
        }
    }
}

extension FrameBuilder.Transport {
    /// The IP protocol number of the transport.
    var protocolNumber: UInt8 {
        switch self {
        case .other(let number, _): return number
        case .tcp: return 6
        case .udp: return 17
        case .icmp: return 1
        case .icmpv6: return 58
        }
    }
}
