import Ring
import Testing

@testable import Bridge

@Suite("Arrival clock")
struct ArrivalClockTests {
    /// Monotonic 5 s and wall 1,000,000 s at the batch's start.
    private func clock() -> ArrivalClock {
        var clock = ArrivalClock()
        clock.startBatch(monotonic: 5_000_000_000, wall: 1_000_000_000_000_000)
        return clock
    }

    private func stamp(_ wallNanoseconds: UInt64) -> KernelTimestamp {
        KernelTimestamp(
            seconds: UInt32(wallNanoseconds / 1_000_000_000), nanoseconds: UInt32(wallNanoseconds % 1_000_000_000))
    }

    @Test("a batch's frames are clocked when the kernel stamped them, not all at the batch's start")
    func framesKeepTheirOwnTimes() {
        var clock = clock()
        let wall: UInt64 = 1_000_000_000_000_000
        #expect(clock.arrival(stamp(wall - 300_000)) == 5_000_000_000 - 300_000)
        #expect(clock.arrival(stamp(wall - 200_000)) == 5_000_000_000 - 200_000)
        #expect(clock.arrival(stamp(wall - 1_000)) == 5_000_000_000 - 1_000)
    }

    @Test("times never go backwards, within a batch or across batches")
    func neverBackwards() {
        var clock = clock()
        let wall: UInt64 = 1_000_000_000_000_000
        #expect(clock.arrival(stamp(wall - 1_000)) == 4_999_999_000)
        #expect(clock.arrival(stamp(wall - 9_000)) == 4_999_999_000)
        // The next batch's monotonic reading is earlier than the last time handed out.
        clock.startBatch(monotonic: 4_999_998_000, wall: wall)
        #expect(clock.arrival(stamp(wall - 500)) == 4_999_999_000)
    }

    @Test("a stamp from the future, none at all, or far in the past is bounded")
    func oddStampsAreBounded() {
        var clock = clock()
        let wall: UInt64 = 1_000_000_000_000_000
        #expect(clock.arrival(stamp(wall + 10_000_000_000)) == 5_000_000_000)
        var unstamped = self.clock()
        #expect(unstamped.arrival(KernelTimestamp(seconds: 0, nanoseconds: 0)) == 5_000_000_000)
        var stepped = self.clock()
        #expect(stepped.arrival(stamp(wall - 3_600_000_000_000)) == 5_000_000_000 - ArrivalClock.maximumAge)
    }
}
