import CPcap
import Dispatch
import Foundation
import Frame
import TestSupport
import Testing

/// `match bpf "..."` through the running bridge against libpcap's own verdict: for every frame of
/// a corpus (tagged, QinQ, IPv4 and IPv6, TCP flags, port ranges, fragments, ARP), whether it
/// crossed equals `pcap_offline_filter(expression, frame)` on the bytes that were sent.
@Suite(.serialized) struct BPFDifferentialLiveTests {
    static let expressions = [
        "vlan 7", "udp portrange 1000-1999", "ip[9] = 17", "tcp[tcpflags] & tcp-syn != 0", "ip6",
        "vlan and tcp dst portrange 8000-8100", "ip6 and udp port 53",
    ]

    /// Ends every corpus frame, after the network layer's own bytes: a magic and the frame's
    /// number, so the capture knows which frame it is whatever the bridge did to its tags.
    static let trailerMagic: [UInt8] = [0xb5, 0x9f]

    static func corpus() -> [[UInt8]] {
        var frames: [FrameBuilder] = []
        func ipv4(_ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = [], fragment: UInt16 = 0) {
            var ip = FrameBuilder.IPv4()
            ip.transport = transport
            ip.fragmentOffset = fragment
            ip.moreFragments = fragment > 0
            var frame = FrameBuilder()
            frame.vlanTags = tags
            frame.network = .ipv4(ip)
            frames.append(frame)
        }
        func ipv6(_ transport: FrameBuilder.Transport, tags: [FrameBuilder.VLANTag] = []) {
            var ip = FrameBuilder.IPv6()
            ip.transport = transport
            var frame = FrameBuilder()
            frame.vlanTags = tags
            frame.network = .ipv6(ip)
            frames.append(frame)
        }
        func udp(_ port: UInt16) -> FrameBuilder.Transport {
            var udp = FrameBuilder.UDP()
            udp.destinationPort = port
            udp.payload = Array("bpf".utf8)
            return .udp(udp)
        }
        func tcp(_ port: UInt16, flags: UInt8) -> FrameBuilder.Transport {
            var tcp = FrameBuilder.TCP()
            tcp.destinationPort = port
            tcp.flags = flags
            return .tcp(tcp)
        }
        let seven = [FrameBuilder.VLANTag(id: 7)]
        let eight = [FrameBuilder.VLANTag(id: 8)]
        let qinq = [FrameBuilder.VLANTag(id: 100, tpid: 0x88a8), FrameBuilder.VLANTag(id: 7)]
        for port: UInt16 in [53, 999, 1000, 1500, 1999, 2000] { ipv4(udp(port)) }
        for tags in [seven, eight, qinq] {
            ipv4(udp(1500), tags: tags)
            ipv4(tcp(8050, flags: 0x02), tags: tags)
            ipv6(udp(53), tags: tags)
        }
        for flags: UInt8 in [0x02, 0x12, 0x10, 0x11, 0x04] {
            ipv4(tcp(80, flags: flags))
            ipv4(tcp(8050, flags: flags))
        }
        ipv4(.icmp(FrameBuilder.ICMP()))
        ipv4(udp(1500), fragment: 100)
        ipv4(.other(protocolNumber: 47, payload: [0, 0, 0x08, 0]))
        ipv6(udp(53))
        ipv6(udp(1500))
        ipv6(tcp(8050, flags: 0x02))
        ipv6(tcp(8050, flags: 0x10))
        var arp = FrameBuilder()
        arp.network = .arp(FrameBuilder.ARP())
        frames.append(arp)
        return frames.enumerated().map { number, frame in
            frame.build() + trailerMagic + [UInt8(number >> 8), UInt8(number & 0xff)]
        }
    }

    /// The corpus frame number of a captured frame, or nil for anything else.
    static func number(of frame: [UInt8]) -> Int? {
        guard frame.count >= 64, Array(frame[6..<12]) == [2, 0, 0, 0, 0, 1],
            Array(frame[(frame.count - 4)..<(frame.count - 2)]) == trailerMagic
        else { return nil }
        return Int(frame[frame.count - 2]) << 8 | Int(frame[frame.count - 1])
    }

    static let sentinel = TestFrames.frame(length: 60, marker: 0x77)

    static func policy(_ expression: String) -> String {
        """
        version 1
        default drop
        rule "sentinel" {
            match ether type 0x88b5
            forward
        }
        rule "expression" {
            match bpf "\(expression)"
            forward
        }
        """
    }

    @Test func whatCrossesIsWhatLibpcapSaysTheExpressionAccepts() async throws {
        let corpus = Self.corpus()
        // Quiet hosts: their own IPv6 chatter would count under `ip6`.
        try await BridgeTestbed.with(quietHosts: true) { bed in
            try bed.start(policy: Self.policy(Self.expressions[0]))
            for (index, expression) in Self.expressions.enumerated() {
                if index > 0 {
                    let reply = try bed.reload(policy: Self.policy(expression))
                    try #require(reply.status == 0, "\(expression): \(reply.output)")
                }
                let expected = try Set(corpus.indices.filter { try LibpcapFilter.accepts(expression, corpus[$0]) })
                // Counters carry over by rule name across reloads: the expression's share is the growth.
                let countedBefore = try bed.rulePackets("expression")
                let crossed = try Self.exchange(corpus, bed)
                #expect(!expected.isEmpty && expected.count < corpus.count, "\(expression): the corpus tells both ways")
                #expect(
                    crossed == expected,
                    """
                    \(expression): crossed but libpcap rejects \(crossed.subtracting(expected).sorted()); \
                    libpcap accepts but dropped \(expected.subtracting(crossed).sorted())
                    """)
                #expect(try bed.rulePackets("expression") - countedBefore == UInt64(expected.count), "\(expression)")
            }
        }
    }

    /// Sends the corpus then the sentinel from a; returns the numbers of the corpus frames that
    /// reached b before the sentinel (one worker, one port: every frame before it was decided).
    static func exchange(_ corpus: [[UInt8]], _ bed: BridgeTestbed) throws -> Set<Int> {
        let ready = DispatchSemaphore(value: 0)
        let capture = bed.b.start { () -> (numbers: Set<Int>, sawSentinel: Bool) in
            let socket: PlainPacketSocket
            do {
                socket = try PlainPacketSocket(interface: "b0")
            } catch {
                ready.signal()
                throw error
            }
            ready.signal()
            var numbers = Set<Int>()
            let deadline = monotonicSeconds() + 5
            while monotonicSeconds() < deadline {
                for frame in socket.receive(count: 1, timeout: deadline - monotonicSeconds(), matching: { _ in true }) {
                    if TestFrames.isMarked(frame, 0x77) { return (numbers, true) }
                    if let number = number(of: frame) { numbers.insert(number) }
                }
            }
            return (numbers, false)
        }
        ready.wait()
        try bed.a.start {
            let socket = try PlainPacketSocket(interface: "a0")
            for frame in corpus + [sentinel] { try socket.send(frame) }
        }.wait()
        let result = try capture.wait()
        guard result.sawSentinel else { throw TestFailure("the sentinel frame never crossed: \(bed.log())") }
        return result.numbers
    }
}

/// libpcap's own evaluation of a filter expression on one Ethernet frame.
enum LibpcapFilter {
    static func accepts(_ expression: String, _ frame: [UInt8]) throws -> Bool {
        guard let handle = pcap_open_dead(1, 65535) else { throw TestFailure("pcap_open_dead failed") }
        defer { pcap_close(handle) }
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, 0xffff_ffff) == 0 else {
            throw TestFailure("libpcap cannot compile \"\(expression)\": \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        var header = pcap_pkthdr()
        header.caplen = UInt32(frame.count)
        header.len = UInt32(frame.count)
        return frame.withUnsafeBufferPointer { bytes in pcap_offline_filter(&program, &header, bytes.baseAddress) != 0 }
    }
}
