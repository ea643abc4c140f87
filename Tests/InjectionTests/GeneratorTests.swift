import Frame
import Injection
import Testing

@Suite("generator")
struct GeneratorTests {
    /// Every frame all `threads` shares produce, in the order thread 0's first, thread 1's first, ...
    /// (which is the sequence one thread would send).
    static func frames(_ spec: GeneratorSpec, threads: Int, total: UInt64) -> [[UInt8]] {
        var perThread: [[[UInt8]]] = []
        for thread in 0..<threads {
            var source = GeneratedFrames(spec: spec, share: ThreadShare(thread: thread, of: threads), total: total)
            var frames: [[UInt8]] = []
            while let frame = source.next() { frames.append(Array(frame.bytes)) }
            perThread.append(frames)
        }
        var merged: [[UInt8]] = []
        for index in 0..<(perThread.map(\.count).max() ?? 0) {
            for frames in perThread where index < frames.count { merged.append(frames[index]) }
        }
        return merged
    }

    static func spec(ipv6: Bool, tcp: Bool, vlan: UInt16?, size: Int) -> GeneratorSpec {
        var spec = GeneratorSpec()
        spec.ipv6 = ipv6
        spec.transport = tcp ? .tcp : .udp
        spec.vlan = vlan
        spec.size = size
        if ipv6 {
            spec.sources = FieldRange(
                0x2001_0db8_0000_0000_0000_0000_0000_fff0, 0x2001_0db8_0000_0000_0000_0001_0000_0010)
            spec.destinations = FieldRange(
                GeneratorSpec.defaultIPv6Destination, GeneratorSpec.defaultIPv6Destination + 6)
        } else {
            spec.sources = FieldRange(0xC612_00F0, 0xC612_0110)
            spec.destinations = FieldRange(0xC613_FFFE, 0xC614_0001)
        }
        spec.sourcePorts = FieldRange(65530, 65535)
        spec.destinationPorts = FieldRange(0, 1000)
        return spec
    }

    @Test(
        "every generated frame's checksums verify from scratch, and frame k carries the k-th value of each range",
        arguments: [(false, false, nil, 60), (false, true, 7, 99), (true, false, nil, 1514), (true, true, 4095, 300)]
            as [(Bool, Bool, UInt16?, Int)], [1, 3])
    func sequence(variant: (ipv6: Bool, tcp: Bool, vlan: UInt16?, size: Int), threads: Int) {
        let (ipv6, tcp, vlan, size) = variant
        let spec = Self.spec(ipv6: ipv6, tcp: tcp, vlan: vlan, size: size)
        let frames = Self.frames(spec, threads: threads, total: 3001)
        #expect(frames.count == 3001)
        var bad = 0
        var wrongFields = 0
        for (k, frame) in frames.enumerated() {
            frame.withUnsafeBytes { bytes in
                let info = FrameInfo.parse(bytes)
                if frame.count != size || !info.present.contains(.l4Header)
                    || !ChecksumVerifier.allAreValid(bytes, info: info)
                    || !ChecksumVerifier.l4IsValid(bytes, info: info)
                {
                    bad += 1
                }
                let index = UInt64(k)
                let source = ipv6 ? info.ipv6Source : UInt128(info.ipv4Source)
                let destination = ipv6 ? info.ipv6Destination : UInt128(info.ipv4Destination)
                if source != spec.sources.value(at: index % spec.sources.count)
                    || destination != spec.destinations.value(at: index % spec.destinations.count)
                    || UInt128(info.sourcePort) != spec.sourcePorts.value(at: index % spec.sourcePorts.count)
                    || UInt128(info.destinationPort)
                        != spec.destinationPorts.value(at: index % spec.destinationPorts.count)
                    || info.l4Protocol != (tcp ? 6 : 17)
                    || (vlan.map { info.outerVLANTCI & 0xfff == $0 } ?? true) == false
                {
                    wrongFields += 1
                }
            }
        }
        #expect(bad == 0)
        #expect(wrongFields == 0)
    }

    @Test("ranges parse as values or A-B, and bad ones are refused naming the option")
    func ranges() throws {
        #expect(try FieldRange.ipv4("198.18.0.1", option: "--src") == FieldRange(0xC612_0001))
        #expect(try FieldRange.ipv4("198.18.0.1-198.18.1.0", option: "--src").count == 256)
        #expect(try FieldRange.port("1000-2000", option: "--dport") == FieldRange(1000, 2000))
        #expect(try FieldRange.ipv6("2001:db8::1-2001:db8::ff", option: "--src").count == 255)
        #expect(throws: GeneratorOptionError.backwardsRange(option: "--dport", text: "9-1")) {
            try FieldRange.port("9-1", option: "--dport")
        }
        for text in ["", "-", "1-", "65536", "+5", "1-2-3", "0x10"] {
            #expect(throws: GeneratorOptionError.self) { try FieldRange.port(text, option: "--sport") }
        }
        for text in ["198.18.0", "198.18.0.1-", "2001:db8::1", "198.18.0.256"] {
            #expect(throws: GeneratorOptionError.self) { try FieldRange.ipv4(text, option: "--src") }
        }
        #expect(throws: GeneratorOptionError.rangeTooLarge(option: "--src", text: "2001:db8::-2001:db9::")) {
            try FieldRange.ipv6("2001:db8::-2001:db9::", option: "--src")
        }
    }

    @Test("sizes outside 60 (or the headers) to MTU+14 (+4 tagged) are refused")
    func sizes() throws {
        var spec = GeneratorSpec()
        spec.size = 1514
        try spec.validate(interface: "x", mtu: 1500)
        spec.size = 1515
        #expect(throws: GeneratorOptionError.self) { try spec.validate(interface: "x", mtu: 1500) }
        spec.vlan = 1
        spec.size = 1518
        try spec.validate(interface: "x", mtu: 1500)
        spec.size = 59
        #expect(throws: GeneratorOptionError.self) { try spec.validate(interface: "x", mtu: 1500) }
        spec.ipv6 = true
        spec.transport = .tcp
        #expect(spec.minimumSize == 78)
        spec.size = 77
        #expect(throws: GeneratorOptionError.self) { try spec.validate(interface: "x", mtu: 1500) }
    }

    @Test("shares split a count exactly among threads")
    func shares() {
        for threads in 1...7 {
            for total: UInt64 in [0, 1, 5, 6, 5000, 5003] {
                let sum = (0..<threads).reduce(UInt64(0)) { $0 + ThreadShare(thread: $1, of: threads).count(of: total) }
                #expect(sum == total)
            }
        }
    }
}
