import Foundation
import Injection
import TestSupport
import Testing

/// `bridgekeeper inject` against a veth pair: what leaves one end arrives at the other.
@Suite("inject", .serialized)
struct InjectCommandTests {
    /// Frames of many sizes, untagged, 802.1Q-tagged and QinQ, each carrying `marker`.
    static func mixedFrames(marker: UInt8, count: Int = 40) -> [[UInt8]] {
        (0..<count).map { index in
            let length = [60, 61, 64, 100, 128, 333, 512, 999, 1024, 1514][index % 10]
            switch index % 4 {
            case 1: return TestFrames.frame(length: length + 4, marker: marker, tags: [(0x8100, 5 << 13 | 42)])
            case 3:
                // The kernel allows 4 bytes over MTU + 14 only for an 802.1Q outer tag.
                return TestFrames.frame(
                    length: min(length + 8, 1514), marker: marker, tags: [(0x88a8, 100), (0x8100, 200)])
            default:
                var frame = TestFrames.frame(length: length, marker: marker)
                frame[frame.count - 1] = UInt8(index)  // every frame distinct, so order shows
                return frame
            }
        }
    }

    @Test("a pcap arrives byte for byte and in order", arguments: [false, true])
    func byteForByte(preload: Bool) async throws {
        let frames = Self.mixedFrames(marker: 40)
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--json"] + (preload ? ["--preload"] : [])
            ) { TestFrames.isMarked($0, 40) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames) == nil)
        let summary = try exchange.summary
        #expect(summary.frames == UInt64(frames.count))
        #expect(summary.bytes == UInt64(frames.reduce(0) { $0 + $1.count }))
        #expect(summary.sendErrors == 0 && summary.tooBig == 0 && summary.skipped == 0)
    }

    @Test("--loop 3 sends the capture three times, in order", arguments: [false, true])
    func loop(preload: Bool) async throws {
        let frames = Self.mixedFrames(marker: 41, count: 25)
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--loop", "3", "--json"]
                    + (preload ? ["--preload"] : [])
            ) { TestFrames.isMarked($0, 41) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames + frames + frames) == nil)
        #expect(try exchange.summary.frames == UInt64(3 * frames.count))
    }

    @Test("--vlan 42 tags untagged frames after the MACs and leaves tagged ones alone")
    func vlanInsertion() async throws {
        let frames = [
            TestFrames.frame(length: 60, marker: 42), TestFrames.frame(length: 200, marker: 42, tags: [(0x8100, 7)]),
            TestFrames.frame(length: 1514, marker: 42),
            TestFrames.frame(length: 300, marker: 42, tags: [(0x88a8, 100), (0x8100, 200)]),
            TestFrames.frame(length: 99, marker: 42),
        ]
        let expected = frames.map { frame -> [UInt8] in
            let type = UInt16(frame[12]) << 8 | UInt16(frame[13])
            guard type == TestFrames.experimentalType else { return frame }
            return Array(frame[0..<12]) + [0x81, 0x00, 0x00, 42] + Array(frame[12...])
        }
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(["inject", "--port", InjectLab.sendPort, "--in", path, "--vlan", "42", "--json"]) {
                TestFrames.isMarked($0, 42)
            }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, expected) == nil)
        #expect(try exchange.summary.tooBig == 0)
    }

    @Test("a capture that is not Ethernet is refused with one line and exit status 1")
    func notEthernet() async throws {
        let result = try await InjectLab.with { lab in
            let path = lab.folder + "/raw.pcap"
            try Data(Self.rawIPCapture()).write(to: URL(fileURLWithPath: path))
            return try lab.run(["inject", "--port", InjectLab.sendPort, "--in", path])
        }
        #expect(result.0 == 1)
        #expect(result.1.isEmpty)
        let lines = result.2.split(separator: "\n")
        #expect(lines.count == 1, "\(result.2)")
        #expect(lines.first?.contains("not Ethernet") == true, "\(result.2)")
    }

    /// A classic pcap with link type 101 (raw IP) holding one IPv4 header.
    static func rawIPCapture() -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let packet: [UInt8] = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2]
        let header = le32(0xa1b2_c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(65535) + le32(101)
        let record = le32(1_700_000_000) + le32(0) + le32(UInt32(packet.count)) + le32(UInt32(packet.count))
        return header + record + packet
    }

    @Test("frames longer than the MTU allows are counted and skipped; runts too; the rest arrive in order")
    func oversize() async throws {
        let fits = TestFrames.frame(length: 1514, marker: 43)
        let tooBig = TestFrames.frame(length: 1515, marker: 43)
        let taggedFits = TestFrames.frame(length: 1518, marker: 43, tags: [(0x8100, 9)])
        let taggedTooBig = TestFrames.frame(length: 1519, marker: 43, tags: [(0x8100, 9)])
        let serviceTaggedTooBig = TestFrames.frame(length: 1518, marker: 43, tags: [(0x88a8, 9)])
        let runt = [UInt8](repeating: 0xee, count: 10)
        let small = TestFrames.frame(length: 60, marker: 43)
        let frames = [small, tooBig, fits, runt, taggedTooBig, taggedFits, serviceTaggedTooBig, small]
        let exchange = try await InjectLab.with(mtu: 1500) { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(["inject", "--port", InjectLab.sendPort, "--in", path, "--json"]) {
                TestFrames.isMarked($0, 43)
            }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, [small, fits, taggedFits, small]) == nil)
        let summary = try exchange.summary
        #expect(summary.frames == 4)
        #expect(summary.tooBig == 3)
        #expect(summary.skipped == 1)
        #expect(exchange.errorLines.count == 1)
        #expect(exchange.errorLines.first?.contains("3 frames were longer") == true, "\(exchange.errors)")
    }

    @Test("--rate 2000 for 3 s: the pacer's token bucket bounds what arrives, and the run lasts 3 s")
    func rate() async throws {
        let frames = (0..<10).map { TestFrames.frame(length: 60 + $0, marker: 44) }
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(
                [
                    "inject", "--port", InjectLab.sendPort, "--in", path, "--loop", "0", "--rate", "2000",
                    "--duration", "3", "--json",
                ]
            ) { TestFrames.isMarked($0, 44) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        try expectPaced(exchange, framesPerSecond: 2000, durationSeconds: 3)
        #expect(!(try exchange.summary.interrupted))
    }

    @Test("--threads 2 sends every frame once; each thread keeps its own frames in order")
    func threads() async throws {
        let frames = (0..<200).map { index -> [UInt8] in
            var frame = TestFrames.frame(length: 64, marker: 45)
            frame[20] = UInt8(index >> 8)
            frame[21] = UInt8(index & 0xff)
            return frame
        }
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--threads", "2", "--preload", "--json"]
            ) { TestFrames.isMarked($0, 45) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        let indices = exchange.frames.map { Int($0[20]) << 8 | Int($0[21]) }
        #expect(indices.sorted() == Array(0..<200))
        #expect(indices.filter { $0 % 2 == 0 } == Array(stride(from: 0, to: 200, by: 2)))
        #expect(indices.filter { $0 % 2 == 1 } == Array(stride(from: 1, to: 200, by: 2)))
        #expect(try exchange.summary.frames == 200)
    }

    @Test("--speed follows the capture's gaps (scaled by --multiplier): never faster than they allow")
    func speed() async throws {
        let frames = (0..<11).map { TestFrames.frame(length: 70 + $0, marker: 46) }
        let stamps = (0..<11).map { UInt64($0) * 50_000_000 }  // 0.5 s of capture
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames, timestamps: stamps)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--speed", "--multiplier", "2", "--json"]
            ) { TestFrames.isMarked($0, 46) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames) == nil)
        #expect(try exchange.summary.seconds >= 0.24)
    }

    @Test("SIGINT ends an endless run cleanly, with the summary")
    func interrupt() async throws {
        let frames = [TestFrames.frame(length: 60, marker: 47)]
        let exchange = try await InjectLab.with { lab in
            let path = try lab.writeCapture(frames)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--loop", "0", "--rate", "500", "--json"],
                interruptAfter: 1
            ) { TestFrames.isMarked($0, 47) }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        let summary = try exchange.summary
        #expect(summary.interrupted)
        #expect(summary.frames > 0 && summary.frames == UInt64(exchange.frames.count))
    }

    @Test(
        "bad inject options are refused with one line",
        arguments: [
            (["--rate", "0"], "--rate"), (["--speed", "--rate", "10"], "--speed"),
            (["--multiplier", "0"], "--multiplier"),
            (["--loop", "-1"], "--loop"), (["--vlan", "4096"], "--vlan"), (["--threads", "0"], "--threads"),
            (["--cpu", "x"], "--cpu"), (["--cpu", "1023"], "--cpu 1023"), (["--duration", "-1"], "--duration"),
        ])
    func badOptions(arguments: [String], mentions: String) async throws {
        let result = try await InjectLab.with { lab in
            let path = try lab.writeCapture([TestFrames.frame(length: 60, marker: 48)])
            return try lab.run(["inject", "--port", InjectLab.sendPort, "--in", path] + arguments)
        }
        #expect(result.0 == 2)
        let lines = result.2.split(separator: "\n")
        #expect(lines.count == 1, "\(result.2)")
        #expect(lines.first?.contains(mentions) == true, "\(result.2)")
    }

    @Test("a missing interface or capture is one line and exit status 1")
    func missing() async throws {
        let (noInterface, noCapture) = try await InjectLab.with { lab in
            let path = try lab.writeCapture([TestFrames.frame(length: 60, marker: 49)])
            return (
                try lab.run(["inject", "--port", "nosuch0", "--in", path]),
                try lab.run(["inject", "--port", InjectLab.sendPort, "--in", lab.folder + "/none.pcap"])
            )
        }
        for result in [noInterface, noCapture] {
            #expect(result.0 == 1)
            #expect(result.2.split(separator: "\n").count == 1, "\(result.2)")
        }
        #expect(noInterface.2.contains("nosuch0"))
        #expect(noCapture.2.contains("none.pcap"))
    }
}

/// What a `--rate R --duration D` run may deliver whatever the machine's load: the pacer's bucket
/// starts with one batch and gains R tokens a second, so no more than one batch plus R times the
/// interval this test's clock bracketed can leave; the run does not end before D; every frame
/// the summary counts arrived, and some did. How close to R it came is the benchmarks' business.
func expectPaced(
    _ exchange: InjectLab.Exchange, framesPerSecond: Double, durationSeconds: Double,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let batch = RatePacer.batchSize(framesPerSecond: framesPerSecond, limit: .max)
    let allowed = batch + Int((framesPerSecond * exchange.wallSeconds).rounded(.up))
    #expect(
        exchange.frames.count <= allowed, "received \(exchange.frames.count) in \(exchange.wallSeconds) s",
        sourceLocation: sourceLocation)
    #expect(exchange.frames.count > 0, sourceLocation: sourceLocation)
    #expect(exchange.wallSeconds >= durationSeconds, "ran \(exchange.wallSeconds) s", sourceLocation: sourceLocation)
    #expect(
        try exchange.summary.frames == UInt64(exchange.frames.count), "\(exchange.output)",
        sourceLocation: sourceLocation)
}
