/// A meter: one token bucket per key (`limit rate over 20/second burst 5 packets per ip saddr`),
/// in a table of fixed capacity allocated once.
///
/// Every key gets its own bucket, starting full, run by the table's ``RateLimit``: two sources
/// sending the same flood each get their own allowance. When the table is full, a new key takes
/// the place of the least recently used key, which is counted in ``evictions``. A bucket that
/// has been idle long enough to refill is the same as a fresh one, so evicting it loses nothing;
/// ``evictionsBeforeRefill`` counts the evictions that did forget a partly drained bucket (a key
/// that comes back then starts with a full allowance: a sign the table is too small).
///
/// Layout: open addressing with linear probing over 64-byte slots (key, bucket, hash tag), at
/// most half full, with a random hash seed; a frame of a known key usually reads one slot.
/// Removing a key shifts the rest of its probe run back (no tombstones, so lookups never slow
/// down with churn). A doubly linked recency list in a separate array of 8-byte links gives the
/// least recently used key in O(1). Nothing is allocated after `init`, eviction included.
/// Memory: 144 bytes per key of capacity (9 MiB for the default 65,536).
///
/// A table belongs to one forwarding thread (no locks). With several workers, each has its own
/// table, and a key's frames are limited per worker unless the fanout keeps them on one.
public final class MeterTable: @unchecked Sendable {
    /// The most keys a table can hold (4 Mi: 576 MiB).
    public static let maximumCapacity = 1 << 22
    /// The table size when the policy does not give one (`defaults { meter-size 65536; }`).
    public static let defaultCapacity = 65_536

    /// The limit every key's bucket runs.
    public let limit: RateLimit
    /// The most keys held at once.
    public let capacity: Int
    /// Keys held now.
    public private(set) var count = 0
    /// Keys that took a slot (first frames of a key not in the table).
    public private(set) var insertions: UInt64 = 0
    /// Keys forgotten to make room for new ones.
    public private(set) var evictions: UInt64 = 0
    /// Evictions of a bucket that had not refilled: its key lost what it had used.
    public private(set) var evictionsBeforeRefill: UInt64 = 0

    private let slots: UnsafeMutablePointer<MeterSlot>
    /// One link per slot plus the list's sentinel (the last): its `next` is the most recently
    /// used slot, its `previous` the least.
    private let links: UnsafeMutablePointer<RecencyLink>
    private let slotCount: Int
    private let mask: Int
    private let sentinel: Int32
    private let hasher: MeterHash

    /// A table for `capacity` keys (1 ... ``maximumCapacity``), hashed with `seed` (random
    /// unless given, which only tests should do).
    public init(
        limit: RateLimit, capacity: Int = MeterTable.defaultCapacity,
        seed: UInt64 = UInt64.random(in: .min ... .max)
    ) throws(LimitError) {
        guard capacity >= 1, capacity <= MeterTable.maximumCapacity else { throw .meterSizeOutOfRange(capacity) }
        self.limit = limit
        self.capacity = capacity
        var slotCount = 2
        while slotCount < 2 * capacity { slotCount <<= 1 }
        self.slotCount = slotCount
        mask = slotCount - 1
        sentinel = Int32(slotCount)
        hasher = MeterHash(seed: seed)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: slotCount * MemoryLayout<MeterSlot>.stride, alignment: 64)
        slots = raw.initializeMemory(
            as: MeterSlot.self, repeating: MeterSlot(key: MeterKey(), tokens: 0, last: 0, tag: 0, used: 0),
            count: slotCount)
        links = .allocate(capacity: slotCount + 1)
        links.initialize(repeating: RecencyLink(previous: sentinel, next: sentinel), count: slotCount + 1)
    }

    deinit {
        UnsafeMutableRawPointer(slots).deallocate()
        links.deallocate()
    }

    /// Runs a frame of `length` bytes with `key`, arriving at `now`, through the key's bucket
    /// (a full new one for a key not held, evicting the least recently used key when the table
    /// is full); true when the limit matches. The key becomes the most recently used.
    public func matches(_ key: MeterKey, length: Int, now: UInt64) -> Bool {
        let tag = UInt32(truncatingIfNeeded: hasher.hash(key) >> 32)
        var index = Int(tag) & mask
        while slots[index].used != 0 {
            let slot = slots + index
            if slot.pointee.tag == tag && slot.pointee.key == key {
                let position = Int32(truncatingIfNeeded: index)
                if links[Int(sentinel)].next != position {
                    unlink(position)
                    linkFirst(position)
                }
                return limit.evaluate(tokens: &slot.pointee.tokens, last: &slot.pointee.last, length: length, now: now)
            }
            index = (index &+ 1) & mask
        }
        if count == capacity {
            evictLeastRecent(now: now)
            // Shifting the victim's probe run back may have moved the first free slot.
            index = Int(tag) & mask
            while slots[index].used != 0 { index = (index &+ 1) & mask }
        } else {
            count &+= 1
        }
        let slot = slots + index
        slot.pointee = MeterSlot(key: key, tokens: limit.capacity, last: now, tag: tag, used: 1)
        linkFirst(Int32(truncatingIfNeeded: index))
        insertions &+= 1
        return limit.evaluate(tokens: &slot.pointee.tokens, last: &slot.pointee.last, length: length, now: now)
    }

    /// The bucket held for `key`, without running a frame or changing the recency order.
    public func bucket(for key: MeterKey) -> TokenBucket? {
        let tag = UInt32(truncatingIfNeeded: hasher.hash(key) >> 32)
        var index = Int(tag) & mask
        while slots[index].used != 0 {
            let slot = slots[index]
            if slot.tag == tag && slot.key == key {
                var bucket = TokenBucket(full: limit, now: slot.last)
                bucket.tokens = slot.tokens
                return bucket
            }
            index = (index &+ 1) & mask
        }
        return nil
    }

    /// Forgets every key (the counters stay).
    public func removeAll() {
        for index in 0..<slotCount { slots[index].used = 0 }
        links[Int(sentinel)] = RecencyLink(previous: sentinel, next: sentinel)
        count = 0
    }

    /// Removes the least recently used key, then moves each later slot of its probe run whose
    /// home is not between the hole and itself back into the hole (backward-shift deletion),
    /// taking its recency links along.
    private func evictLeastRecent(now: UInt64) {
        var hole = Int(links[Int(sentinel)].previous)
        let victim = slots[hole]
        evictions &+= 1
        if limit.refilled(tokens: victim.tokens, last: victim.last, now: now) < limit.capacity {
            evictionsBeforeRefill &+= 1
        }
        unlink(Int32(truncatingIfNeeded: hole))
        slots[hole].used = 0
        var next = (hole &+ 1) & mask
        while slots[next].used != 0 {
            let home = Int(slots[next].tag) & mask
            if (next &- home) & mask >= (next &- hole) & mask {
                slots[hole] = slots[next]
                slots[next].used = 0
                let link = links[next]
                let moved = Int32(truncatingIfNeeded: hole)
                links[hole] = link
                links[Int(link.previous)].next = moved
                links[Int(link.next)].previous = moved
                hole = next
            }
            next = (next &+ 1) & mask
        }
    }

    @inline(__always)
    private func unlink(_ index: Int32) {
        let link = links[Int(index)]
        links[Int(link.previous)].next = link.next
        links[Int(link.next)].previous = link.previous
    }

    @inline(__always)
    private func linkFirst(_ index: Int32) {
        let first = links[Int(sentinel)].next
        links[Int(index)] = RecencyLink(previous: sentinel, next: first)
        links[Int(first)].previous = index
        links[Int(sentinel)].next = index
    }
}
