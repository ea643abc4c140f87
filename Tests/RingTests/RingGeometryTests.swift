import Foundation
import Glibc
import Platform
import Ring
import TestSupport
import Testing

@Suite("Ring geometry")
struct RingGeometryTests {
    @Test("slots hold the MTU, an Ethernet header, two tags and the headroom, 16-byte aligned")
    func frameSizes() {
        #expect(RingGeometry.receiveFrameSize(mtu: 1500, headroom: 32) == 1632)
        #expect(RingGeometry.receiveFrameSize(mtu: 9000, headroom: 32) == 9120)
        #expect(RingGeometry.receiveFrameSize(mtu: 1500, headroom: 0) % 16 == 0)
        #expect(RingGeometry.transmitFrameSize(mtu: 1500) == 1568)
    }

    @Test("block sizes start at 128 KiB and halve down to the smallest page multiple holding a slot")
    func blockCandidates() {
        #expect(
            RingGeometry.blockSizeCandidates(frameSize: 1632, pageSize: 4096) == [
                131_072, 65_536, 32_768, 16_384, 8_192, 4_096,
            ])
        #expect(
            RingGeometry.blockSizeCandidates(frameSize: 9120, pageSize: 4096) == [
                131_072, 65_536, 32_768, 16_384, 12_288,
            ])
        #expect(RingGeometry.blockSizeCandidates(frameSize: 200_000, pageSize: 4096) == [200_704])
    }

    @Test("a ring covers the requested frame count with whole blocks")
    func covering() {
        let geometry = RingGeometry.covering(frameCount: 4096, frameSize: 1632, blockSize: 131_072)
        #expect(geometry.framesPerBlock == 80)
        #expect(geometry.blockCount == 52)
        #expect(geometry.frameCount == 4160)
        #expect(geometry.byteCount == 52 * 131_072)
    }

    @Test("errno values map to what the loop does next")
    func sendResults() {
        #expect(SendResult(errno: EAGAIN) == .noRoom)
        #expect(SendResult(errno: ENOBUFS) == .noRoom)
        #expect(SendResult(errno: ENETDOWN) == .linkDown)
        #expect(SendResult(errno: ENXIO) == .linkDown)
        #expect(SendResult(errno: ENODEV) == .linkDown)
        #expect(SendResult(errno: EMSGSIZE) == .tooBig)
        #expect(SendResult(errno: EPERM) == .failed(errno: EPERM))
    }

    @Test("opening a socket on a missing interface or with a bad configuration fails with one line")
    func openingErrors() async throws {
        let errors = try await TestNamespace.with { namespace in
            try await namespace.run { () -> [RingError] in
                var errors: [RingError] = []
                for (name, configuration) in [
                    ("nosuch0", PacketSocketConfiguration()),
                    ("lo", .with { $0.frameCount = 0 }),
                    (
                        "lo",
                        .with {
                            $0.version = .v3(blockTimeoutMilliseconds: 10)
                            $0.transmitFrameCount = 8
                        }
                    ),
                ] {
                    do throws(RingError) {
                        _ = try PacketSocket(interface: name, configuration: configuration)
                    } catch {
                        errors.append(error)
                    }
                }
                return errors
            }
        }
        #expect(
            errors.map(\.description) == [
                "interface 'nosuch0' does not exist: check the name with `ip link`",
                "invalid packet ring configuration: frameCount must be positive",
                "invalid packet ring configuration: a TX ring needs TPACKET_V2 (version .v2)",
            ])
    }
}

@Suite("CPU affinity")
struct CPUAffinityTests {
    @Test("CPU lists parse like taskset -c")
    func parse() throws {
        #expect(try CPUAffinity.parse("0,2-3") == [0, 2, 3])
        #expect(try CPUAffinity.parse(" 3 , 1-2,2") == [1, 2, 3])
        #expect(try CPUAffinity.parse("7") == [7])
        for bad in ["", "a", "3-1", "1-", "-1", "1,,2", "1-2-3", "5000"] {
            #expect(throws: CPUAffinity.Failure.invalidList(bad)) { try CPUAffinity.parse(bad) }
        }
        #expect(
            CPUAffinity.Failure.invalidList("x").description
                == "'x' is not a CPU list: write CPU numbers and ranges like 0,2-3")
    }

    @Test("pinning a thread restricts it to the listed CPUs")
    func pin() async throws {
        let allowed = CPUAffinity.currentThreadCPUs()
        let target = try #require(allowed.last)
        let observed = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
            Thread {
                let pinned = (try? CPUAffinity.pinCurrentThread(toList: String(target))) != nil
                continuation.resume(returning: pinned ? CPUAffinity.currentThreadCPUs() : [])
            }.start()
        }
        #expect(observed == [target])
        #expect(CPUAffinity.currentThreadCPUs() == allowed)
    }
}
