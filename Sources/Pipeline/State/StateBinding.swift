import Frame
import Limits
import Ruleset
import Synchronization

/// The state one compiled policy's stateful terms read, flattened for the hot path: by a
/// `limit` term's index its bucket or meter, its limit and key; by a `quota` term's index its
/// shared counter and its size. Built by ``ThreadState/bind(_:now:)``; the buckets, meters and
/// counters it points at are owned by the thread state and the shared state, which outlive it.
final class StateBinding {
    let limitCount: Int
    let limits: UnsafeMutablePointer<RateLimit>
    /// A bucket per limit (nil for a meter's).
    let buckets: UnsafeMutablePointer<UnsafeMutablePointer<TokenBucket>?>
    /// A meter per limit (nil for a plain bucket's), unretained: the thread state keeps them.
    let meters: UnsafeMutablePointer<Unmanaged<MeterTable>?>
    let keys: UnsafeMutablePointer<MeterKeySpec?>
    let quotaCount: Int
    let quotaCounters: UnsafeMutablePointer<UnsafeMutablePointer<Atomic<UInt64>>?>
    let quotaBytes: UnsafeMutablePointer<UInt64>
    let quotaOver: UnsafeMutablePointer<Bool>
    /// Some limit is a meter: the frame's parse must be at hand for its key.
    let hasMeters: Bool
    /// The dynamic sets' tables, by the index in their terms' slices (retained by `tables`).
    let dynamicSets: UnsafeMutablePointer<Unmanaged<DynamicSetTable>?>
    let dynamicSetCount: Int
    private var tables: [DynamicSetTable] = []

    init(policy: CompiledPolicy) {
        limitCount = policy.limits.count
        limits = .allocate(capacity: max(1, limitCount))
        buckets = .allocate(capacity: max(1, limitCount))
        buckets.initialize(repeating: nil, count: max(1, limitCount))
        meters = .allocate(capacity: max(1, limitCount))
        meters.initialize(repeating: nil, count: max(1, limitCount))
        keys = .allocate(capacity: max(1, limitCount))
        for (index, limit) in policy.limits.enumerated() {
            (limits + index).initialize(to: limit.limit)
            (keys + index).initialize(to: limit.key.isEmpty ? nil : try? MeterKeySpec(limit.key))
        }
        hasMeters = policy.limits.contains { !$0.key.isEmpty }
        quotaCount = policy.quotas.count
        quotaCounters = .allocate(capacity: max(1, quotaCount))
        quotaCounters.initialize(repeating: nil, count: max(1, quotaCount))
        quotaBytes = .allocate(capacity: max(1, quotaCount))
        quotaOver = .allocate(capacity: max(1, quotaCount))
        for (index, quota) in policy.quotas.enumerated() {
            quotaBytes[index] = quota.amount.bytes
            quotaOver[index] = quota.mode == .over
        }
        dynamicSetCount = policy.dynamicSets.count
        dynamicSets = .allocate(capacity: max(1, dynamicSetCount))
        dynamicSets.initialize(repeating: nil, count: max(1, dynamicSetCount))
    }

    deinit {
        limits.deinitialize(count: limitCount)
        limits.deallocate()
        buckets.deallocate()
        meters.deallocate()
        keys.deinitialize(count: limitCount)
        keys.deallocate()
        quotaCounters.deallocate()
        quotaBytes.deallocate()
        quotaOver.deallocate()
        dynamicSets.deallocate()
    }

    func bind(limit index: Int, bucket: UnsafeMutablePointer<TokenBucket>) { buckets[index] = bucket }

    func bind(limit index: Int, meter: MeterTable) { meters[index] = Unmanaged.passUnretained(meter) }

    func bind(quota index: Int, counter: UnsafeMutablePointer<Atomic<UInt64>>) { quotaCounters[index] = counter }

    func bind(dynamicSet index: Int, table: DynamicSetTable) {
        tables.append(table)
        dynamicSets[index] = Unmanaged.passUnretained(table)
    }

    /// The table of dynamic set `index`.
    @inline(__always)
    func dynamicSet(_ index: Int) -> DynamicSetTable { dynamicSets[index]!.takeUnretainedValue() }

    /// Whether limit `index` lets a frame of `length` (kernel) bytes through at `now` (true also
    /// means "holds" for `over`: the limit's own polarity is applied). A meter whose key the
    /// frame lacks does not hold, as nft's protocol dependency would fail.
    @inline(__always)
    func limitHolds(_ index: Int, info: UnsafePointer<FrameInfo>, length: Int, now: UInt64) -> Bool {
        if let meter = meters[index] {
            guard let key = keys[index]?.key(from: info.pointee) else { return false }
            return meter.takeUnretainedValue().matches(key, length: length, now: now)
        }
        return buckets[index]!.pointee.matches(limits[index], length: length, now: now)
    }

    /// Counts `length` bytes into quota `index` and says whether the quota term holds: within the
    /// quota for `until`, beyond it for `over` (nft_quota: counted first, exhausted when > N).
    @inline(__always)
    func quotaHolds(_ index: Int, length: Int) -> Bool {
        let total = quotaCounters[index]!.pointee.wrappingAdd(UInt64(max(0, length)), ordering: .relaxed).newValue
        let exhausted = total > quotaBytes[index]
        return quotaOver[index] ? exhausted : !exhausted
    }
}
