import Ring
import Testing

@testable import Bridge

@Suite("Settings from the run options")
struct SettingsTests {
    static var configuration: BridgeConfiguration {
        BridgeConfiguration(portA: "pa", portB: "pb", policyPath: "p", controlPath: "c")
    }

    @Test func ringsAreSizedToThirtyTwoMebibytesUnlessTold() {
        var configuration = Self.configuration
        let settings = configuration.socketConfiguration(mtu: 1500)
        let frame = RingGeometry.receiveFrameSize(mtu: 1500, headroom: settings.headroom)
        #expect(settings.frameCount == BridgeConfiguration.ringBytes / frame)
        #expect(settings.transmitFrameCount == configuration.transmitRingFrames)
        configuration.ringFrames = 512
        #expect(configuration.socketConfiguration(mtu: 9000).frameCount == 512)
        #expect(configuration.socketConfiguration(mtu: 9000).mtu == 9000)
    }

    @Test func tpacketV3SendsWithoutATransmitRing() {
        var configuration = Self.configuration
        configuration.ringVersion3 = true
        #expect(!configuration.sendsThroughTransmitRing)
        #expect(configuration.socketConfiguration(mtu: 1500).transmitFrameCount == 0)
        #expect(!WorkerConfiguration(number: 0, of: configuration).transmitRing)
    }

    @Test func eachWorkerTakesItsCPUAndOnlyTheFirstReadsTheHostPort() {
        var configuration = Self.configuration
        configuration.cpus = [2, 3]
        configuration.busyPollMicroseconds = 50
        configuration.count = 1000
        let workers = (0..<3).map { WorkerConfiguration(number: $0, of: configuration) }
        #expect(workers.map(\.cpus) == [[2], [3], [2]])
        #expect(workers.map(\.readsHostPort) == [true, false, false])
        #expect(workers.allSatisfy { $0.busyPollNanoseconds == 50_000 && $0.transmitRing })
        #expect(
            WorkerConfiguration(number: 0, of: Self.configuration).busyPollNanoseconds == nil, "adaptive by default")
    }

    @Test func bothPortsOfAProcessGetTheirOwnFanoutGroup() {
        let a = BridgeConfiguration.fanoutGroup(pid: 4242, port: 0)
        let b = BridgeConfiguration.fanoutGroup(pid: 4242, port: 1)
        #expect(a != b)
        #expect(BridgeConfiguration.fanoutGroup(pid: 4243, port: 0) != a)
    }
}
