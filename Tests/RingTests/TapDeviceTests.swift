import Glibc
import Ring
import TestSupport
import Testing

@Suite("TAP host port")
struct TapDeviceTests {
    @Test("a frame written to the TAP arrives on the TAP interface as if from the wire")
    func writeReachesHost() async throws {
        let frames = [TestFrames.frame(length: 60, marker: 40), TestFrames.frame(length: 1514, marker: 40)]
        let (results, seen) = try await TestNamespace.with { namespace in
            try await namespace.run { () -> ([SendResult], [CopiedFrame]) in
                let tap = try TapDevice(name: "bkhost0")
                let host = try PacketSocket(interface: "bkhost0")
                let results = frames.map { frame in frame.withUnsafeBytes { tap.write($0) } }
                return (results, host.collect(count: 2) { TestFrames.isMarked($0, 40) })
            }
        }
        #expect(results == [.sent, .sent])
        #expect(FrameDiff.between(seen.map(\.bytes), frames) == nil)
    }

    @Test("a frame the host sends into the TAP is read back byte for byte")
    func hostFrameIsRead() async throws {
        let frame = TestFrames.frame(length: 100, marker: 41, tags: [(0x8100, 12)])
        let read = try await TestNamespace.with { namespace in
            try await namespace.run { () -> [UInt8]? in
                let tap = try TapDevice(name: "bkhost0", mtu: 1500)
                let host = try PlainPacketSocket(interface: "bkhost0")
                try host.send(frame)
                var buffer = [UInt8](repeating: 0, count: 1600)
                let deadline = monotonicSeconds() + 2
                while monotonicSeconds() < deadline {
                    _ = pollOnce(tap.fileDescriptor, timeoutMilliseconds: 200)
                    let result = buffer.withUnsafeMutableBytes { tap.read(into: $0) }
                    if case .frame(let length) = result, TestFrames.isMarked(Array(buffer[0..<length]), 41) {
                        return Array(buffer[0..<length])
                    }
                }
                return nil
            }
        }
        #expect(read.flatMap { FrameDiff.between($0, frame) } == nil)
        #expect(read != nil)
    }

    @Test("the TAP is up with the requested MTU, and disappears when closed")
    func lifecycle() async throws {
        let (upBefore, mtu, emptyRead, existsAfter) = try await TestNamespace.with { namespace in
            try await namespace.run { () -> (Bool, String, TapDevice.ReadResult, Bool) in
                let tap = try TapDevice(name: "bkhost1", mtu: 9000)
                let state = try LinkMonitor.linkState(of: "bkhost1")
                var buffer = [UInt8](repeating: 0, count: 64)
                // Drain anything the kernel sent at bring-up, then expect an empty read.
                var result = buffer.withUnsafeMutableBytes { tap.read(into: $0) }
                while case .frame = result { result = buffer.withUnsafeMutableBytes { tap.read(into: $0) } }
                tap.close()
                tap.close()
                // The kernel unregisters the device after the last file closes, not within close().
                let gone = waitUntil(timeout: 5) { if_nametoindex("bkhost1") == 0 }
                return (state?.isUp ?? false, "\(state?.mtu ?? 0)", result, !gone)
            }
        }
        #expect(upBefore)
        #expect(mtu == "9000")
        #expect(emptyRead == .empty)
        #expect(!existsAfter)
    }

    @Test("names that do not fit are refused with a clear message")
    func invalidName() throws {
        #expect(throws: TapError.invalidName("a-name-longer-than-15")) {
            try TapDevice(name: "a-name-longer-than-15")
        }
        #expect(
            TapError.invalidName("").description == "'' is not a valid interface name: use 1 to 15 characters")
    }
}
