import Flow
import Frame
import Limits
import Policy
import Ruleset

/// What one forwarding thread keeps from frame to frame beyond a compiled policy, and across
/// reloads: its flow table, the token buckets and meters of `limit` terms, the bucket that paces
/// `reject`'s answers, and the bridge-wide ``SharedState``.
///
/// A new policy is bound to it (``bind(_:now:)``) on the thread that owns it, between batches:
/// a `limit` whose rule, place and settings did not change keeps its bucket (a reload grants no
/// fresh burst), everything else starts full.
public final class ThreadState: @unchecked Sendable {
    public let shared: SharedState
    /// The flow table (nil: no tracking, `run --flows 0`).
    public let flows: FlowTable?
    /// The answer rate's limit and its bucket.
    public private(set) var answerLimit: RateLimit
    var answerBucket: TokenBucket

    /// A limit's identity across reloads.
    struct LimitKey: Hashable {
        var rule: String
        var ordinal: Int
        var limit: RateLimit
        var key: [MeterKeyField]
        var meterSize: Int
    }

    private var buckets: [LimitKey: UnsafeMutablePointer<TokenBucket>] = [:]
    private var meters: [LimitKey: MeterTable] = [:]
    private var random: SplitMix64

    /// State for one thread with a flow table of `flowCapacity` (0: none).
    public init(shared: SharedState, flowCapacity: Int, settings: FlowSettings = FlowSettings(), seed: UInt64)
        throws(FlowTableError)
    {
        self.shared = shared
        self.flows = flowCapacity > 0 ? try FlowTable(capacity: flowCapacity, settings: settings, seed: seed) : nil
        self.random = SplitMix64(seed: seed ^ 0x5bd1_e995)
        self.answerLimit = StateDefaults.defaultAnswerRate
        self.answerBucket = TokenBucket(full: answerLimit, now: 0)
    }

    /// A fresh state for checks, tests and replays: its own shared state and a small flow table.
    public static func standalone(flowCapacity: Int = 4096) -> ThreadState {
        do {
            return try ThreadState(shared: SharedState(), flowCapacity: flowCapacity, seed: 0x0123_4567_89ab_cdef)
        } catch {
            preconditionFailure("a \(flowCapacity)-flow table is always possible: \(error)")
        }
    }

    deinit {
        for bucket in buckets.values { bucket.deallocate() }
    }

    /// The state `policy`'s stateful terms read, bound for this thread: kept where the policy
    /// kept them, new and full elsewhere; what the policy no longer names is let go. The flow
    /// table takes the policy's timeouts and pickup, keeping every flow.
    func bind(_ policy: CompiledPolicy, now: UInt64) -> StateBinding {
        let defaults = policy.policy.stateDefaults
        flows?.apply(defaults.flows)
        if defaults.answerRate != answerLimit {
            answerLimit = defaults.answerRate
            answerBucket = TokenBucket(full: answerLimit, now: now)
        }
        var keptBuckets: [LimitKey: UnsafeMutablePointer<TokenBucket>] = [:]
        var keptMeters: [LimitKey: MeterTable] = [:]
        let binding = StateBinding(policy: policy)
        for (index, limit) in policy.limits.enumerated() {
            let key = LimitKey(
                rule: limit.ruleName, ordinal: limit.ordinal, limit: limit.limit, key: limit.key,
                meterSize: limit.key.isEmpty ? 0 : defaults.meterSize)
            if limit.key.isEmpty {
                let bucket = keptBuckets[key] ?? buckets.removeValue(forKey: key) ?? Self.newBucket(limit.limit, now)
                keptBuckets[key] = bucket
                binding.bind(limit: index, bucket: bucket)
            } else {
                let meter = keptMeters[key] ?? meters.removeValue(forKey: key) ?? newMeter(limit, size: key.meterSize)
                keptMeters[key] = meter
                binding.bind(limit: index, meter: meter)
            }
        }
        for bucket in buckets.values { bucket.deallocate() }
        buckets = keptBuckets
        meters = keptMeters
        for (index, quota) in policy.quotas.enumerated() {
            binding.bind(
                quota: index,
                counter: shared.quotaCounter(SharedState.QuotaKey(rule: quota.ruleName, ordinal: quota.ordinal)))
        }
        for (index, set) in policy.dynamicSets.enumerated() {
            binding.bind(
                dynamicSet: index, table: shared.dynamicSetTable(for: set, now: now, current: policy.dynamicSets))
        }
        return binding
    }

    /// Meter evictions so far, by rule name (the owner thread reads them, for status).
    public func meterEvictions() -> [String: UInt64] {
        var evictions: [String: UInt64] = [:]
        for (key, meter) in meters { evictions[key.rule, default: 0] += meter.evictions }
        return evictions
    }

    /// Whether an answer may go out at `now` (the answer rate's bucket takes one token).
    @inline(__always)
    func admitAnswer(now: UInt64) -> Bool {
        answerBucket.matches(answerLimit, length: 0, now: now)
    }

    private static func newBucket(_ limit: RateLimit, _ now: UInt64) -> UnsafeMutablePointer<TokenBucket> {
        let bucket = UnsafeMutablePointer<TokenBucket>.allocate(capacity: 1)
        bucket.initialize(to: TokenBucket(full: limit, now: now))
        return bucket
    }

    private func newMeter(_ limit: CompiledLimit, size: Int) -> MeterTable {
        do {
            return try MeterTable(limit: limit.limit, capacity: size, seed: random.next())
        } catch {
            preconditionFailure("meter-size was checked when the policy was read: \(error)")
        }
    }
}
