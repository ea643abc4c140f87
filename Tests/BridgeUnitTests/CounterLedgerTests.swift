import Pipeline
import Testing

@testable import Bridge

@Suite("Counter ledger")
struct CounterLedgerTests {
    static func counters(_ ruleCount: Int, _ counts: [(slot: Int, frames: Int, bytes: Int)]) -> RuleCounters {
        let counters = RuleCounters(ruleCount: ruleCount)
        for count in counts {
            for _ in 0..<count.frames { counters.add(slot: count.slot, bytes: count.bytes) }
        }
        return counters
    }

    @Test func threadsAddUpAndCountsCarryOverAReloadByName() {
        let ledger = CounterLedger()
        ledger.switchTo(thread: 0, names: ["a", "b"], counters: Self.counters(2, [(0, 2, 100), (2, 1, 60)]))
        ledger.switchTo(thread: 1, names: ["a", "b"], counters: Self.counters(2, [(0, 1, 100), (1, 3, 10)]))
        var totals = ledger.totals(for: ["a", "b"])
        #expect(totals.rules == [RuleCount(packets: 3, bytes: 300), RuleCount(packets: 3, bytes: 30)])
        #expect(totals.default == RuleCount(packets: 1, bytes: 60))
        // A reload renames b to c and keeps a: a's counts stay, c starts at zero.
        ledger.switchTo(thread: 0, names: ["a", "c"], counters: Self.counters(2, [(1, 5, 1)]))
        ledger.switchTo(thread: 1, names: ["a", "c"], counters: Self.counters(2, [(0, 1, 7)]))
        totals = ledger.totals(for: ["a", "c"])
        #expect(totals.rules == [RuleCount(packets: 4, bytes: 307), RuleCount(packets: 5, bytes: 5)])
        #expect(totals.default == RuleCount(packets: 1, bytes: 60))
        // b comes back in a later policy: its old counts come back with it.
        #expect(ledger.totals(for: ["b"]).rules == [RuleCount(packets: 3, bytes: 30)])
    }

    @Test func aRetiredThreadsCountsStay() {
        let ledger = CounterLedger()
        ledger.switchTo(thread: 0, names: ["a"], counters: Self.counters(1, [(0, 4, 10)]))
        ledger.retire(thread: 0)
        #expect(ledger.totals(for: ["a"]).rules == [RuleCount(packets: 4, bytes: 40)])
    }
}
