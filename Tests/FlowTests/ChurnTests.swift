import Flow
import Frame
import Testing

/// A long-lived answered flow beside a flood of new flows far beyond the table's capacity (the
/// stateful bench's churn, issue 12): the flood may evict only flows nobody uses, never the busy
/// one, whether or not it is assured yet, and the flood's own flows leave on time.
@Suite struct ChurnTests {
    /// How the probe flow and the flood are framed.
    enum Variant: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case ipv4, ipv6, qinq
        var testDescription: String { rawValue }

        func probe(reply: Bool) -> [UInt8] {
            switch self {
            case .ipv4:
                reply
                    ? Frames.udp4(Address.server, 7000, Address.client, 7001)
                    : Frames.udp4(Address.client, 7001, Address.server, 7000)
            case .ipv6:
                reply
                    ? Frames.udp6(Address.server6, 7000, Address.client6, 7001)
                    : Frames.udp6(Address.client6, 7001, Address.server6, 7000)
            case .qinq:
                reply
                    ? Frames.udp4(Address.server, 7000, Address.client, 7001, vlans: [100, 200])
                    : Frames.udp4(Address.client, 7001, Address.server, 7000, vlans: [100, 200])
            }
        }

        /// A flood frame from a random source port (and, for IPv4, a random source address).
        func flood(_ random: inout SplitMix64) -> [UInt8] {
            let port = UInt16(1024 + random.below(64_512))
            switch self {
            case .ipv4: return Frames.udp4(0xC612_0010 + UInt32(random.below(239)), port, Address.server, 9)
            case .ipv6: return Frames.udp6(Address.other6 + UInt128(random.below(239)), port, Address.server6, 9)
            case .qinq:
                return Frames.udp4(0xC612_0010 + UInt32(random.below(239)), port, Address.server, 9, vlans: [100, 200])
            }
        }
    }

    static let millisecond: UInt64 = 1_000_000

    /// What happened to the probe over a run.
    struct ProbeRun {
        var harness: Harness
        var started: UInt64
        /// Probe frames whose lookup was not `established` in their own direction: a stateful
        /// policy (outside may only answer) would drop every such answer.
        var misclassified = 0
        var probeEnded = 0
    }

    /// The probe answered every millisecond from `started`; after `quiet` seconds, `perMillisecond`
    /// flood frames a millisecond for `churn` seconds; then `after` seconds of the probe alone.
    static func run(
        _ variant: Variant, capacity: Int = 64, quiet: Double, churn: Double, perMillisecond: Int, after: Double = 1
    ) throws -> ProbeRun {
        let harness = try Harness(capacity: capacity)
        var random = SplitMix64(seed: 12)
        // A pool of flood frames, far more than the table holds: each key recurs only long after
        // its flow was evicted.
        let pool = (0..<(capacity * 64)).map { _ in variant.flood(&random) }
        let request = variant.probe(reply: false)
        let answer = variant.probe(reply: true)
        var run = ProbeRun(harness: harness, started: harness.now)
        let quietMilliseconds = Int(quiet * 1000)
        let churnMilliseconds = Int(churn * 1000)
        let total = quietMilliseconds + churnMilliseconds + Int(after * 1000)
        var next = 0
        for millisecond in 0..<total {
            let tick = harness.now
            let sent = harness.send(request)
            if millisecond > 0 && (sent.lookup.state != .established || sent.lookup.direction != .original) {
                run.misclassified += 1
            }
            harness.now = tick + 100_000
            let echoed = harness.send(answer)
            if echoed.lookup.state != .established || echoed.lookup.direction != .reply { run.misclassified += 1 }
            if millisecond >= quietMilliseconds && millisecond < quietMilliseconds + churnMilliseconds {
                for step in 0..<perMillisecond {
                    harness.now = tick + 200_000 + UInt64(step) * (800_000 / UInt64(perMillisecond))
                    harness.send(pool[next])
                    next = (next + 1) % pool.count
                }
            }
            harness.now = tick + Self.millisecond
            if millisecond % 16 == 0 { harness.table.expire(now: harness.now, budget: 256, events: &harness.events) }
        }
        run.probeEnded = harness.events.ended.count { $0.flow.tuple.destinationPort == 7000 }
        return run
    }

    /// The probe's record (fails the test when it is not in the table).
    static func probeRecord(_ harness: Harness, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> FlowRecord
    {
        try #require(harness.flows.first { $0.tuple.destinationPort == 7000 }, sourceLocation: sourceLocation)
    }

    @Test(arguments: Variant.allCases)
    func aBusyFlowSurvivesChurnThatStartsBeforeItIsAssured(_ variant: Variant) throws {
        // As in the bench: the probe is answered, but the flood starts 1.5 s after it, before the
        // 2 s that make an answered UDP flow assured, and turns the table over every 16 ms.
        let run = try Self.run(variant, quiet: 1.5, churn: 30, perMillisecond: 4)
        let harness = run.harness
        let statistics = harness.table.statistics
        #expect(statistics.evicted > 100 * 64, "the flood went far beyond the table")
        #expect(run.probeEnded == 0, "the probe flow was evicted")
        #expect(run.misclassified == 0)
        let probe = try Self.probeRecord(harness)
        #expect(probe.age == harness.now - run.started, "the probe flow was recreated")
        #expect(probe.framesOriginal == 32_500 && probe.framesReply == 32_500)
        #expect(probe.assured && probe.timeoutClass == .udpStream)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func anAssuredFlowSurvivesChurn() throws {
        let run = try Self.run(.ipv4, quiet: 2.5, churn: 10, perMillisecond: 4)
        #expect(run.harness.table.statistics.evicted > 100 * 64)
        #expect(run.probeEnded == 0 && run.misclassified == 0)
        #expect(try Self.probeRecord(run.harness).age == run.harness.now - run.started)
    }

    @Test func theFloodsFlowsLeaveOnTimeAndNoSlotLeaks() throws {
        let run = try Self.run(.ipv4, quiet: 1.5, churn: 5, perMillisecond: 4)
        let harness = run.harness
        // The flood's last flows were seen up to a second ago (the `after` second); 30 s after
        // that, and at most a refresh granularity (1 s) later, expiry has reclaimed them all.
        harness.advance(30 + 1)
        while harness.expire() > 0 {}
        #expect(harness.table.statistics.inUse == 1)
        let statistics = harness.table.statistics
        #expect(statistics.created == 1 + statistics.expired + statistics.evicted)
        #expect(harness.table.freeCount == 63)
        #expect(harness.table.integrityProblems().isEmpty)
    }

    @Test func aFullTableEvictsTheLeastRecentlySeenFlowNotTheLeastRecentlyMoved() throws {
        // Three unanswered UDP flows; the first is refreshed within the refresh granularity, so
        // it keeps its place at the head of the `udp` list, but it is no longer the flow seen
        // least recently: the second is, and goes.
        let harness = try Harness(capacity: 3)
        for port in 1...3 as ClosedRange<UInt16> {
            harness.send(Frames.udp4(Address.client, port, Address.server, 53))
            harness.advance(0.1)
        }
        harness.send(Frames.udp4(Address.client, 1, Address.server, 53))
        harness.advance(0.1)
        #expect(harness.send(Frames.udp4(Address.client, 4, Address.server, 53)).outcome == .created)
        #expect(harness.events.ended.map(\.flow.tuple.sourcePort) == [2])
        #expect(harness.events.ended.map(\.reason) == [.evicted])
        #expect(harness.table.integrityProblems().isEmpty)
    }
}
