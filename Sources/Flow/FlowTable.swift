/// A capacity the table cannot have.
public enum FlowTableError: Error, Sendable, Equatable {
    /// Capacity must be between 1 and ``FlowTable/maximumCapacity``.
    case capacityOutOfRange(Int)
    /// The fragment table holds between 4 and 1,048,576 entries.
    case fragmentCapacityOutOfRange(Int)
}

/// One forwarding thread's flow table: fixed capacity, everything allocated once at init.
///
/// A pool of 128-byte ``FlowSlot``s with a free list; a power-of-two bucket array (at least one
/// bucket per slot) of slot indexes with chains through the slots, hashed with a random seed; a
/// new flow takes the slot its hash points at when that one is free (its home), so most lookups
/// find their flow there, in parallel with the bucket read;
/// one list per ``FlowTimeoutClass`` ordered by last use, so expiry and early eviction look only
/// at list heads. No allocation per frame, per new flow or per expiry, no lock, no existential.
///
/// Use it in two phases, as nf_conntrack confirms an entry only when its packet is accepted:
/// ``classify(frame:info:now:)`` gives the frame's `ct state` and direction without changing a
/// flow; once the policy has decided, ``commit(_:forwarded:length:creator:now:events:)`` creates
/// the flow (if the frame was forwarded and may create one), applies the state change and counts
/// the frame. Only the lookup of the latest classify may be committed, and only before anything
/// else changes the table (``expire(now:budget:events:)``, ``apply(_:)``,
/// ``insertEstablished(_:remaining:creator:now:events:)``): a stale lookup is refused
/// (``CommitOutcome/untouched``, counted).
///
/// Times are nanoseconds of a monotonic clock the caller passes in (a capture's timestamps in
/// `replay`). Not thread-safe: one table per thread, with symmetric fanout sending both
/// directions of a flow to the same thread.
public final class FlowTable: @unchecked Sendable {
    /// "No slot" in links and chains.
    static let none = UInt32.max
    /// The default capacity (`run --flows`), nf_conntrack's default on a machine with > 4 GiB.
    public static let defaultCapacity = 262_144
    /// The largest capacity: slot indexes are 32-bit.
    public static let maximumCapacity = 1 << 30
    /// The default number of first fragments remembered at once.
    public static let defaultFragmentCapacity = 1024
    /// A UDP flow answered sooner than this after it began stays on the short `udp` timeout
    /// (a DNS query and its answer), as in nf_conntrack.
    static let udpStreamAge: UInt64 = 2_000_000_000
    /// Added to the caller's clock inside the table, so a time some timeout before `now` (a
    /// restored flow's last use) is never below zero, even just after boot. Larger than
    /// ``FlowTimeouts/maximum``.
    static let clockBias: UInt64 = 1 << 56

    /// The caller's `now` on the table's clock: biased, and never earlier than a time it was
    /// given before.
    @inline(__always)
    func clock(_ now: UInt64) -> UInt64 {
        let biased = now &+ FlowTable.clockBias
        if biased > core.pointee.latest { core.pointee.latest = biased }
        return core.pointee.latest
    }

    /// The most flows the table holds.
    public let capacity: Int
    /// The flows, and (in ``FlowSlot/bucketHead``) the hash chains: one per slot, of the flows
    /// whose ``home(_:)`` it is.
    let slots: UnsafeMutablePointer<FlowSlot>
    let lists: UnsafeMutablePointer<FlowList>
    let core: UnsafeMutablePointer<FlowTableCore>
    /// The key of the flow the latest classify would create (or, for a later fragment, its
    /// addresses, family and VLANs), for its commit.
    let pendingKey: UnsafeMutablePointer<FlowKey>
    let fragments: FragmentTable
    let hasher: FlowHasher
    /// The settings in force (read off the frame path).
    public private(set) var settings: FlowSettings

    /// A table for `capacity` flows under `settings`. `seed` keys the hash (random by default;
    /// pass one only for reproducible tests). Touches all of its memory, so it is resident at once.
    public init(
        capacity: Int = FlowTable.defaultCapacity, settings: FlowSettings = FlowSettings(), seed: UInt64? = nil,
        fragmentCapacity: Int = FlowTable.defaultFragmentCapacity
    ) throws(FlowTableError) {
        guard capacity >= 1 && capacity <= FlowTable.maximumCapacity else {
            throw .capacityOutOfRange(capacity)
        }
        guard fragmentCapacity >= 4 && fragmentCapacity <= 1 << 20 else {
            throw .fragmentCapacityOutOfRange(fragmentCapacity)
        }
        self.capacity = capacity
        self.settings = settings
        hasher = seed.map { FlowHasher(seed: $0) } ?? FlowHasher()

        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<FlowSlot>.stride, alignment: 128)
        slots = raw.bindMemory(to: FlowSlot.self, capacity: capacity)
        slots.initialize(repeating: .empty, count: capacity)
        for index in 0..<capacity {
            slots[index].previous = index > 0 ? UInt32(index - 1) : FlowTable.none
            slots[index].next = index + 1 < capacity ? UInt32(index + 1) : FlowTable.none
        }

        lists = .allocate(capacity: FlowTimeoutClass.count)
        lists.initialize(
            repeating: FlowList(head: FlowTable.none, tail: FlowTable.none, count: 0, timeout: 0, granularity: 0),
            count: FlowTimeoutClass.count)
        core = .allocate(capacity: 1)
        core.initialize(
            to: FlowTableCore(
                freeHead: 0, inUse: 0, epoch: 0, strictPickup: false, fragmentTimeout: 0,
                expireCursor: 0,
                statistics: FlowStatistics()))
        pendingKey = .allocate(capacity: 1)
        pendingKey.initialize(to: FlowSlot.empty.key)
        fragments = FragmentTable(capacity: fragmentCapacity)
        configure(settings)
    }

    deinit {
        slots.deinitialize(count: capacity)
        UnsafeMutableRawPointer(slots).deallocate()
        lists.deallocate()
        core.deallocate()
        pendingKey.deallocate()
        fragments.deallocate()
    }

    /// Puts `settings` in force without touching a flow; see ``apply(_:)``.
    private func configure(_ settings: FlowSettings) {
        for timeoutClass in FlowTimeoutClass.allCases {
            let list = lists + Int(timeoutClass.rawValue)
            let timeout = timeoutClass.timeout(in: settings.timeouts)
            list.pointee.timeout = timeout
            list.pointee.granularity = min(1_000_000_000, timeout / 8)
        }
        core.pointee.strictPickup = settings.pickup == .strict
        core.pointee.fragmentTimeout = settings.timeouts[.fragment]
    }

    /// Puts new settings in force (a reload): every flow stays, and from now on expires by the new
    /// timeouts (a flow idle longer than its new timeout is gone at once).
    public func apply(_ settings: FlowSettings) {
        self.settings = settings
        configure(settings)
        core.pointee.epoch &+= 1
    }

    /// The counters, with the current use and capacity.
    public var statistics: FlowStatistics {
        var statistics = core.pointee.statistics
        statistics.inUse = core.pointee.inUse
        statistics.capacity = capacity
        return statistics
    }

    /// How many flows are on `timeoutClass`'s list.
    public func count(in timeoutClass: FlowTimeoutClass) -> Int {
        lists[Int(timeoutClass.rawValue)].count
    }

    /// Bytes the table holds: slots (with the hash chains' heads), lists and the fragment table.
    public var memoryBytes: Int {
        capacity * MemoryLayout<FlowSlot>.stride + FlowTimeoutClass.count * MemoryLayout<FlowList>.stride
            + fragments.memoryBytes
    }

    /// The stride of one flow slot (at most 128 bytes).
    public static var slotStride: Int { MemoryLayout<FlowSlot>.stride }

    // MARK: Lookups

    /// The slot a flow with this hash goes to when it is free, and whose ``FlowSlot/bucketHead``
    /// starts the chain of every flow with this home: a lookup reads both in one cache line, so
    /// most flows cost one cache miss.
    @inline(__always)
    func home(_ hash: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(hash) &* UInt64(capacity)) >> 32)
    }

    /// The slot holding `key`, or ``none``: its home slot, or a slot in its bucket's chain.
    @inline(__always)
    func find(_ key: FlowKey, hash: UInt32) -> UInt32 {
        let home = self.home(hash)
        let homeSlot = slots + Int(home)
        var index = homeSlot.pointee.bucketHead
        if homeSlot.pointee.hash == hash && homeSlot.pointee.flags.contains(.inUse) && homeSlot.pointee.key == key {
            return home
        }
        while index != FlowTable.none {
            let slot = slots + Int(index)
            if slot.pointee.hash == hash && slot.pointee.key == key { return index }
            index = slot.pointee.hashNext
        }
        return FlowTable.none
    }

    /// When the flow in `slot` expires.
    @inline(__always)
    func deadline(_ slot: UnsafeMutablePointer<FlowSlot>) -> UInt64 {
        slot.pointee.lastSeen &+ lists[Int(slot.pointee.timeoutClass.rawValue)].timeout
    }

    /// The flow in `index` has outlived its timeout at `now` (a lookup treats it as gone).
    @inline(__always)
    func isExpired(_ index: UInt32, now: UInt64) -> Bool {
        now >= deadline(slots + Int(index))
    }
}
