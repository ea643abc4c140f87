import Mirror
import Policy
import Testing

/// An ordering is the range it holds for, in the kernel too: the mirror plans `tcp dport > 1023`
/// exactly as `tcp dport 1024-65535` (nft compiles both to the same two comparisons).
@Suite struct PlannerOrderingTests {
    private func lines(_ line: String) -> [[String]] {
        PlannerNftFieldTests.plan(line).rules(in: "forward").map { $0.expressions.map(\.description) }
    }

    @Test func anOrderingIsPlannedAsItsRange() {
        #expect(lines("tcp dport > 1023") == lines("tcp dport 1024-65535"))
        #expect(lines("ip ttl < 5") == lines("ip ttl 0-4"))
        #expect(lines("meta length >= 1000") == lines("meta length 1000-65535"))
        // Two on one field: both comparisons, one after the other.
        #expect(
            lines("tcp dport >= 1024 tcp dport <= 2000").first?.dropLast(2) == [
                "[ meta load l4proto => reg 1 ]", "[ cmp eq reg 1 0x00000006 ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]", "[ cmp gte reg 1 0x00000004 ]",
                "[ cmp lte reg 1 0x0000ffff ]",
                "[ payload load 2b @ transport header + 2 => reg 1 ]", "[ cmp gte reg 1 0x00000000 ]",
                "[ cmp lte reg 1 0x0000d007 ]",
            ])
        #expect(
            lines("tcp dport > 1023").first?.suffix(5).prefix(3) == [
                "[ payload load 2b @ transport header + 2 => reg 1 ]",
                "[ cmp gte reg 1 0x00000004 ]",
                "[ cmp lte reg 1 0x0000ffff ]",
            ])
    }
}
