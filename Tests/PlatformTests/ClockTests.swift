import Glibc
import Platform
import Testing

@Suite("Clocks")
struct ClockTests {
    @Test(
        "RFC 3339 text of wall-clock instants (leap day, end of century)",
        arguments: [
            (UInt64(0), "1970-01-01T00:00:00Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00Z"),
            (1_764_000_000_999_999_999, "2025-11-24T16:00:00Z"),
            (4_102_444_799_000_000_000, "2099-12-31T23:59:59Z"),
        ])
    func rfc3339(nanoseconds: UInt64, text: String) {
        #expect(WallClock.rfc3339(nanoseconds) == text)
    }

    @Test("the wall clock agrees with time(2) to the second")
    func wallMatchesTime() {
        let before = UInt64(time(nil))
        let now = WallClock.now() / 1_000_000_000
        let after = UInt64(time(nil))
        #expect(before <= now && now <= after)
    }

    @Test("the monotonic clock never goes back, and sleep(until:) does not return before the deadline")
    func monotonic() {
        var previous = MonotonicClock.now()
        for _ in 0..<1000 {
            let next = MonotonicClock.now()
            #expect(next >= previous)
            previous = next
        }
        let deadline = MonotonicClock.now() &+ 2_000_000
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
        let timeout = MonotonicClock.timeout(nanoseconds: 3_250_000_000)
        #expect(timeout.tv_sec == 3 && timeout.tv_nsec == 250_000_000)
    }
}
