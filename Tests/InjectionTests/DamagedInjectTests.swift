import Capture
import Foundation
import Injection
import TestSupport
import Testing

/// `bridgekeeper inject` of damaged captures: exactly the whole frames before the damage leave,
/// pass after pass; the damage is named on stderr and in the JSON, and the exit status is 3.
@Suite("inject damaged captures", .serialized)
struct DamagedInjectTests {
    /// Whole frames, each distinct (its last byte its index), carrying `marker`.
    static func whole(marker: UInt8) -> [[UInt8]] {
        [60, 128, 1514, 77, 300].enumerated().map { index, length in
            var frame = TestFrames.frame(length: length, marker: marker)
            frame[frame.count - 1] = UInt8(index)
            return frame
        }
    }

    /// Writes the damaged capture into the lab's folder; returns its path and the damage's offset.
    static func write(_ damage: CaptureBytes.Damage, marker: UInt8, in lab: InjectLab) throws -> (String, Int) {
        let after = TestFrames.frame(length: 90, marker: marker)
        let (bytes, offset) = CaptureBytes.damaged(whole(marker: marker), damage, after: after)
        let path = lab.folder + "/damaged.pcap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, offset)
    }

    /// The one `damage` entry of the `--json` summary.
    static func damageField(_ output: String) throws -> [String: Any] {
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let found = try #require(summary["damage"] as? [[String: Any]])
        try #require(found.count == 1)
        return found[0]
    }

    @Test("the receiving side sees exactly the whole frames before the damage", arguments: CaptureBytes.Damage.allCases)
    func wholeFramesOnly(damage: CaptureBytes.Damage) async throws {
        let marker: UInt8 = 60
        let (exchange, path, offset) = try await InjectLab.with { lab in
            let (path, offset) = try Self.write(damage, marker: marker, in: lab)
            let exchange = try lab.exchange(["inject", "--port", InjectLab.sendPort, "--in", path, "--json"]) {
                TestFrames.isMarked($0, marker)
            }
            return (exchange, path, offset)
        }
        let frames = Self.whole(marker: marker)
        #expect(exchange.status == 3, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames) == nil)
        #expect(exchange.frames.count == frames.count)
        let summary = try exchange.summary
        #expect(summary.frames == UInt64(frames.count))
        #expect(summary.bytes == UInt64(frames.reduce(0) { $0 + $1.count }))
        let found = try Self.damageField(exchange.output)
        #expect(found["file"] as? String == path)
        #expect(found["frame"] as? Int == frames.count + 1)
        #expect(found["offset"] as? Int == offset)
        #expect(found["kind"] as? String == damage.kind)
        let reason = try #require(found["reason"] as? String)
        #expect(reason.contains(damage.reasonMentions), "\(reason)")
        #expect(exchange.errorLines.count == 1, "\(exchange.errors)")
        let expected =
            "bridgekeeper inject: capture \(path) is damaged at byte \(offset) (frame \(frames.count + 1)): "
            + "\(reason); sent the \(frames.count) whole frames before it"
        #expect(exchange.errorLines.first.map(String.init) == expected, "\(expected)")
    }

    @Test("--loop 3 sends only the whole frames, each pass", arguments: [false, true])
    func loop(preload: Bool) async throws {
        let marker: UInt8 = 61
        let exchange = try await InjectLab.with { lab in
            let (path, _) = try Self.write(.cutMidRecord, marker: marker, in: lab)
            return try lab.exchange(
                ["inject", "--port", InjectLab.sendPort, "--in", path, "--loop", "3", "--json"]
                    + (preload ? ["--preload"] : [])
            ) { TestFrames.isMarked($0, marker) }
        }
        let frames = Self.whole(marker: marker)
        #expect(exchange.status == 3, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames + frames + frames) == nil)
        #expect(try exchange.summary.frames == UInt64(3 * frames.count))
        #expect(try Self.damageField(exchange.output)["frame"] as? Int == frames.count + 1)
        #expect(exchange.errorLines.count == 1, "\(exchange.errors)")
    }

    @Test("--threads 2 sends every whole frame once and names the damage once")
    func threads() async throws {
        let marker: UInt8 = 62
        let exchange = try await InjectLab.with { lab in
            let (path, _) = try Self.write(.garbageHeader, marker: marker, in: lab)
            return try lab.exchange(["inject", "--port", InjectLab.sendPort, "--in", path, "--threads", "2", "--json"])
            {
                TestFrames.isMarked($0, marker)
            }
        }
        let frames = Self.whole(marker: marker)
        #expect(exchange.status == 3, "\(exchange.errors)")
        #expect(exchange.frames.map { $0.last! }.sorted() == frames.map { $0.last! })
        #expect(exchange.frames.allSatisfy { frames.contains($0) })
        #expect(exchange.errorLines.count == 1, "\(exchange.errors)")
    }

    @Test("an intact capture exits 0 with no damage field")
    func intact() async throws {
        let marker: UInt8 = 63
        let frames = Self.whole(marker: marker)
        let exchange = try await InjectLab.with { lab in
            let path = lab.folder + "/whole.pcap"
            try Data(CaptureBytes.capture(frames)).write(to: URL(fileURLWithPath: path))
            return try lab.exchange(["inject", "--port", InjectLab.sendPort, "--in", path, "--json"]) {
                TestFrames.isMarked($0, marker)
            }
        }
        #expect(exchange.status == 0, "\(exchange.errors)")
        #expect(FrameDiff.between(exchange.frames, frames) == nil)
        #expect(!exchange.output.contains("damage"))
        #expect(exchange.errors.isEmpty)
    }
}

/// The capture sources on a damaged capture, without a network.
@Suite("damaged capture sources")
struct DamagedSourceTests {
    @Test("streamed and preloaded sources give the whole frames each pass and the damage")
    func sources() throws {
        let frames = DamagedInjectTests.whole(marker: 64)
        let (bytes, offset) = CaptureBytes.damaged(
            frames, .cutMidHeader, after: TestFrames.frame(length: 60, marker: 64))
        let path = "/tmp/bkinject-damaged-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let preloaded = try PreloadedCapture(path: path)
        #expect(preloaded.frameCount == frames.count)
        #expect((0..<frames.count).map { Array(preloaded.frame($0)) } == frames)
        #expect(preloaded.damage?.offset == offset)
        var streamed = try StreamedFrames(path: path, share: ThreadShare(), passes: 2)
        var inMemory = PreloadedFrames(capture: preloaded, share: ThreadShare(), passes: 2)
        var sent: [[UInt8]] = []
        while let frame = streamed.next() { sent.append(Array(frame.bytes)) }
        #expect(sent == frames + frames)
        sent = []
        while let frame = inMemory.next() { sent.append(Array(frame.bytes)) }
        #expect(sent == frames + frames)
        #expect(streamed.failure == nil)
        #expect(streamed.damage == preloaded.damage)
        #expect(inMemory.damage == preloaded.damage)
        #expect(streamed.damage?.kind == .cutMidHeader)
    }
}
