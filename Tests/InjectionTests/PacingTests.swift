import Injection
import Testing

@Suite("pacing")
struct PacingTests {
    /// Runs a sender against `pacer` on a simulated clock for `seconds`: each round it asks for a
    /// batch, and when refused it "sleeps" until the batch is due plus `oversleep` nanoseconds.
    static func simulate(_ pacer: inout RatePacer, seconds: Double, oversleep: UInt64, start: UInt64) -> Int {
        var now = start
        let end = start + UInt64(seconds * 1e9)
        var sent = 0
        var wakeUps = 0
        while now < end {
            let granted = pacer.grant(now: now, wanted: pacer.burst)
            if granted == 0 {
                now = max(now, pacer.readyTime(frames: pacer.burst)) + oversleep
                wakeUps += 1
            } else {
                sent += granted
                now += 2_000  // sending a batch takes a little time
            }
        }
        return sent
    }

    @Test(
        "the token bucket holds the rate, even when every sleep overruns",
        arguments: [(2000.0, 0 as UInt64), (2000, 80_000), (100_000, 60_000), (1_000_000, 200_000), (7, 1_000_000)])
    func rateHolds(framesPerSecond: Double, oversleep: UInt64) {
        let batch = RatePacer.batchSize(framesPerSecond: framesPerSecond, limit: 256)
        var pacer = RatePacer(framesPerSecond: framesPerSecond, burst: batch, now: 5_000_000_000)
        let sent = Self.simulate(&pacer, seconds: 3, oversleep: oversleep, start: 5_000_000_000)
        let expected = framesPerSecond * 3
        #expect(abs(Double(sent) - expected) <= max(expected * 0.01, Double(2 * batch)), "sent \(sent)")
    }

    @Test("batches hold about a millisecond of frames, between 1 and the limit")
    func batchSize() {
        #expect(RatePacer.batchSize(framesPerSecond: 2000, limit: 256) == 2)
        #expect(RatePacer.batchSize(framesPerSecond: 10, limit: 256) == 1)
        #expect(RatePacer.batchSize(framesPerSecond: 100_000, limit: 256) == 100)
        #expect(RatePacer.batchSize(framesPerSecond: 10_000_000, limit: 256) == 256)
    }

    @Test("a refused sender is told to wait for a whole batch, not a single frame")
    func readyTime() {
        var pacer = RatePacer(framesPerSecond: 1000, burst: 4, now: 0)
        #expect(pacer.grant(now: 0, wanted: 4) == 4)
        #expect(pacer.grant(now: 0, wanted: 4) == 0)
        #expect(pacer.readyTime(frames: 4) == 4_000_000)
        #expect(pacer.grant(now: 3_999_999, wanted: 4) == 3)
        // 20 ms of backlog at most: five batches of 4, however long the sender was away.
        let grants = (0..<6).map { _ in pacer.grant(now: 100_000_000, wanted: 100) }
        #expect(grants == [4, 4, 4, 4, 4, 0])
    }

    @Test("a sender set aside for 10 ms catches up, so the average rate holds")
    func catchUp() {
        var pacer = RatePacer(framesPerSecond: 100_000, burst: 100, now: 0)
        var now: UInt64 = 0
        var sent = 0
        for round in 0..<1000 {
            let granted = pacer.grant(now: now, wanted: 100)
            sent += granted
            if granted == 0 { now = pacer.readyTime(frames: 100) }
            if round % 100 == 50 { now += 10_000_000 }  // descheduled
        }
        let expected = Double(now) / 1e9 * 100_000
        #expect(abs(Double(sent) - expected) <= 200, "sent \(sent), expected \(expected)")
    }

    @Test("the capture timeline divides the gaps by the multiplier, from each pass's start")
    func timeline() {
        var timeline = CaptureTimeline(multiplier: 2, origin: 1_000)
        #expect(timeline.due(offset: 0) == 1_000)
        #expect(timeline.due(offset: 500_000_000) == 250_001_000)
        timeline.restart(at: 9_000)
        #expect(timeline.due(offset: 10) == 9_005)
        let slow = CaptureTimeline(multiplier: 0.5, origin: 0)
        #expect(slow.due(offset: 1_000_000) == 2_000_000)
    }
}
