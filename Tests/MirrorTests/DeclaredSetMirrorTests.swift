import Mirror
import Policy
import Testing

/// A set declared nft's way (`set NAME { type ...; elements = { ... } }`) mirrors exactly as the
/// same set written `set NAME = { ... }`.
@Suite struct DeclaredSetMirrorTests {
    private func plan(sets: String) throws -> MirrorPlan {
        let text =
            "version 1\ndefault forward\n\(sets)\n"
            + "rule \"r\" { match ip saddr @blocked tcp dport != @web; drop }\n"
        let result = PolicyReader.parse(text: text, path: "t.policy")
        let policy = try #require(result.policy, "\(result.diagnostics.map(\.rendered))")
        return MirrorPlanner.plan(policy, ports: P.ports)
    }

    @Test func aDeclaredSetMirrorsAsTheWrittenOne() throws {
        let declared = try plan(
            sets: "set blocked {\n    type ipv4_addr\n    flags interval\n"
                + "    elements = { 198.18.0.0/24, 198.18.7.1 }\n}\n"
                + "set web { type inet_service; flags constant; elements = { 80, 443 } }")
        let written = try plan(sets: "set blocked = { 198.18.0.0/24, 198.18.7.1 }\nset web = { 80, 443 }")
        #expect(declared.policySets.map(\.name) == ["blocked", "web"])
        #expect(declared.policySets == written.policySets)
        #expect(declared.rules.map(\.text) == written.rules.map(\.text))
        #expect(declared.rules.map(\.expressions) == written.rules.map(\.expressions))
    }
}
