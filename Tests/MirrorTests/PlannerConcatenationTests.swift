import Mirror
import Policy
import Testing

/// A concatenation in the kernel: one copy of the rule per tuple where that decides exactly what
/// the rule does, and the rule left out (or, dropping, widened) with a note where it does not.
@Suite struct PlannerConcatenationTests {
    static func plan(_ rules: String) throws -> MirrorPlan {
        let text = "version 1\ndefault forward\n" + rules
        let checked = PolicyReader.parse(text: text, path: "t.policy", ports: PortInterfaces(a: "pa", b: "pb"))
        let policy = try #require(checked.policy, "\(checked.diagnostics.map(\.rendered))")
        return MirrorPlanner.plan(policy, ports: P.ports)
    }

    static func texts(_ plan: MirrorPlan, chain: String = "forward") -> [String] {
        plan.rules.filter { $0.chain == chain }.map(\.text).filter { !$0.hasPrefix("meta protocol") }
    }

    @Test func eachTupleIsACopyOfTheRule() throws {
        let plan = try Self.plan(
            """
            set pairs { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 22, 198.18.1.0/24 . 443 } }
            rule "pairs" {
                match ip saddr . tcp dport @pairs ip ttl 64
                drop
            }
            """)
        #expect(
            Self.texts(plan) == [
                "ip saddr 198.18.0.1 tcp dport 22 ip ttl 64 counter drop",
                "ip saddr 198.18.1.0/24 tcp dport 443 ip ttl 64 counter drop",
            ])
        #expect(plan.mirroredRuleNames == ["pairs"])
    }

    @Test func overlappingTuplesAreExactOnlyInARuleThatJustDecides() throws {
        let tuples = "{ 198.18.0.0/24 . 22, 198.18.0.1 . 20-30 }"
        let decides = try Self.plan("rule \"d\" {\n    match ip saddr . tcp dport \(tuples)\n    drop\n}\n")
        #expect(Self.texts(decides).count == 2)
        // A rule that goes on would run its statements twice for 198.18.0.1:22.
        let goesOn = try Self.plan(
            "rule \"g\" {\n    match ip saddr . tcp dport \(tuples)\n    ip dscp set cs1\n}\n")
        #expect(!goesOn.mirroredRuleNames.contains("g"))
        #expect(goesOn.notes.contains { $0.rule == "g" && $0.message.contains("its tuples overlap") })
        // A meter's bucket would be asked twice.
        let limited = try Self.plan(
            "rule \"l\" {\n    match ip saddr . tcp dport \(tuples) limit rate 10/second\n    forward\n}\n")
        #expect(!limited.mirroredRuleNames.contains("l"))
    }

    @Test func aNegatedConcatenationWidensADropAndLeavesOutAnAccept() throws {
        let tuples = "!= { 198.18.0.1 . 22 }"
        let dropping = try Self.plan(
            "rule \"d\" {\n    match ip saddr . tcp dport \(tuples) tcp dport 22\n    drop\n}\n")
        #expect(Self.texts(dropping) == ["tcp dport 22 counter drop"])
        #expect(dropping.notes.contains { $0.rule == "d" && $0.message.contains("without checking") })
        let accepting = try Self.plan(
            "rule \"a\" {\n    match ip saddr . tcp dport \(tuples) tcp dport 22\n    forward\n}\n")
        #expect(!accepting.mirroredRuleNames.contains("a"))
    }

    @Test func moreTuplesThanCopiesStayOneTerm() throws {
        let elements = (0..<300).map { "198.18.\($0 / 200).\($0 % 200 + 1) . 22" }.joined(separator: ", ")
        let plan = try Self.plan("rule \"many\" {\n    match ip saddr . tcp dport { \(elements) }\n    forward\n}\n")
        #expect(!plan.mirroredRuleNames.contains("many"))
        #expect(plan.notes.contains { $0.rule == "many" && $0.message.contains("more than 256 tuples") })
    }
}
