import Frame
import Limits
import Testing

/// The meter table: a bucket per key, least recently used eviction, fixed size.
@Suite struct MeterTableTests {
    static let tenPerSecond = try! packets(10, per: .second, burst: 5)

    func key(_ n: Int) -> MeterKey { MeterKey(first: UInt128(0xC612_0000 + n)) }

    /// Two sources sending the same flood, keyed from their real frames, each get five.
    @Test func everySourceGetsItsOwnAllowance() throws {
        let spec = try MeterKeySpec([.ipSource])
        let table = try MeterTable(limit: Self.tenPerSecond, capacity: 16, seed: 1)
        let first = try #require(spec.key(from: frameInfo(source: 0xC612_0001)))
        let second = try #require(spec.key(from: frameInfo(source: 0xC612_0002)))
        var passed = [0, 0]
        for _ in 0..<20 {
            if table.matches(first, length: 60, now: 0) { passed[0] += 1 }
            if table.matches(second, length: 60, now: 0) { passed[1] += 1 }
        }
        #expect(passed == [5, 5])
        #expect(table.count == 2 && table.insertions == 2 && table.evictions == 0)
        // One second later each has refilled to its burst again, independently.
        #expect(
            (0..<6).map { _ in table.matches(first, length: 60, now: seconds(1)) } == [
                true, true, true, true, true, false,
            ])
        #expect(table.matches(second, length: 60, now: seconds(1)))
    }

    /// `limit rate over 20/second ... per ip saddr`: the match holds for the flood, not the rest.
    @Test func overMatchesTheFloodingKeyOnly() throws {
        let table = try MeterTable(limit: try packets(20, per: .second, burst: 5, over: true), capacity: 8, seed: 9)
        let flood = (0..<10).map { _ in table.matches(key(1), length: 60, now: 0) }
        #expect(flood == Array(repeating: false, count: 5) + Array(repeating: true, count: 5))
        #expect(!table.matches(key(2), length: 60, now: 0))
    }

    /// When full, the least recently used key goes; touching a key protects it.
    @Test func theIdlestKeyIsEvictedWhenFull() throws {
        let table = try MeterTable(limit: Self.tenPerSecond, capacity: 4, seed: 2)
        for n in 0..<4 { _ = table.matches(key(n), length: 60, now: UInt64(n)) }
        _ = table.matches(key(0), length: 60, now: 10)  // 0 is now the most recent; 1 the idlest
        _ = table.matches(key(4), length: 60, now: 11)
        #expect(table.bucket(for: key(1)) == nil)
        for n in [0, 2, 3, 4] { #expect(table.bucket(for: key(n)) != nil, "key \(n)") }
        #expect(table.count == 4 && table.evictions == 1 && table.insertions == 5)
        // Key 1 had used a token and not refilled: its eviction lost something.
        #expect(table.evictionsBeforeRefill == 1)
        // Much later every bucket has refilled, so evicting the idlest (2) loses nothing.
        _ = table.matches(key(5), length: 60, now: seconds(60))
        #expect(table.bucket(for: key(2)) == nil)
        #expect(table.evictions == 2 && table.evictionsBeforeRefill == 1)
    }

    /// An evicted key comes back as a new key with a full bucket.
    @Test func anEvictedKeyIsReusedWithAFreshBucket() throws {
        let table = try MeterTable(limit: Self.tenPerSecond, capacity: 2, seed: 3)
        #expect((0..<6).map { _ in table.matches(key(0), length: 60, now: 0) }.filter { $0 }.count == 5)
        _ = table.matches(key(1), length: 60, now: 1)
        _ = table.matches(key(2), length: 60, now: 2)  // evicts 0
        #expect(table.bucket(for: key(0)) == nil)
        #expect((0..<6).map { _ in table.matches(key(0), length: 60, now: 3) }.filter { $0 }.count == 5)
        #expect(table.insertions == 4 && table.evictions == 2)
    }

    /// A bucket idle long enough to refill behaves exactly as a new one.
    @Test func aRefilledBucketIsAFreshOne() throws {
        let table = try MeterTable(limit: Self.tenPerSecond, capacity: 8, seed: 4)
        for _ in 0..<7 { _ = table.matches(key(0), length: 60, now: 0) }
        let later = milliseconds(500)
        #expect(try #require(table.bucket(for: key(0))).isFull(at: later, limit: Self.tenPerSecond))
        let times = burst(7, at: later) + (1...20).map { later + milliseconds(33 * $0) }
        let old = times.map { table.matches(key(0), length: 60, now: $0) }
        let fresh = times.map { table.matches(key(1), length: 60, now: $0) }
        #expect(old == fresh)
    }

    /// However many keys pass, the table holds `capacity` of them: the most recent ones.
    @Test func theTableNeverGrows() throws {
        let table = try MeterTable(limit: Self.tenPerSecond, capacity: 1000, seed: 5)
        for n in 0..<100_000 { _ = table.matches(key(n), length: 60, now: UInt64(n)) }
        #expect(table.count == 1000)
        #expect(table.insertions == 100_000 && table.evictions == 99_000)
        #expect((99_000..<100_000).allSatisfy { table.bucket(for: key($0)) != nil })
        #expect((0..<99_000).allSatisfy { table.bucket(for: key($0)) == nil })
        table.removeAll()
        #expect(table.count == 0 && table.bucket(for: key(99_999)) == nil)
        #expect(table.matches(key(99_999), length: 60, now: 200_000))
    }

    /// The table against a plain model (a dictionary of buckets and an array in recency order),
    /// over seeded random keys and times, with room for a fraction of the keys, under two seeds
    /// and three sizes (the small ones shift probe runs back on almost every eviction): every
    /// answer and the set of keys held agree.
    @Test(arguments: [UInt64(11), 0xdead_beef], [(64, 200), (5, 24), (1, 3)])
    func agreesWithAPlainModel(seed: UInt64, size: (capacity: Int, keys: Int)) throws {
        let limit = try packets(50, per: .second, burst: 3)
        let capacity = size.capacity
        let table = try MeterTable(limit: limit, capacity: capacity, seed: seed)
        var buckets: [MeterKey: TokenBucket] = [:]
        var recency: [MeterKey] = []
        var random = SplitMix64(seed: seed)
        var now: UInt64 = 0
        for step in 0..<20_000 {
            now += UInt64(random.below(4_000_000))
            let k = key(random.below(random.below(8) == 0 ? size.keys : (size.keys + 1) / 2))
            var bucket = buckets[k] ?? TokenBucket(full: limit, now: now)
            if buckets[k] == nil && buckets.count == capacity {
                buckets[recency.removeLast()] = nil
            }
            recency.removeAll { $0 == k }
            recency.insert(k, at: 0)
            let expected = bucket.matches(limit, length: 60, now: now)
            buckets[k] = bucket
            #expect(table.matches(k, length: 60, now: now) == expected, "step \(step)")
        }
        #expect(table.count == buckets.count)
        for n in 0..<size.keys { #expect((table.bucket(for: key(n)) != nil) == (buckets[key(n)] != nil)) }
        for (k, bucket) in buckets { #expect(table.bucket(for: k) == bucket) }
    }

    @Test func sizesOutOfRangeAreRefused() throws {
        #expect(throws: LimitError.meterSizeOutOfRange(0)) { try MeterTable(limit: Self.tenPerSecond, capacity: 0) }
        #expect(throws: LimitError.meterSizeOutOfRange(MeterTable.maximumCapacity + 1)) {
            try MeterTable(limit: Self.tenPerSecond, capacity: MeterTable.maximumCapacity + 1)
        }
        let one = try MeterTable(limit: Self.tenPerSecond, capacity: 1)
        let first = one.matches(key(0), length: 1, now: 0)
        let second = one.matches(key(1), length: 1, now: 0)
        #expect(first && second)
        #expect(one.count == 1 && one.evictions == 1)
    }
}
