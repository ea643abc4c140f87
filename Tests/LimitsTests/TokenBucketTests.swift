import Limits
import Testing

/// The token bucket against exact timelines: nft_limit's arithmetic, to the nanosecond.
@Suite struct TokenBucketTests {
    /// `limit rate 10/second burst 5 packets`: 5 back to back, then one per 100 ms.
    @Test func tenPerSecondBurstFiveLetsFiveThroughThenTenASecond() throws {
        let limit = try packets(10, per: .second, burst: 5)
        #expect(limit.packetCost == 100_000_000)
        #expect(limit.capacity == 500_000_000)
        var bucket = TokenBucket(full: limit, now: 0)
        let flood = (0..<20).map { _ in bucket.matches(limit, length: 60, now: 0) }
        #expect(flood == Array(repeating: true, count: 5) + Array(repeating: false, count: 15))
        // A frame every 10 ms for the next second: exactly the ten at each 100 ms pass.
        var passed: [UInt64] = []
        for step in UInt64(1)...100 where bucket.matches(limit, length: 60, now: milliseconds(10 * step)) {
            passed.append(10 * step)
        }
        #expect(passed == [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    }

    @Test func theDefaultBurstIsFivePackets() throws {
        let limit = try packets(10, per: .second)
        #expect(limit.burst == 5)
        #expect(run(limit, at: burst(7, at: 0)) == [true, true, true, true, true, false, false])
        #expect(throws: LimitError.zeroPacketBurst) { try Burst(packets: 0) }
    }

    /// One nanosecond short of a token is not a token.
    @Test func aTokenArrivesAtTheExactNanosecond() throws {
        let limit = try packets(3, per: .second, burst: 1)
        #expect(limit.packetCost == 333_333_333)  // the kernel's integer division
        #expect(
            run(limit, at: [0, 333_333_332, 333_333_333, 666_666_665, 666_666_666]) == [true, false, true, false, true])
    }

    /// A frame over the limit takes nothing: after any number of refused frames the next token
    /// is still due exactly one cost after the last one taken.
    @Test func framesOverTheLimitConsumeNoTokens() throws {
        let limit = try packets(10, per: .second, burst: 5)
        let times = burst(5, at: 0) + burst(1000, at: milliseconds(50)) + [milliseconds(100), milliseconds(100)]
        let results = run(limit, at: times)
        #expect(results.prefix(5).allSatisfy { $0 })
        #expect(results.dropFirst(5).prefix(1000).allSatisfy { !$0 })
        #expect(Array(results.suffix(2)) == [true, false])
    }

    /// `over` inverts the match and nothing else: the same timeline, every answer negated.
    @Test func overInvertsTheMatch() throws {
        let times = burst(8, at: 0) + (1...30).map { milliseconds(37 * $0) }
        let within = run(try packets(10, per: .second, burst: 5), at: times)
        let over = run(try packets(10, per: .second, burst: 5, over: true), at: times)
        #expect(over == within.map { !$0 })
        #expect(within.contains(true) && within.contains(false))
    }

    /// However long the bucket sits idle, it holds no more than its burst.
    @Test func aLongIdleRefillsOnlyToTheBurst() throws {
        let limit = try packets(10, per: .second, burst: 5)
        for idle in [seconds(1), seconds(3600), seconds(86_400 * 365 * 100), UInt64.max - seconds(1)] {
            var bucket = TokenBucket(full: limit, now: 0)
            for _ in 0..<5 { _ = bucket.matches(limit, length: 1, now: 0) }
            let sixth = bucket.matches(limit, length: 1, now: 0)
            #expect(!sixth)
            let afterIdle = (0..<8).map { _ in bucket.matches(limit, length: 1, now: idle) }
            #expect(afterIdle == Array(repeating: true, count: 5) + [false, false, false], "idle \(idle)")
            #expect(!bucket.isFull(at: idle + milliseconds(499), limit: limit))
            #expect(bucket.isFull(at: idle + milliseconds(500), limit: limit))
        }
    }

    @Test(arguments: [
        (TimeUnit.minute, UInt64(3), UInt64(20)), (.hour, 1, 3600), (.day, 2, 43_200), (.week, 7, 86_400),
    ])
    func longerUnitsSpaceTokensByUnitOverRate(unit: TimeUnit, rate: UInt64, spacing: UInt64) throws {
        let limit = try packets(rate, per: unit, burst: 2)
        #expect(limit.packetCost == seconds(spacing))
        let gap = seconds(spacing)
        #expect(
            run(limit, at: [0, 0, 0, gap - 1, gap, gap, 2 * gap]) == [true, true, false, false, true, false, true])
    }

    /// A packet rate above one per nanosecond costs nothing: everything passes, as in the kernel.
    @Test func hugePacketRatesPassEverythingWithoutOverflow() throws {
        let limit = try packets(4_000_000_000, per: .second)
        #expect(limit.packetCost == 0 && limit.capacity == 0)
        #expect(run(limit, at: burst(10_000, at: 5)).allSatisfy { $0 })
        let weekly = try packets(UInt64(UInt32.max), per: .week, burst: UInt64(UInt32.max))
        #expect(run(weekly, at: burst(3, at: 0)) == [true, true, true])
        // The kernel refuses what overflows its arithmetic, and so does this.
        #expect(throws: LimitError.exceedsKernelArithmetic) { try packets(.max, per: .second) }
    }

    /// 1/week with a burst of 15,250 packets is just under 2^63 ns of bucket; 15,251 is over,
    /// where the kernel's signed comparison would refuse everything.
    @Test func bucketsBeyondSignedRangeAreRefused() throws {
        let largest = try packets(1, per: .week, burst: 15_250)
        #expect(largest.capacity == 604_800 * nanosecondsPerSecond * 15_250)
        #expect(run(largest, at: burst(3, at: 0)) == [true, true, true])
        #expect(throws: LimitError.bucketTooLarge) { try packets(1, per: .week, burst: 15_251) }
    }

    /// A capture replayed out of order: time going back refills nothing and does not move the
    /// bucket's clock back, so the next token is due from the latest time seen.
    @Test func timeGoingBackRefillsNothing() throws {
        let limit = try packets(10, per: .second, burst: 1)
        let times = [seconds(1), milliseconds(500), milliseconds(1050), milliseconds(1100)]
        #expect(run(limit, start: seconds(1), at: times) == [true, false, false, true])
    }

    @Test func aFreshBucketIsFullAndReportsItsTokens() throws {
        let limit = try packets(10, per: .second, burst: 5)
        var bucket = TokenBucket(full: limit, now: 1000)
        #expect(bucket.isFull(at: 1000, limit: limit))
        _ = bucket.matches(limit, length: 1, now: 1000)
        #expect(bucket.tokens(at: 1000, limit: limit) == 400_000_000)
        #expect(bucket.tokens(at: 1000 + milliseconds(60), limit: limit) == 460_000_000)
        #expect(!bucket.isFull(at: 1000 + milliseconds(99), limit: limit))
        #expect(bucket.isFull(at: 1000 + milliseconds(100), limit: limit))
    }

    @Test func ratesAndBurstsRefuseWhatNftAndTheKernelRefuse() throws {
        #expect(throws: LimitError.zeroRate) { try Rate(packets: 0, per: .second) }
        #expect(throws: LimitError.zeroRate) { try Rate(0, .kbytes, per: .second) }
        #expect(throws: LimitError.burstTooLarge(1 << 32)) { try Burst(packets: 1 << 32) }
        #expect(throws: LimitError.burstTooLarge(4096 * 1024 * 1024)) { try Burst(4096, .mbytes) }
        #expect(throws: LimitError.amountOverflow(count: 1 << 60, unit: .mbytes)) {
            try Rate(1 << 60, .mbytes, per: .second)
        }
        #expect(throws: LimitError.burstMeasureMismatch) {
            try RateLimit(rate: Rate(1023, .bytes, per: .second), burst: Burst(packets: 10))
        }
        #expect(throws: LimitError.burstMeasureMismatch) {
            try RateLimit(rate: Rate(packets: 1023, per: .second), burst: Burst(10, .bytes))
        }
        #expect(try Burst(0, .bytes).amount == 0)
    }

    @Test func unitNamesAreNftsAndBinary() {
        for unit in TimeUnit.allCases { #expect(TimeUnit(name: Substring(unit.name)) == unit) }
        for unit in ByteUnit.allCases { #expect(ByteUnit(name: Substring(unit.name)) == unit) }
        #expect(TimeUnit.allCases.map(\.seconds) == [1, 60, 3600, 86_400, 604_800])
        #expect(ByteUnit.allCases.map(\.multiplier) == [1, 1024, 1_048_576, 1_073_741_824])
        #expect(ByteUnit.allCases.filter(\.isNFTUnit) == [.bytes, .kbytes, .mbytes])
        #expect(TimeUnit(name: "seconds") == nil && ByteUnit(name: "KB") == nil)
    }
}
