import Testing

@testable import Bridge

@Suite("Adaptive polling")
struct AdaptivePollTests {
    static let microsecond: UInt64 = 1_000

    @Test func aQuietSegmentSleepsAtOnce() {
        var poll = AdaptivePoll()
        #expect(poll.spin(now: 1_000_000) == 0, "no frame yet")
        // A batch every millisecond (1 k batches/s): sleeping costs nothing that matters.
        var now: UInt64 = 1_000_000_000
        for _ in 0..<20 {
            poll.sawFrames(at: now)
            now += 1_000 * Self.microsecond
        }
        #expect(poll.spin(now: now - 999 * Self.microsecond) == 0)
    }

    @Test func aBusySegmentIsPolledForAboutTwiceTheGap() {
        var poll = AdaptivePoll()
        var now: UInt64 = 1_000_000_000
        for _ in 0..<40 {
            poll.sawFrames(at: now)
            now += 10 * Self.microsecond
        }
        let last = now - 10 * Self.microsecond
        #expect(poll.averageGap == 10 * Self.microsecond)
        #expect(poll.spin(now: last + Self.microsecond) == 20 * Self.microsecond)
        // Long after the last batch the segment has gone quiet: sleep.
        #expect(poll.spin(now: last + 200 * Self.microsecond) == 0)
    }

    @Test func theSpinIsBoundedBelowAndAbove() {
        var fast = AdaptivePoll()
        var now: UInt64 = 1_000_000_000
        for _ in 0..<40 {
            fast.sawFrames(at: now)
            now += 500
        }
        #expect(fast.spin(now: now) == 5 * Self.microsecond, "at least 5 µs: a shorter spin catches nothing")
        var slow = AdaptivePoll(busyGap: 1_000 * Self.microsecond, maximumSpin: 100 * Self.microsecond)
        now = 1_000_000_000
        for _ in 0..<40 {
            slow.sawFrames(at: now)
            now += 80 * Self.microsecond
        }
        #expect(slow.spin(now: now - 79 * Self.microsecond) == 100 * Self.microsecond)
    }

    @Test func busyPollIsAFixedSpinAndZeroNeverSpins() {
        let fixed = AdaptivePoll(fixed: 50 * Self.microsecond)
        #expect(fixed.spin(now: 1) == 50 * Self.microsecond)
        var never = AdaptivePoll(fixed: 0)
        var now: UInt64 = 1_000_000_000
        for _ in 0..<40 {
            never.sawFrames(at: now)
            now += 2 * Self.microsecond
        }
        #expect(never.spin(now: now) == 0)
    }
}
