import Capture
import Foundation
import Frame
import TestSupport
import Testing

/// `bridgekeeper replay` end to end on captures the tests write.
@Suite struct ReplayCommandTests {
    static func udp(_ port: UInt16, source: UInt32 = 0xC612_0001, marker: UInt8) -> [UInt8] {
        var udp = FrameBuilder.UDP()
        udp.destinationPort = port
        udp.payload = [marker]
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.transport = .udp(udp)
        var builder = FrameBuilder()
        builder.network = .ipv4(ip)
        return builder.build()
    }

    static func writeCapture(_ frames: [[UInt8]], at path: String, spacingMicroseconds: UInt64 = 1000) throws {
        let writer = try PcapWriter(path: path)
        for (i, frame) in frames.enumerated() {
            frame.withUnsafeBytes {
                writer.write(
                    $0, timestampNanoseconds: 1_700_000_000_000_000_000 + UInt64(i) * spacingMicroseconds * 1000)
            }
        }
        writer.flush()
    }

    static func readCapture(_ path: String) throws -> [[UInt8]] {
        let reader = try PcapReader(path: path)
        var frames: [[UInt8]] = []
        while let record = try reader.next() { frames.append(Array(record.bytes)) }
        return frames
    }

    static let policy = """
        version 1
        default forward
        rule "drop-53" {
            match udp dport 53
            drop
        }
        rule "to-host" {
            match udp dport 7
            reflect forward
        }
        rule "mark" {
            match udp dport 5060
            ip dscp set ef
            forward
        }
        rule "slow" {
            match udp dport 9000
            forward delay 5ms
        }
        """

    @Test func jsonHasExactlyTheDocumentedShapeAndOutcomesGoToTheirCaptures() throws {
        let folder = try CheckCommandTests.write(Self.policy, name: "replay.policy")
        let base = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        let frames = [
            Self.udp(9000, marker: 1), Self.udp(53, marker: 2), Self.udp(5060, marker: 3), Self.udp(7, marker: 4),
            Self.udp(80, marker: 5),
        ]
        try Self.writeCapture(frames, at: base + "/in.pcap")
        let result = Shell.result([
            try BridgekeeperBinary.path, "replay", "--policy", folder, "--in", base + "/in.pcap", "--forward",
            base + "/fwd.pcap", "--drop", base + "/drop.pcap", "--reflect", base + "/host.pcap", "--json",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let n = frames.map { $0.count }
        let expected =
            "{\"frames\":5,\"forwarded\":4,\"dropped\":1,\"reflected\":1,\"rules\":["
            + "{\"name\":\"drop-53\",\"packets\":1,\"bytes\":\(n[1])},"
            + "{\"name\":\"to-host\",\"packets\":1,\"bytes\":\(n[3])},"
            + "{\"name\":\"mark\",\"packets\":1,\"bytes\":\(n[2])},"
            + "{\"name\":\"slow\",\"packets\":1,\"bytes\":\(n[0])}],"
            + "\"default\":{\"packets\":1,\"bytes\":\(n[4])}}\n"
        #expect(result.output == expected)

        var marked = Self.udp(5060, marker: 3)
        marked.withUnsafeMutableBytes { raw in
            var frame = FrameBuffer(storage: raw.baseAddress!, capacity: raw.count, start: 0, length: raw.count)
            var info = FrameInfo.parse(UnsafeRawBufferPointer(raw))
            _ = frame.apply(.ipv4DSCP(46), info: &info)
        }
        // The delayed frame (the first in the capture) leaves 5 ms later: after the others.
        #expect(try Self.readCapture(base + "/fwd.pcap") == [marked, frames[3], frames[4], frames[0]])
        #expect(try Self.readCapture(base + "/drop.pcap") == [frames[1]])
        #expect(try Self.readCapture(base + "/host.pcap") == [frames[3]])
    }

    @Test func fromPortBChangesIif() throws {
        let path = try CheckCommandTests.write(
            "version 1\ndefault forward\nrule \"b-only\" {\n    match iif b\n    drop\n}\n", name: "iif.policy")
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try Self.writeCapture([Self.udp(1, marker: 1)], at: base + "/in.pcap")
        let fromA = Shell.result([
            try BridgekeeperBinary.path, "replay", "--policy", path, "--in", base + "/in.pcap", "--json",
        ])
        let fromB = Shell.result([
            try BridgekeeperBinary.path, "replay", "--policy", path, "--in", base + "/in.pcap", "--from", "b", "--json",
        ])
        #expect(fromA.output.hasPrefix("{\"frames\":1,\"forwarded\":1,\"dropped\":0"))
        #expect(fromB.output.hasPrefix("{\"frames\":1,\"forwarded\":0,\"dropped\":1"))
    }

    @Test func aMissingOrNonEthernetCaptureIsOneLine() throws {
        let path = try CheckCommandTests.write("version 1\ndefault forward\n", name: "any.policy")
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let missing = Shell.result([
            try BridgekeeperBinary.path, "replay", "--policy", path, "--in", base + "/none.pcap",
        ])
        #expect(missing.status == 1)
        #expect(missing.errors.split(separator: "\n").count == 1, "\(missing.errors)")
        #expect(missing.errors.contains("none.pcap"))
        // A raw-IP capture (link type 101), written by hand: global header and one record.
        var raw: [UInt8] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0]
        raw += [0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 20, 0, 0, 0] + [UInt8](repeating: 0x45, count: 20)
        try Data(raw).write(to: URL(fileURLWithPath: base + "/raw.pcap"))
        let notEthernet = Shell.result([
            try BridgekeeperBinary.path, "replay", "--policy", path, "--in", base + "/raw.pcap",
        ])
        #expect(notEthernet.status == 1)
        #expect(notEthernet.errors.contains("is not Ethernet"), "\(notEthernet.errors)")
        #expect(notEthernet.errors.split(separator: "\n").count == 1)
    }
}
