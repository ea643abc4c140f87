import Flow
import Testing

/// Timeout names and values, settings errors, and the memory layout the table promises.
@Suite struct SettingsAndLayoutTests {
    static let second: UInt64 = 1_000_000_000

    @Test func defaultsAreNfConntracks() {
        let timeouts = FlowTimeouts()
        let expected: [FlowTimeoutName: UInt64] = [
            .tcpSynSent: 120, .tcpSynReceived: 60, .tcpEstablished: 432_000, .tcpFinWait: 120, .tcpCloseWait: 60,
            .tcpLastAck: 30, .tcpTimeWait: 120, .tcpClose: 10, .tcpUnacknowledged: 300, .udp: 30, .udpStream: 120,
            .icmp: 30, .generic: 600, .fragment: 30,
        ]
        for (name, seconds) in expected { #expect(timeouts[name] == seconds * Self.second, "\(name.rawValue)") }
        #expect(timeouts.value(.tcpClosing) == nil, "the closing states differ by default")
        let settings = FlowSettings()
        #expect(settings.pickup == .loose && settings.whenFull == .drop)
    }

    @Test func namesAreNftLike() {
        #expect(FlowTimeoutName(rawValue: "tcp-established") == .tcpEstablished)
        #expect(FlowTimeoutName(rawValue: "udp-stream") == .udpStream)
        #expect(FlowTimeoutName(rawValue: "tcp-closing") == .tcpClosing)
        #expect(FlowTimeoutName(rawValue: "tcp_established") == nil)
        #expect(FlowTimeoutName.allCases.allSatisfy { $0.rawValue.allSatisfy { $0.isLowercase || $0 == "-" } })
        #expect(CTState(name: "established") == .established && CTState(name: "bogus") == nil)
        #expect(CTState.allCases.map(\.rawValue) == [1, 2, 4, 8, 64], "nftables' ct state bits")
    }

    @Test func tcpClosingSetsTheFiveClosingStates() throws {
        var timeouts = FlowTimeouts()
        try timeouts.set(.tcpClosing, to: 7 * Self.second)
        for name in [FlowTimeoutName.tcpFinWait, .tcpCloseWait, .tcpLastAck, .tcpTimeWait, .tcpClose] {
            #expect(timeouts[name] == 7 * Self.second)
        }
        #expect(timeouts.value(.tcpClosing) == 7 * Self.second)
        #expect(timeouts[.tcpEstablished] == 432_000 * Self.second)
    }

    @Test func badValuesAreRefused() {
        var timeouts = FlowTimeouts()
        #expect(throws: FlowSettingsError.zeroTimeout(.udp)) { try timeouts.set(.udp, to: 0) }
        #expect(throws: FlowSettingsError.timeoutTooLong(.icmp, nanoseconds: FlowTimeouts.maximum + 1)) {
            try timeouts.set(.icmp, to: FlowTimeouts.maximum + 1)
        }
        #expect(throws: FlowTableError.capacityOutOfRange(0)) { try FlowTable(capacity: 0) }
        #expect(throws: FlowTableError.fragmentCapacityOutOfRange(1)) {
            try FlowTable(capacity: 8, fragmentCapacity: 1)
        }
    }

    @Test func aFlowCosts128BytesAllIn() throws {
        #expect(FlowTable.slotStride <= 128)
        let table = try FlowTable(capacity: 1_000_000)
        #expect(table.capacity == 1_000_000 && table.freeCount == 1_000_000)
        // The slots hold the hash chains' heads: no bucket array beside them, only the lists and
        // the fragment table (a fixed few KiB whatever the capacity).
        let small = try FlowTable(capacity: 1_000)
        #expect(table.memoryBytes - small.memoryBytes == (1_000_000 - 1_000) * 128)
        #expect(table.memoryBytes <= 1_000_000 * 128 + 128 * 1024)
    }
}
