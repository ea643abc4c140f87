import Mirror
import Policy
import Testing

/// `vmap @NAME` is mirrored as the inline map with its elements is: the same nft rules,
/// chains and sets.
@Suite struct PlannerNamedVerdictMapTests {
    static func plan(_ body: String) throws -> MirrorPlan {
        let text = "version 1\ndefault forward\n" + body
        let result = PolicyReader.parse(text: text, path: "t.policy")
        let policy = try #require(result.policy, "\(result.diagnostics.map(\.rendered))")
        return MirrorPlanner.plan(policy, ports: P.ports)
    }

    @Test func theNamedMapIsPlannedAsTheInlineMap() throws {
        let chain = "chain web {\n    rule \"alt\" {\n        match tcp dport 8080\n        drop\n    }\n}\n"
        let inline = try Self.plan(
            chain + "rule \"ports\" {\n    tcp dport vmap { 22 : drop, 80 : accept, 8000-8080 : jump web }\n}\n")
        let named = try Self.plan(
            "map services { type inet_service : verdict; elements = { 22 : drop, 80 : accept, 8000-8080 : jump web } }\n"
                + chain + "rule \"ports\" {\n    tcp dport vmap @services\n}\n")
        #expect(!inline.rules(in: "forward").isEmpty)
        #expect(NftText.render(named) == NftText.render(inline))
    }
}
