import Flow
import Frame
import Testing

/// Each timeout class expires on its own timeout (fake clock), lookups see an expired flow as
/// gone, expiry reclaims it with the right reason, and `apply` changes timeouts in place.
@Suite struct ExpiryTests {
    typealias F = TCPFlag

    /// Frames that leave one flow in a timeout class, and the class's default timeout.
    struct Scenario: CustomTestStringConvertible, Sendable {
        var timeoutClass: FlowTimeoutClass
        var seconds: UInt64
        var frames: [[UInt8]]
        var reason: FlowEndReason = .expired
        var testDescription: String { "\(timeoutClass)" }
    }

    static let c = Address.client
    static let s = Address.server
    static let handshake = [
        Frames.tcp4(c, 40000, s, 80, F.syn), Frames.tcp4(s, 80, c, 40000, F.synAck),
        Frames.tcp4(c, 40000, s, 80, F.ack),
    ]

    static let scenarios: [Scenario] = [
        Scenario(timeoutClass: .tcpSynSent, seconds: 120, frames: [Frames.tcp4(c, 40000, s, 80, F.syn)]),
        Scenario(timeoutClass: .tcpSynReceived, seconds: 60, frames: Array(handshake[0..<2])),
        Scenario(timeoutClass: .tcpEstablished, seconds: 432_000, frames: handshake),
        Scenario(timeoutClass: .tcpFinWait, seconds: 120, frames: handshake + [Frames.tcp4(c, 40000, s, 80, F.finAck)]),
        Scenario(
            timeoutClass: .tcpCloseWait, seconds: 60,
            frames: handshake + [Frames.tcp4(c, 40000, s, 80, F.finAck), Frames.tcp4(s, 80, c, 40000, F.ack)]),
        Scenario(
            timeoutClass: .tcpLastAck, seconds: 30,
            frames: handshake + [Frames.tcp4(c, 40000, s, 80, F.finAck), Frames.tcp4(s, 80, c, 40000, F.finAck)]),
        Scenario(
            timeoutClass: .tcpTimeWait, seconds: 120,
            frames: handshake + [
                Frames.tcp4(c, 40000, s, 80, F.finAck), Frames.tcp4(s, 80, c, 40000, F.finAck),
                Frames.tcp4(c, 40000, s, 80, F.ack),
            ], reason: .closed),
        Scenario(
            timeoutClass: .tcpClose, seconds: 10, frames: handshake + [Frames.tcp4(s, 80, c, 40000, F.rst)],
            reason: .closed),
        Scenario(timeoutClass: .tcpUnacknowledged, seconds: 300, frames: [Frames.tcp4(c, 40000, s, 80, F.ack)]),
        Scenario(timeoutClass: .udp, seconds: 30, frames: [Frames.udp4(c, 5000, s, 53)]),
        Scenario(timeoutClass: .icmp, seconds: 30, frames: [Frames.icmp4(c, s, type: 8)]),
        Scenario(
            timeoutClass: .genericUnreplied, seconds: 600,
            frames: [Frames.ipv4(c, s, .other(protocolNumber: 47, payload: [0, 0, 8, 0]))]),
        Scenario(
            timeoutClass: .genericReplied, seconds: 600,
            frames: [
                Frames.ipv4(c, s, .other(protocolNumber: 47, payload: [0, 0, 8, 0])),
                Frames.ipv4(s, c, .other(protocolNumber: 47, payload: [0, 0, 8, 0])),
            ]),
    ]

    @Test(arguments: scenarios)
    func classExpiresOnItsTimeout(_ scenario: Scenario) throws {
        let harness = try Harness()
        for frame in scenario.frames { harness.send(frame) }
        let flow = try harness.onlyFlow()
        #expect(flow.timeoutClass == scenario.timeoutClass)
        #expect(harness.table.count(in: scenario.timeoutClass) == 1)
        let last = scenario.frames.last!
        harness.advance(Double(scenario.seconds) - 0.001)
        #expect(harness.expire() == 0)
        #expect(harness.classify(last).state != .invalid || scenario.timeoutClass == .tcpSynSent)
        #expect(harness.flows.count == 1, "alive just before its timeout")
        harness.advance(0.001)
        #expect(harness.flows.isEmpty, "a lookup at the deadline sees it gone")
        #expect(harness.table.statistics.inUse == 1, "not reclaimed before expire runs")
        #expect(harness.expire() == 1)
        #expect(harness.events.ended.map(\.reason) == [scenario.reason])
        #expect(harness.table.statistics.inUse == 0 && harness.table.freeCount == harness.table.capacity)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func aFrameOfAnExpiredFlowStartsAFreshOne() throws {
        let harness = try Harness()
        let query = Frames.udp4(Address.client, 5000, Address.server, 53)
        harness.send(query)
        harness.send(Frames.udp4(Address.server, 53, Address.client, 5000))
        harness.advance(30)
        let result = harness.send(query)
        #expect(result.lookup.state == .new && result.outcome == .created)
        #expect(harness.events.ended.count == 1 && harness.events.ended[0].reason == .expired)
        let flow = try harness.onlyFlow()
        #expect(flow.framesOriginal == 1 && flow.framesReply == 0 && !flow.seenReply)
        #expect(harness.table.statistics.created == 2 && harness.table.statistics.inUse == 1)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func busyFlowsStayAndIdleOnesGo() throws {
        let harness = try Harness(capacity: 128)
        for port in 0..<100 as Range<UInt16> {
            harness.send(Frames.udp4(Address.client, 1000 + port, Address.server, 53))
        }
        for _ in 0..<10 {
            harness.advance(5)
            for port in 0..<50 as Range<UInt16> {
                harness.send(Frames.udp4(Address.client, 1000 + port, Address.server, 53))
            }
            harness.expire()
        }
        #expect(harness.table.statistics.inUse == 50)
        #expect(Set(harness.flows.map(\.tuple.sourcePort)) == Set((0..<50).map { 1000 + $0 }))
        #expect(harness.table.statistics.expired == 50)
    }

    @Test func expireRespectsItsBudget() throws {
        let harness = try Harness(capacity: 64)
        for port in 0..<40 as Range<UInt16> {
            harness.send(Frames.udp4(Address.client, 1000 + port, Address.server, 53))
        }
        harness.advance(31)
        #expect(harness.table.expire(now: harness.now, budget: 15, events: &harness.events) == 15)
        #expect(harness.table.statistics.inUse == 25)
        #expect(harness.table.expire(now: harness.now, budget: 100, events: &harness.events) == 25)
        #expect(harness.table.statistics.inUse == 0)
    }

    @Test func applyChangesTimeoutsAndKeepsEveryFlow() throws {
        let harness = try Harness()
        harness.send(Frames.udp4(Address.client, 5000, Address.server, 53))
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 80, F.ack))  // picked up: unacknowledged
        harness.advance(10)
        var settings = FlowSettings()
        try settings.timeouts.set(.udp, to: 60 * Harness.second)
        try settings.timeouts.set(.tcpEstablished, to: 100 * Harness.second)
        harness.table.apply(settings)
        #expect(harness.table.settings == settings)
        #expect(harness.flows.count == 2)
        let udp = try #require(harness.flows.first { $0.tuple.ipProtocol == 17 })
        #expect(udp.remaining == 50 * Harness.second)
        let tcp = try #require(harness.flows.first { $0.tuple.ipProtocol == 6 })
        #expect(tcp.remaining == 90 * Harness.second, "the unacknowledged cap never exceeds tcp-established")
        try settings.timeouts.set(.udp, to: 5 * Harness.second)
        harness.table.apply(settings)
        #expect(harness.flows.count == 1, "the UDP flow has been idle longer than its new timeout")
        #expect(harness.expire() == 1)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func aClockThatGoesBackKeepsTheListsInOrder() throws {
        let harness = try Harness()
        harness.advance(20)
        harness.send(Frames.udp4(Address.client, 5000, Address.server, 53))
        // A capture's timestamp out of order: for the table, time stays where it was, so the
        // second flow is not filed as older than the first.
        harness.now -= 15 * Harness.second
        harness.send(Frames.udp4(Address.client, 5001, Address.server, 53))
        #expect(harness.table.integrityProblems().isEmpty)
        harness.advance(44)
        #expect(harness.expire() == 0, "both flows were recorded at the same moment: 29 s ago")
        harness.advance(2)
        #expect(harness.expire() == 2)
        #expect(harness.table.integrityProblems().isEmpty)
    }
}
