import Foundation
import Frame
import TestSupport
import Testing

/// `bridgekeeper pktgen` against a veth pair: every frame arrives well formed, across the ranges.
@Suite("pktgen", .serialized)
struct PktgenCommandTests {
    /// Generated IPv4 or IPv6 frames (tagged or not) from the 198.18.0.0/15 or 2001:db8::/32 tests.
    static let isGenerated: @Sendable ([UInt8]) -> Bool = { frame in
        var offset = 12
        if frame.count > 16 && frame[12] == 0x81 && frame[13] == 0x00 { offset = 16 }
        guard frame.count > offset + 30 else { return false }
        let type = UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
        if type == 0x0800 { return frame[offset + 14] == 198 && frame[offset + 15] & 0xfe == 18 }
        if type == 0x86dd { return frame[offset + 10] == 0x20 && frame[offset + 11] == 0x01 }
        return false
    }

    struct Fields: Hashable {
        var source: UInt128
        var destination: UInt128
        var sourcePort: UInt16
        var destinationPort: UInt16
    }

    /// Each frame's fields, when every checksum in it verifies from scratch; nil otherwise.
    static func checkedFields(_ frames: [[UInt8]]) -> [Fields?] {
        frames.map { frame in
            frame.withUnsafeBytes { bytes -> Fields? in
                let info = FrameInfo.parse(bytes)
                guard info.present.contains(.l4Header), ChecksumVerifier.allAreValid(bytes, info: info),
                    ChecksumVerifier.l4IsValid(bytes, info: info)
                else { return nil }
                let ipv4 = info.present.contains(.ipv4)
                return Fields(
                    source: ipv4 ? UInt128(info.ipv4Source) : info.ipv6Source,
                    destination: ipv4 ? UInt128(info.ipv4Destination) : info.ipv6Destination,
                    sourcePort: info.sourcePort, destinationPort: info.destinationPort)
            }
        }
    }

    @Test("--count 5000 delivers exactly 5000 well-formed frames covering every range")
    func countAndRanges() async throws {
        let (exchange, sourceMAC) = try await InjectLab.with { lab in
            let exchange = try lab.exchange(
                [
                    "pktgen", "--port", InjectLab.sendPort, "--count", "5000", "--size", "128",
                    "--src", "198.18.0.1-198.18.0.254", "--dst", "198.19.0.1-198.19.0.3", "--sport", "5000-5009",
                    "--dport", "1000-2000", "--dst-mac", "02:00:00:00:00:77", "--json",
                ], matching: Self.isGenerated)
            return (exchange, try lab.mac(of: InjectLab.sendPort))
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(exchange.frames.count == 5000)
        #expect(try exchange.summary.frames == 5000)
        #expect(exchange.frames.allSatisfy { $0.count == 128 })
        let fields = Self.checkedFields(exchange.frames)
        #expect(fields.allSatisfy { $0 != nil }, "frames with bad checksums: \(fields.filter { $0 == nil }.count)")
        let valid = fields.compactMap { $0 }
        #expect(Set(valid.map(\.source)) == Set((0xC612_0001...0xC612_00FE).map { UInt128($0) }))
        #expect(Set(valid.map(\.destination)) == Set((0xC613_0001...0xC613_0003).map { UInt128($0) }))
        #expect(Set(valid.map(\.sourcePort)) == Set(5000...5009))
        #expect(Set(valid.map(\.destinationPort)) == Set(1000...2000))
        #expect(exchange.frames.allSatisfy { Array($0[0..<6]) == [2, 0, 0, 0, 0, 0x77] })
        let mac = sourceMAC.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        #expect(exchange.frames.allSatisfy { Array($0[6..<12]) == mac })
    }

    @Test("IPv6, TCP, a VLAN tag and two threads: exactly the count, valid checksums, ranges covered")
    func ipv6TCPThreads() async throws {
        let exchange = try await InjectLab.with { lab in
            try lab.exchange(
                [
                    "pktgen", "--port", InjectLab.sendPort, "--count", "1000", "--threads", "2", "--ipv6", "--tcp",
                    "--vlan", "300", "--size", "200", "--src", "2001:db8::1-2001:db8::10", "--dport", "80-90", "--json",
                ], matching: Self.isGenerated)
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(exchange.frames.count == 1000)
        #expect(exchange.frames.allSatisfy { $0.count == 200 && $0[12] == 0x81 && $0[14] == 0x01 && $0[15] == 0x2c })
        let fields = Self.checkedFields(exchange.frames)
        #expect(fields.allSatisfy { $0 != nil })
        let valid = fields.compactMap { $0 }
        let base: UInt128 = 0x2001_0db8_0000_0000_0000_0000_0000_0000
        #expect(Set(valid.map(\.source)) == Set((1...0x10).map { base + UInt128($0) }))
        #expect(Set(valid.map(\.destinationPort)) == Set(80...90))
        #expect(Set(valid.map(\.destination)) == [base + 2])
    }

    @Test("--rate 2000 for 3 s: the pacer's token bucket bounds what arrives, and the run lasts 3 s")
    func rate() async throws {
        let exchange = try await InjectLab.with { lab in
            try lab.exchange(
                ["pktgen", "--port", InjectLab.sendPort, "--rate", "2000", "--duration", "3", "--json"],
                matching: Self.isGenerated)
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        try expectPaced(exchange, framesPerSecond: 2000, durationSeconds: 3)
    }

    @Test("SIGINT ends an endless run cleanly, with the summary")
    func interrupt() async throws {
        let exchange = try await InjectLab.with { lab in
            try lab.exchange(
                ["pktgen", "--port", InjectLab.sendPort, "--rate", "1000"], interruptAfter: 1,
                matching: Self.isGenerated)
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        let line = exchange.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            line.hasPrefix("frames \(exchange.frames.count) bytes \(exchange.frames.count * 60) seconds "), "\(line)")
        #expect(line.hasSuffix(" send-errors 0 interrupted"), "\(line)")
        #expect(exchange.frames.count > 0)
    }

    @Test(
        "bad pktgen options are refused with one line",
        arguments: [
            (["--size", "59"], "--size 59", 2), (["--size", "1515"], "--size 1515", 2),
            (["--size", "1519", "--vlan", "5"], "--size 1519", 2), (["--src-mac", "02:00:00:00:00"], "--src-mac", 2),
            (["--src-mac", "01:00:5e:00:00:01"], "--src-mac", 2), (["--dst-mac", "nope"], "--dst-mac", 2),
            (["--src", "198.18.0.9-198.18.0.1"], "--src", 2), (["--dst", "198.18.0.300"], "--dst", 2),
            (["--dport", "2000-1000"], "--dport", 2), (["--sport", "70000"], "--sport", 2),
            (["--src", "198.18.0.1", "--ipv6"], "--src", 2), (["--vlan", "5000"], "--vlan", 2),
            (["--count", "-1"], "--count", 2), (["--rate", "-5"], "--rate", 2), (["--threads", "65"], "--threads", 2),
            (["--ipv6", "--tcp", "--size", "60"], "--size 60", 2),
        ] as [([String], String, Int32)])
    func badOptions(arguments: [String], mentions: String, status: Int32) async throws {
        let result = try await InjectLab.with(mtu: 1500) { lab in
            try lab.run(["pktgen", "--port", InjectLab.sendPort, "--count", "1"] + arguments)
        }
        #expect(result.0 == status)
        let lines = result.2.split(separator: "\n")
        #expect(lines.count == 1, "\(result.2)")
        #expect(lines.first?.contains(mentions) == true, "\(result.2)")
    }

    @Test("a missing interface is one line and exit status 1")
    func missingInterface() async throws {
        let result = try await InjectLab.with { lab in try lab.run(["pktgen", "--port", "nosuch0", "--count", "1"]) }
        #expect(result.0 == 1)
        #expect(result.2.split(separator: "\n").count == 1)
        #expect(result.2.contains("'nosuch0' does not exist"))
    }
}
