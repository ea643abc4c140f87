import Testing

@testable import Bridge

@Suite("Log rate limiter")
struct RateLimiterTests {
    @Test func aBurstThenTheRateAndTheSuppressedCountWithTheNextLine() {
        var limiter = RateLimiter(perSecond: 2, burst: 3)
        let second: UInt64 = 1_000_000_000
        var now = 10 * second
        let burst = (0..<5).map { _ in limiter.admit(now: now).allowed }
        #expect(burst == [true, true, true, false, false])
        now += second / 2  // half a second earns one line
        let next = limiter.admit(now: now)
        #expect(next.allowed && next.suppressedBefore == 2)
        #expect(!limiter.admit(now: now).allowed)
        now += 10 * second  // a long quiet spell refills only up to the burst
        #expect((0..<4).map { _ in limiter.admit(now: now).allowed } == [true, true, true, false])
    }
}
