import Synchronization

/// A set the datapath adds to (nft's dynamic set: `add @knocked { ip saddr }`, `update @seen {
/// ip saddr timeout 30s }`), in a table of fixed capacity allocated once and shared by every
/// forwarding thread of a bridge: a source that knocks on one thread's flow is let through on
/// another's.
///
/// Elements are one field's value (an address or a port, as a `UInt128`) with an expiry on the
/// callers' clock. Expiry is lazy: an expired element no longer matches and its slot is taken by
/// the next insert that probes it; nothing scans the table per frame. ``add(_:now:timeout:)``
/// inserts an absent element and leaves a present one alone (nft's `add`);
/// ``update(_:now:timeout:)`` also moves a present element's expiry (nft's `update`). When
/// ``capacity`` elements are held, an insert is refused (``refused``), as nft's set is full;
/// first it frees expired elements it finds in the next slots of a cursor that goes round the
/// table (at most ``reclaimBudget`` slots), so elements that expired anywhere come back after a
/// bounded number of inserts, without a scan.
///
/// Layout: open addressing with linear probing over 32-byte slots (state, key, expiry) of
/// atomic words, at least twice as many slots as ``capacity``, random hash seed; a probe looks
/// at most ``probeLimit`` slots. No locks: a slot's state word is a sequence lock (a writer
/// claims the slot with a compare-and-swap, writes, and publishes; a reader that saw the state
/// change under it reads again), so lookups never wait and two threads inserting at once each
/// claim a slot of their own. Nothing is allocated after `init`.
public final class DynamicSetTable: @unchecked Sendable {
    /// The size of a set that does not give one: nft's default for a set the datapath adds to.
    public static let defaultCapacity = 65_535
    /// The largest `size` (4 Mi elements: 256 MiB of slots).
    public static let maximumCapacity = 1 << 22
    /// The most slots a lookup or insert looks at.
    public static let probeLimit = 32
    /// The most slots a refused insert looks at for expired elements to free.
    public static let reclaimBudget = 256
    /// An expiry that never comes: elements of a set without timeouts.
    public static let never = UInt64.max

    /// The most elements held at once (the set's `size`).
    public let capacity: Int
    /// The expiry an element gets when its statement gives no timeout, as a duration in
    /// nanoseconds (nil: elements do not expire).
    public let defaultTimeout: UInt64?

    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let slotCount: Int
    private let mask: Int
    private let hasher: MeterHash
    private let held = Atomic<Int>(0)
    private let refusedInserts = Atomic<UInt64>(0)
    private let insertCount = Atomic<UInt64>(0)
    private let sweepCursor = Atomic<Int>(0)

    /// A table for `capacity` elements (1 ... ``maximumCapacity``) expiring `defaultTimeout`
    /// after they are added (nil: never), hashed with `seed` (random unless a test gives one).
    public init(
        capacity: Int = DynamicSetTable.defaultCapacity, defaultTimeout: UInt64? = nil,
        seed: UInt64 = UInt64.random(in: .min ... .max)
    ) throws(LimitError) {
        guard capacity >= 1, capacity <= DynamicSetTable.maximumCapacity else {
            throw .setSizeOutOfRange(capacity)
        }
        self.capacity = capacity
        self.defaultTimeout = defaultTimeout
        var slotCount = 64
        while slotCount < 2 * capacity { slotCount <<= 1 }
        self.slotCount = slotCount
        mask = slotCount - 1
        hasher = MeterHash(seed: seed)
        let wordCount = slotCount * DynamicSetSlot.words
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: wordCount * MemoryLayout<Atomic<UInt64>>.stride, alignment: 64)
        words = raw.bindMemory(to: Atomic<UInt64>.self, capacity: wordCount)
        for index in 0..<wordCount { (words + index).initialize(to: Atomic(0)) }
    }

    deinit {
        UnsafeMutableRawPointer(words).deallocate()
    }

    /// Elements held now, expired ones not yet reclaimed included (what ``capacity`` bounds).
    public var heldCount: Int { held.load(ordering: .relaxed) }
    /// Inserts refused because the set was full.
    public var refused: UInt64 { refusedInserts.load(ordering: .relaxed) }
    /// Elements inserted so far (initial elements included).
    public var insertions: UInt64 { insertCount.load(ordering: .relaxed) }

    /// Whether `key` is held and not expired at `now`.
    @inlinable @inline(__always)
    public func contains(_ key: UInt128, now: UInt64) -> Bool {
        find(key, now: now) != nil
    }

    /// nft's `add`: inserts `key` expiring `timeout` (or the set's default) after `now` when it
    /// is absent or expired; leaves a held element as it is. False when the set is full.
    public func add(_ key: UInt128, now: UInt64, timeout: UInt64? = nil) -> Bool {
        if find(key, now: now) != nil { return true }
        return insert(key, expiry: expiry(now: now, timeout: timeout), now: now)
    }

    /// nft's `update`: inserts `key` as ``add(_:now:timeout:)`` does, and moves a held
    /// element's expiry to `timeout` (or the set's default) after `now`. False when the set is
    /// full.
    public func update(_ key: UInt128, now: UInt64, timeout: UInt64? = nil) -> Bool {
        let expiry = expiry(now: now, timeout: timeout)
        if let found = find(key, now: now) {
            // Lost only to a thread that refreshed it at the same moment, or reclaimed it
            // because its clock had it expired already.
            _ = DynamicSetSlot(words + found.index * DynamicSetSlot.words)
                .exchangeExpiry(expected: found.expiry, desired: expiry)
            return true
        }
        return insert(key, expiry: expiry, now: now)
    }

    /// The elements held and not expired at `now`, each with its expiry (``never`` for none),
    /// in slot order (a copy, for `status` and listing; allocates).
    public func elements(now: UInt64) -> [(key: UInt128, expiry: UInt64)] {
        var result: [(key: UInt128, expiry: UInt64)] = []
        for index in 0..<slotCount {
            let slot = DynamicSetSlot(words + index * DynamicSetSlot.words)
            if let element = slot.read(), element.expiry > now { result.append((element.key, element.expiry)) }
        }
        return result
    }

    /// The number of elements held and not expired at `now` (reads every slot: not for the
    /// frame path).
    public func liveCount(now: UInt64) -> Int {
        var count = 0
        for index in 0..<slotCount {
            let slot = DynamicSetSlot(words + index * DynamicSetSlot.words)
            if let element = slot.read(), element.expiry > now { count += 1 }
        }
        return count
    }

    @usableFromInline
    func find(_ key: UInt128, now: UInt64) -> (index: Int, expiry: UInt64)? {
        var index = home(key)
        for _ in 0..<DynamicSetTable.probeLimit {
            let slot = DynamicSetSlot(words + index * DynamicSetSlot.words)
            let state = slot.loadState()
            if state == 0 { return nil }
            if DynamicSetSlot.holdsElement(state), let element = slot.read(expectedState: state),
                element.key == key
            {
                return element.expiry > now ? (index, element.expiry) : nil
            }
            index = (index &+ 1) & mask
        }
        return nil
    }

    private func home(_ key: UInt128) -> Int {
        let hash = hasher.hash(MeterKey(first: key))
        return Int(truncatingIfNeeded: hash >> 32) & mask
    }

    private func expiry(now: UInt64, timeout: UInt64?) -> UInt64 {
        guard let duration = timeout ?? defaultTimeout else { return DynamicSetTable.never }
        let (sum, overflow) = now.addingReportingOverflow(duration)
        return overflow || sum == DynamicSetTable.never ? DynamicSetTable.never - 1 : sum
    }

    /// Inserts `key`; when the set is full, reclaims a few expired elements and tries once more.
    private func insert(_ key: UInt128, expiry: UInt64, now: UInt64) -> Bool {
        switch tryInsert(key, expiry: expiry, now: now) {
        case .inserted: return true
        case .full where reclaim(now: now) > 0:
            if tryInsert(key, expiry: expiry, now: now) == .inserted { return true }
        default: break
        }
        refusedInserts.add(1, ordering: .relaxed)
        return false
    }

    private enum InsertOutcome { case inserted, full, noRoom }

    /// Puts `key` into the first slot of its probe it can take (empty, freed, or an expired
    /// element's), or finds that another thread inserted it meanwhile.
    private func tryInsert(_ key: UInt128, expiry: UInt64, now: UInt64) -> InsertOutcome {
        var index = home(key)
        var looked = 0
        while looked < DynamicSetTable.probeLimit {
            looked += 1
            let slot = DynamicSetSlot(words + index * DynamicSetSlot.words)
            var state = slot.loadState()
            if DynamicSetSlot.isBeingWritten(state) { state = slot.settle() }
            let takesCount = state == 0 || DynamicSetSlot.isFreed(state)
            if !takesCount {
                // Held (and not expired), or still being written: pass it.
                guard DynamicSetSlot.holdsElement(state), let element = slot.read(expectedState: state),
                    element.expiry <= now
                else {
                    if let element = slot.read(), element.key == key, element.expiry > now { return .inserted }
                    index = (index &+ 1) & mask
                    continue
                }
            }
            if takesCount && !reserve() { return .full }
            if slot.claim(from: state) {
                slot.publish(key: key, expiry: expiry, claimed: state)
                insertCount.add(1, ordering: .relaxed)
                return .inserted
            }
            // Another thread took the slot first: look at it again.
            if takesCount { held.subtract(1, ordering: .relaxed) }
        }
        return .noRoom
    }

    /// Counts one more element held, unless ``capacity`` are.
    private func reserve() -> Bool {
        let before = held.add(1, ordering: .relaxed).oldValue
        if before < capacity { return true }
        held.subtract(1, ordering: .relaxed)
        return false
    }

    /// Frees expired elements from a cursor shared by all threads, up to ``reclaimBudget`` slots
    /// or until some were freed (bounded work, only when an insert finds the set full); how
    /// many it freed. The cursor goes round, so elements that expired anywhere come back after a
    /// bounded number of refused inserts.
    private func reclaim(now: UInt64) -> Int {
        var freed = 0
        var looked = 0
        while freed == 0 && looked < min(slotCount, DynamicSetTable.reclaimBudget) {
            let start = sweepCursor.add(DynamicSetTable.probeLimit, ordering: .relaxed).oldValue & mask
            looked += DynamicSetTable.probeLimit
            for offset in 0..<DynamicSetTable.probeLimit {
                let slot = DynamicSetSlot(words + ((start &+ offset) & mask) * DynamicSetSlot.words)
                let state = slot.loadState()
                guard DynamicSetSlot.holdsElement(state), let element = slot.read(expectedState: state),
                    element.expiry <= now, slot.free(from: state)
                else { continue }
                held.subtract(1, ordering: .relaxed)
                freed += 1
            }
        }
        return freed
    }
}
