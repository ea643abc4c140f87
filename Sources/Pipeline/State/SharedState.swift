import Frame
import Limits
import Ruleset
import Synchronization

/// What every forwarding thread of one bridge shares, and keeps across reloads: the byte counts
/// of `quota` terms (one budget, however many threads count into it), the dynamic sets (a
/// source added on one thread's flow is held for every thread) and the names flows are created
/// by. Looked up when a policy is bound to a thread, never per frame.
public final class SharedState: @unchecked Sendable {
    /// A quota's identity across reloads: its rule's name and its place among the rule's quotas.
    public struct QuotaKey: Hashable, Sendable {
        public var rule: String
        public var ordinal: Int
        public init(rule: String, ordinal: Int) {
            self.rule = rule
            self.ordinal = ordinal
        }
    }

    private struct Registry {
        /// Each quota's counter: allocated once, never freed (a few per policy ever loaded).
        var quotas: [QuotaKey: UnsafeMutablePointer<Atomic<UInt64>>] = [:]
        var creatorIDs: [String: UInt32] = [:]
        var creatorNames: [String] = []
        /// Each dynamic set's table, by its declaration and initial elements: an unchanged
        /// declaration finds its table (and its elements) again after a reload.
        var dynamicSets: [CompiledDynamicSet: DynamicSetTable] = [:]
        var seeds = SplitMix64(seed: UInt64.random(in: .min ... .max))
    }

    private let registry = Mutex(Registry())
    private let mtuA = Atomic<Int>(1500)
    private let mtuB = Atomic<Int>(1500)

    public init() {}

    /// The MTU of port a (0) or b (1), as the bridge found it when it prepared the ports (1500
    /// until then, and for checks, tests and replays): what `tcp option maxseg size set rt mtu`
    /// clamps to, read when a policy is bound to a thread.
    public func portMTU(_ port: UInt8) -> Int {
        port == 0 ? mtuA.load(ordering: .relaxed) : mtuB.load(ordering: .relaxed)
    }

    /// Records the ports' MTUs (before the forwarding threads start).
    public func setPortMTUs(a: Int, b: Int) {
        mtuA.store(a, ordering: .relaxed)
        mtuB.store(b, ordering: .relaxed)
    }

    deinit {
        registry.withLock { registry in
            for counter in registry.quotas.values {
                counter.deinitialize(count: 1)
                counter.deallocate()
            }
        }
    }

    /// The counter of the quota `key`, made (at 0) the first time it is asked for. The pointer
    /// stays valid for the state's life; threads add to it atomically.
    public func quotaCounter(_ key: QuotaKey) -> UnsafeMutablePointer<Atomic<UInt64>> {
        registry.withLock { registry in
            if let counter = registry.quotas[key] { return counter }
            let counter = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: 1)
            counter.initialize(to: Atomic(0))
            registry.quotas[key] = counter
            return counter
        }
    }

    /// Bytes the quota has counted (0 for one never used).
    public func quotaConsumed(_ key: QuotaKey) -> UInt64 {
        registry.withLock { $0.quotas[key]?.pointee.load(ordering: .relaxed) ?? 0 }
    }

    /// Starts every quota of `rule` from zero again; how many there were.
    @discardableResult
    public func resetQuotas(of rule: String) -> Int {
        registry.withLock { registry in
            var reset = 0
            for (key, counter) in registry.quotas where key.rule == rule {
                counter.pointee.store(0, ordering: .relaxed)
                reset += 1
            }
            return reset
        }
    }

    /// The table of the dynamic set `set`: the one an earlier policy with the same declaration
    /// and initial elements made, or a new one holding the initial elements (added at `now`).
    /// Tables the policies of `current` no longer declare are let go (a thread still on an
    /// older policy keeps its own reference until it moves on).
    public func dynamicSetTable(for set: CompiledDynamicSet, now: UInt64, current: [CompiledDynamicSet])
        -> DynamicSetTable
    {
        registry.withLock { registry in
            for key in registry.dynamicSets.keys where !current.contains(key) {
                registry.dynamicSets[key] = nil
            }
            if let table = registry.dynamicSets[set] { return table }
            let table: DynamicSetTable
            do {
                table = try DynamicSetTable(
                    capacity: set.spec.size, defaultTimeout: set.spec.timeout, seed: registry.seeds.next())
            } catch {
                preconditionFailure("a dynamic set's size was checked when the policy was read: \(error)")
            }
            for element in set.elements { _ = table.add(element, now: now) }
            registry.dynamicSets[set] = table
            return table
        }
    }

    /// The table held for `set`, if a policy bound it.
    public func existingDynamicSetTable(for set: CompiledDynamicSet) -> DynamicSetTable? {
        registry.withLock { $0.dynamicSets[set] }
    }

    /// A small number for `name` (a rule name, or `default`), the same every time: what a flow
    /// records as the rule that created it.
    public func creatorID(for name: String) -> UInt32 {
        registry.withLock { registry in
            if let id = registry.creatorIDs[name] { return id }
            let id = UInt32(registry.creatorNames.count)
            registry.creatorIDs[name] = id
            registry.creatorNames.append(name)
            return id
        }
    }

    /// The name behind a creator id (nil for one this state never gave out).
    public func creatorName(_ id: UInt32) -> String? {
        registry.withLock { Int(id) < $0.creatorNames.count ? $0.creatorNames[Int(id)] : nil }
    }
}
