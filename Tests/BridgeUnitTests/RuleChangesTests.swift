import Loader
import Policy
import Testing

@testable import Bridge

@Suite("Rule changes between policies")
struct RuleChangesTests {
    static func policy(_ text: String) throws -> Policy {
        try #require(PolicyLoader.load(text: "version 1\ndefault forward\n" + text, path: "t.policy").loaded)
            .compiled.policy
    }

    @Test func addedRemovedAndChangedRulesAreNamed() throws {
        let old = try Self.policy(
            "rule \"a\" {\n match tcp dport 1\n drop\n}\nrule \"b\" {\n match tcp dport 2\n drop\n}\n")
        let new = try Self.policy(
            "rule \"a\" {\n match tcp dport 9\n drop\n}\nrule \"c\" {\n match tcp dport 3\n drop\n}\n")
        let change = RuleChanges(from: old, to: new)
        #expect(change.added == ["c"] && change.removed == ["b"] && change.changed == ["a"])
        #expect(change.summary == "+1 -1 ~1 (added: c; removed: b; changed: a)")
    }

    @Test func movingARuleToAnotherLineIsNotAChange() throws {
        let old = try Self.policy("rule \"a\" {\n match tcp dport 1\n log prefix \"x\"\n drop\n}\n")
        let new = try Self.policy("\n\n\n   rule \"a\" {\n      match tcp dport 1\n   log prefix \"x\"\n drop\n}\n")
        #expect(RuleChanges(from: old, to: new).summary == "no rule changed")
    }
}
