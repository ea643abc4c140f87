import Capture
import Foundation
import TestSupport
import Testing

/// `PcapReader`'s byte offsets and damage, on files built byte by byte.
@Suite struct CaptureReaderTests {
    static func withFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bk-reader-\(getpid())-\(UUID()).pcap")
            .path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    static let frames = [60, 61, 1514, 99].map { TestFrames.frame(length: $0, marker: 7) }

    @Test func pcapOffsetsAreTheFileHeaderAndEachRecordsHeaderAndBytes() throws {
        try Self.withFile(CaptureBytes.capture(Self.frames)) { path in
            let reader = try PcapReader(path: path)
            #expect(!reader.isPcapng)
            #expect(reader.offset == 24)
            var expected = 24
            for frame in Self.frames {
                let record = try #require(try reader.next())
                #expect(Array(record.bytes) == frame)
                expected += 16 + frame.count
                #expect(reader.offset == expected)
            }
            #expect(try reader.next() == nil)
            #expect(reader.framesRead == Self.frames.count)
            #expect(reader.damage == nil)
        }
    }

    /// A pcapng file: a section header, an Ethernet interface, an enhanced packet block per frame.
    static func pcapng(_ frames: [[UInt8]]) -> (bytes: [UInt8], blockEnds: [Int]) {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func le16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            let length = UInt32(12 + padded.count)
            return le32(type) + le32(length) + padded + le32(length)
        }
        var bytes = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + le32(0xffff_ffff) + le32(0xffff_ffff))
        bytes += block(1, le16(1) + le16(0) + le32(262_144))
        var ends: [Int] = []
        for (index, frame) in frames.enumerated() {
            let stamp = CaptureBytes.stamp(index) / 1000
            let header = le32(0) + le32(UInt32(stamp >> 32)) + le32(UInt32(stamp & 0xffff_ffff))
            bytes += block(6, header + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame)
            ends.append(bytes.count)
        }
        return (bytes, ends)
    }

    @Test func pcapngOffsetsAreWhereEachFramesBlockEnds() throws {
        let (bytes, ends) = Self.pcapng(Self.frames)
        try Self.withFile(bytes) { path in
            let reader = try PcapReader(path: path)
            #expect(reader.isPcapng)
            #expect(reader.offset == 28 + 20)
            for (frame, end) in zip(Self.frames, ends) {
                let record = try #require(try reader.next())
                #expect(Array(record.bytes) == frame)
                #expect(record.timestampNanoseconds == CaptureBytes.stamp(reader.framesRead - 1))
                #expect(reader.offset == end)
            }
            #expect(try reader.next() == nil)
        }
    }

    @Test func aPcapngFileCutMidBlockGivesTheWholeFramesThenTheDamage() throws {
        let (bytes, ends) = Self.pcapng(Self.frames)
        try Self.withFile(Array(bytes[0..<(ends[1] + 40)])) { path in
            let reader = try PcapReader(path: path)
            #expect(Array(try #require(try reader.next()).bytes) == Self.frames[0])
            #expect(Array(try #require(try reader.next()).bytes) == Self.frames[1])
            let expected = CaptureDamage(
                path: path, frame: 3, offset: ends[1], kind: .cutMidRecord,
                reason: "cut mid-record: 40 of the \(ends[2] - ends[1]) bytes of a block; libpcap: truncated pcapng "
                    + "dump file; tried to read \(ends[2] - ends[1] - 8) bytes, only got 32")
            #expect(throws: CaptureError.damaged(expected)) { try reader.next() }
        }
    }

    @Test(arguments: CaptureBytes.Damage.allCases)
    func damageIsThrownAfterTheWholeFramesAndAgainOnEveryLaterCall(damage: CaptureBytes.Damage) throws {
        let (bytes, offset) = CaptureBytes.damaged(Self.frames, damage, after: TestFrames.frame(length: 60, marker: 8))
        try Self.withFile(bytes) { path in
            let reader = try PcapReader(path: path)
            for frame in Self.frames { #expect(Array(try #require(try reader.next()).bytes) == frame) }
            var thrown: CaptureError?
            do throws(CaptureError) { _ = try reader.next() } catch { thrown = error }
            guard case .damaged(let found) = thrown else {
                Issue.record("expected damage, got \(String(describing: thrown))")
                return
            }
            #expect(found.frame == Self.frames.count + 1)
            #expect(found.wholeFrames == Self.frames.count)
            #expect(found.offset == offset)
            #expect(found.kind.rawValue == damage.kind)
            #expect(found.reason.contains(damage.reasonMentions), "\(found.reason)")
            #expect(reader.damage == found)
            #expect(throws: CaptureError.damaged(found)) { try reader.next() }
        }
    }

    @Test func aFrameCutToTheSnapLengthWhenCapturedIsWholeNotDamage() throws {
        // tcpdump -s 100: the record holds the first 100 bytes of a 150-byte frame.
        let frame = TestFrames.frame(length: 150, marker: 9)
        var bytes = CaptureBytes.fileHeader(snapLength: 100)
        bytes += CaptureBytes.record(Array(frame[0..<100]), stamp: CaptureBytes.stamp(0), wire: 150)
        bytes += CaptureBytes.record(Array(frame[0..<60]), stamp: CaptureBytes.stamp(1))
        try Self.withFile(bytes) { path in
            let reader = try PcapReader(path: path)
            let first = try #require(try reader.next())
            #expect(Array(first.bytes) == Array(frame[0..<100]))
            #expect(first.wireLength == 150)
            #expect(reader.offset == 24 + 16 + 100)
            #expect(Array(try #require(try reader.next()).bytes) == Array(frame[0..<60]))
            #expect(try reader.next() == nil)
        }
    }

    @Test func moreBytesCapturedThanOnTheWireIsAGarbageHeader() throws {
        var bytes = CaptureBytes.capture([Self.frames[0]])
        bytes += CaptureBytes.record(Self.frames[0], stamp: CaptureBytes.stamp(1), wire: 40)
        try Self.withFile(bytes) { path in
            let reader = try PcapReader(path: path)
            _ = try reader.next()
            #expect(
                throws: CaptureError.damaged(
                    CaptureDamage(
                        path: path, frame: 2, offset: 24 + 16 + 60, kind: .garbageHeader,
                        reason: "garbage record header: 60 bytes captured of a frame of 40 on the wire "
                            + "(libpcap would read it as a frame)"))
            ) { try reader.next() }
        }
    }
}
