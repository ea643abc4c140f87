import Capture
import Foundation
import Injection
import TestSupport
import Testing

@Suite("capture sources")
struct SourceTests {
    /// A pcap of `count` marked frames 10 ms apart, frame i's last byte i; removed by the caller.
    static func capture(count: Int) throws -> String {
        let path = "/tmp/bkinject-source-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
        let writer = try PcapWriter(path: path)
        for index in 0..<count {
            var frame = TestFrames.frame(length: 60, marker: 50)
            frame[59] = UInt8(index)
            frame.withUnsafeBytes { writer.write($0, timestampNanoseconds: 1_000_000_000 + UInt64(index) * 10_000_000) }
        }
        writer.flush()
        return path
    }

    static func drain<Source: FrameSource>(_ source: inout Source) -> [(index: UInt8, offset: UInt64, pass: UInt32)] {
        var seen: [(UInt8, UInt64, UInt32)] = []
        while let frame = source.next() { seen.append((frame.bytes[59], frame.offsetNanoseconds, frame.pass)) }
        return seen
    }

    @Test("streamed and preloaded sources give a thread its share, pass after pass, with capture offsets")
    func shares() throws {
        let path = try Self.capture(count: 5)
        defer { unlink(path) }
        let preloaded = try PreloadedCapture(path: path)
        for (thread, threads) in [(0, 1), (1, 2), (0, 2), (2, 3)] {
            let share = ThreadShare(thread: thread, of: threads)
            let mine = Array(stride(from: thread, to: 5, by: threads))
            let expected = (0..<3).flatMap { pass in mine.map { (UInt8($0), UInt64($0) * 10_000_000, UInt32(pass)) } }
            var streamed = try StreamedFrames(path: path, share: share, passes: 3)
            var inMemory = PreloadedFrames(capture: preloaded, share: share, passes: 3)
            for seen in [Self.drain(&streamed), Self.drain(&inMemory)] {
                #expect(seen.map(\.index) == expected.map(\.0))
                #expect(seen.map(\.offset) == expected.map(\.1))
                #expect(seen.map(\.pass) == expected.map(\.2))
            }
            #expect(streamed.failure == nil)
        }
    }

    @Test("a thread with no frames in its share ends even when looping forever")
    func emptyShare() throws {
        let path = try Self.capture(count: 2)
        defer { unlink(path) }
        var streamed = try StreamedFrames(path: path, share: ThreadShare(thread: 3, of: 4), passes: 0)
        var inMemory = PreloadedFrames(
            capture: try PreloadedCapture(path: path), share: ThreadShare(thread: 3, of: 4), passes: 0)
        #expect(streamed.next() == nil)
        #expect(inMemory.next() == nil)
    }

    @Test("a capture that is not Ethernet is refused")
    func notEthernet() throws {
        let path = "/tmp/bkinject-raw-\(getpid()).pcap"
        try Data(InjectCommandTests.rawIPCapture()).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(throws: InjectionError.self) { try StreamedFrames(path: path, share: ThreadShare(), passes: 1) }
        #expect(throws: CaptureError.self) { try PreloadedCapture(path: path) }
    }
}
