import Limits
import Testing

/// Byte rates: a frame costs unit_ns * length / rate; the bucket is unit_ns * (rate + burst) / rate.
@Suite struct ByteRateTests {
    func bytes(
        _ count: UInt64, _ unit: ByteUnit, per time: TimeUnit = .second, burst: (UInt64, ByteUnit)? = nil,
        over: Bool = false
    ) throws -> RateLimit {
        try RateLimit(
            rate: Rate(count, unit, per: time), burst: burst.map { try Burst($0.0, $0.1) }, over: over)
    }

    /// Without a burst the bucket holds one second's worth: 1,000 bytes at 1000 bytes/second.
    @Test func theBucketHoldsOneUnitOfTheRatePlusTheBurst() throws {
        let limit = try bytes(1000, .bytes)
        #expect(limit.burst == 0 && limit.capacity == nanosecondsPerSecond)
        var bucket = TokenBucket(full: limit, now: 0)
        let steps: [(length: Int, now: UInt64)] = [
            (1000, 0), (1, 0), (500, milliseconds(500)), (1, milliseconds(500)), (1, milliseconds(501)),
        ]
        let results = steps.map { bucket.matches(limit, length: $0.length, now: $0.now) }
        #expect(results == [true, false, true, false, true])

        let withBurst = try bytes(1, .kbytes, burst: (512, .bytes))
        #expect(withBurst.capacity == nanosecondsPerSecond * 1536 / 1024)
        var second = TokenBucket(full: withBurst, now: 0)
        let full = second.matches(withBurst, length: 1536, now: 0)
        let more = second.matches(withBurst, length: 1, now: 0)
        #expect(full && !more)
    }

    /// A frame larger than the bucket never fits, however long it waits; a zero-length one
    /// always does.
    @Test func aFrameLargerThanTheBucketNeverPasses() throws {
        let limit = try bytes(1, .kbytes, burst: (512, .bytes))
        #expect(run(limit, at: [0, seconds(10), seconds(1000)], length: 1537) == [false, false, false])
        #expect(run(limit, at: burst(5, at: 0), length: 0).allSatisfy { $0 })
    }

    /// `10 mbytes/second`: a 1500-byte frame costs 1e9 * 1500 / 10485760 ns, rounded down.
    @Test func megabytesAreBinaryAndCostsRoundDown() throws {
        let limit = try bytes(10, .mbytes)
        #expect(limit.rate.amount == 10_485_760)
        #expect(limit.cost(length: 1500) == 143_051)
        let frames = Int(limit.capacity / 143_051)
        let results = run(limit, at: burst(frames + 1, at: 0), length: 1500)
        #expect(results.filter { $0 }.count == frames && results.last == false)
    }

    /// nft's largest tested byte rate works; one the kernel's arithmetic overflows is refused;
    /// a cost beyond 64 bits (a week, one byte a week, a jumbo frame) exceeds the bucket instead
    /// of wrapping.
    @Test func hugeByteRatesAndCostsDoNotOverflow() throws {
        let fast = try bytes(10230, .mbytes)
        #expect(fast.rate.amount == 10230 * 1_048_576)
        #expect(fast.cost(length: 1500) == nanosecondsPerSecond * 1500 / (10230 * 1_048_576))
        #expect(run(fast, at: burst(1000, at: 0), length: 1500).allSatisfy { $0 })
        #expect(throws: LimitError.exceedsKernelArithmetic) { try bytes(20000, .mbytes) }
        // One byte a week: 30,000 bytes cost 1.8e19 ns, still 64 bits (the kernel's product
        // wraps from 30,500 bytes on); 65,536 bytes cost more than 64 bits hold.
        let slow = try bytes(1, .bytes, per: .week)
        #expect(slow.cost(length: 30_000) == 604_800 * nanosecondsPerSecond * 30_000)
        #expect(slow.cost(length: 65_536) == .max)
        #expect(run(slow, at: [0, 0], length: 1) == [true, false])
        #expect(run(slow, at: [seconds(604_800 * 1000)], length: 65_536) == [false])
        #expect(slow.cost(length: -5) == 0)
    }

    @Test func overInvertsByteLimitsToo() throws {
        let times = (0..<50).map { milliseconds(20 * $0) }
        let within = run(try bytes(10, .kbytes), at: times, length: 700)
        let over = run(try bytes(10, .kbytes, over: true), at: times, length: 700)
        #expect(over == within.map { !$0 })
        #expect(within.contains(false))
    }
}
