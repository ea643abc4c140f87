import Pipeline
import Synchronization

/// Adds up rule counters across forwarding threads and across reloads, by rule name.
///
/// Each thread registers the counters it writes for the generation it runs. When it switches to
/// a new generation it retires the old block: its final values are folded into a per-name base,
/// so a rule's counts carry over a reload as long as its name stays.
public final class CounterLedger: @unchecked Sendable {
    private struct Live {
        var names: [String]
        var counters: RuleCounters
    }

    private struct State {
        var base: [String: RuleCount] = [:]
        var defaultBase = RuleCount()
        /// By thread number.
        var live: [Int: Live] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Thread `thread` now counts into `counters` for a policy with these rule names; the block
    /// it counted into before (if any) is folded into the base.
    public func switchTo(thread: Int, names: [String], counters: RuleCounters) {
        state.withLock { state in
            if let old = state.live[thread] { Self.fold(old, into: &state) }
            state.live[thread] = Live(names: names, counters: counters)
        }
    }

    /// Thread `thread` stopped: its counts stay in the base.
    public func retire(thread: Int) {
        state.withLock { state in
            if let old = state.live.removeValue(forKey: thread) { Self.fold(old, into: &state) }
        }
    }

    /// Totals for `names` (the rules in force) and the default.
    public func totals(for names: [String]) -> (rules: [RuleCount], default: RuleCount) {
        state.withLock { state in
            var byName = state.base
            var defaultCount = state.defaultBase
            for live in state.live.values {
                let snapshot = live.counters.snapshot()
                for (i, name) in live.names.enumerated() { byName[name, default: RuleCount()] += snapshot[i] }
                defaultCount += snapshot[snapshot.count - 1]
            }
            return (names.map { byName[$0] ?? RuleCount() }, defaultCount)
        }
    }

    private static func fold(_ live: Live, into state: inout State) {
        let snapshot = live.counters.snapshot()
        for (i, name) in live.names.enumerated() { state.base[name, default: RuleCount()] += snapshot[i] }
        state.defaultBase += snapshot[snapshot.count - 1]
    }
}
