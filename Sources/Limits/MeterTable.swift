/// A meter: one token bucket per key (`limit rate over 20/second burst 5 packets per ip saddr`),
/// in a table of fixed capacity allocated once.
///
/// Every key gets its own bucket, starting full, run by the table's ``RateLimit``: two sources
/// sending the same flood each get their own allowance. When the table is full, a new key takes
/// the slot of the least recently used key, which is counted in ``evictions``. A bucket that has
/// been idle long enough to refill is the same as a fresh one, so evicting it loses nothing;
/// ``evictionsBeforeRefill`` counts the evictions that did forget a partly drained bucket (a key
/// that comes back then starts with a full allowance: a sign the table is too small).
///
/// Layout: 64-byte slots (key, bucket, hash-chain link, hash tag), chained hashing with a
/// power-of-two head array and a random seed, and a doubly linked recency list in a separate
/// array of 8-byte links, so finding, refreshing and evicting are O(1). Nothing is allocated
/// after `init`, eviction included.
///
/// A table belongs to one forwarding thread (no locks). With several workers, each has its own
/// table, and a key's frames are limited per worker unless the fanout keeps them on one.
public final class MeterTable: @unchecked Sendable {
    /// The most keys a table can hold (16 Mi: 1 GiB of slots).
    public static let maximumCapacity = 1 << 24
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
    /// `capacity + 1` links; the last is the list's sentinel: its `next` is the most recently
    /// used slot, its `previous` the least.
    private let links: UnsafeMutablePointer<RecencyLink>
    private let heads: UnsafeMutablePointer<Int32>
    private let headMask: Int
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
        var headCount = 1
        while headCount < capacity { headCount <<= 1 }
        headMask = headCount - 1
        sentinel = Int32(capacity)
        hasher = MeterHash(seed: seed)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<MeterSlot>.stride, alignment: 64)
        slots = raw.bindMemory(to: MeterSlot.self, capacity: capacity)
        links = .allocate(capacity: capacity + 1)
        heads = .allocate(capacity: headCount)
        heads.initialize(repeating: -1, count: headCount)
        links[capacity] = RecencyLink(previous: sentinel, next: sentinel)
    }

    deinit {
        UnsafeMutableRawPointer(slots).deallocate()
        links.deallocate()
        heads.deallocate()
    }

    /// Runs a frame of `length` bytes with `key`, arriving at `now`, through the key's bucket
    /// (a full new one for a key not held, evicting the least recently used key when the table
    /// is full); true when the limit matches. The key becomes the most recently used.
    public func matches(_ key: MeterKey, length: Int, now: UInt64) -> Bool {
        let hash = hasher.hash(key)
        let head = Int(truncatingIfNeeded: hash) & headMask
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        var index = heads[head]
        while index >= 0 {
            let slot = slots + Int(index)
            if slot.pointee.tag == tag && slot.pointee.key == key {
                if links[Int(sentinel)].next != index {
                    unlink(index)
                    linkFirst(index)
                }
                return limit.evaluate(tokens: &slot.pointee.tokens, last: &slot.pointee.last, length: length, now: now)
            }
            index = slot.pointee.chain
        }
        let fresh = takeSlot(now: now)
        let slot = slots + Int(fresh)
        slot.initialize(
            to: MeterSlot(key: key, tokens: limit.capacity, last: now, chain: heads[head], tag: tag))
        heads[head] = fresh
        linkFirst(fresh)
        insertions &+= 1
        return limit.evaluate(tokens: &slot.pointee.tokens, last: &slot.pointee.last, length: length, now: now)
    }

    /// The bucket held for `key`, without running a frame or changing the recency order.
    public func bucket(for key: MeterKey) -> TokenBucket? {
        let hash = hasher.hash(key)
        var index = heads[Int(truncatingIfNeeded: hash) & headMask]
        while index >= 0 {
            let slot = slots[Int(index)]
            if slot.key == key {
                var bucket = TokenBucket(full: limit, now: slot.last)
                bucket.tokens = slot.tokens
                return bucket
            }
            index = slot.chain
        }
        return nil
    }

    /// Forgets every key (the counters stay).
    public func removeAll() {
        heads.update(repeating: -1, count: headMask + 1)
        links[Int(sentinel)] = RecencyLink(previous: sentinel, next: sentinel)
        count = 0
    }

    /// A slot for a new key: an unused one while there are any, else the least recently used
    /// key's, taken out of its chain and the recency list.
    @inline(__always)
    private func takeSlot(now: UInt64) -> Int32 {
        if count < capacity {
            count &+= 1
            return Int32(truncatingIfNeeded: count &- 1)
        }
        let victim = links[Int(sentinel)].previous
        let slot = slots + Int(victim)
        evictions &+= 1
        if limit.refilled(tokens: slot.pointee.tokens, last: slot.pointee.last, now: now) < limit.capacity {
            evictionsBeforeRefill &+= 1
        }
        let head = Int(truncatingIfNeeded: hasher.hash(slot.pointee.key)) & headMask
        if heads[head] == victim {
            heads[head] = slot.pointee.chain
        } else {
            var previous = heads[head]
            while slots[Int(previous)].chain != victim { previous = slots[Int(previous)].chain }
            slots[Int(previous)].chain = slot.pointee.chain
        }
        unlink(victim)
        slot.deinitialize(count: 1)
        return victim
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
