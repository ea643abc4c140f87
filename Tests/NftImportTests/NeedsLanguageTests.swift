import Foundation
import Loader
import NftImport
import Policy
import Testing

/// Imports that use the constructs the language gained for rulesets written for nft (chains,
/// non-terminal rules, iifname, concatenations): each imported policy must check clean and
/// pass the test blocks derived for it.
@Suite struct NeedsLanguageTests {
    typealias F = Fixture

    /// For constructs the language has: the imported policy checks clean and its tests pass.
    static func expectChecksCleanNow(_ policy: String) {
        let report = F.check(policy)
        #expect(report.errors.isEmpty, "\(Rulesets.errors(report))\n\(policy)")
        #expect(report.tests.allSatisfy { $0.passed })
    }

    @Test func aHomeRoutersForwardChainWithVmapsAndAJumpChecks() async throws {
        let json = try await Rulesets.json(loading: Rulesets.path("home-router.nft"))
        let result = try NftImporter.importRuleset(json: json, options: .init(ports: PortNames(a: "lan0", b: "wan0")))
        #expect(result.needs == ["chains"])
        #expect(
            result.policy.contains(
                "rule \"forward-16-2\" {\n    match iif b ip daddr 198.18.0.10 tcp dport 80\n    jump web\n}"))
        #expect(result.policy.contains("chain web {\n    rule \"known-scanners\" {"))
        #expect(
            result.policy.contains(
                "        match limit rate 20/second burst 40 packets tcp flags syn tcp flags != ack\n"))
        #expect(result.policy.contains("# chain ip nat postrouting left out: NAT"))
        Self.expectChecksCleanNow(result.policy)
    }

    @Test func chainsWithJumpGotoAndReturn() throws {
        let result = try F.imported(
            [
                #"[\#(F.match(F.meta("l4proto"), #""tcp""#)), {"jump": {"target": "tcp_in"}}]"#,
                #"[{"goto": {"target": "last"}}]"#,
            ],
            chains: [
                ("tcp_in", [#"[\#(F.match(F.payload("tcp", "dport"), "22")), \#(F.accept)]"#, #"[{"return": null}]"#]),
                ("last", [#"[\#(F.match(F.payload("udp", "dport"), "53")), \#(F.accept)]"#]),
            ], policy: "drop")
        Self.expectChecksCleanNow(result.policy)
    }

    @Test func nonTerminalRules() throws {
        let result = try F.imported([
            #"[\#(F.match(F.payload("udp", "dport"), "5060")), {"mangle": {"key": \#(F.payload("ip", "dscp")), "value": "cs3"}}]"#,
            #"[\#(F.match(F.payload("udp", "dport"), "5060")), \#(F.accept)]"#,
        ])
        Self.expectChecksCleanNow(result.policy)
    }

    /// Without --port-a/--port-b the import keeps the interface name; the policy then checks
    /// only where the bridge's ports are known, and a check without them says so at the name.
    @Test func interfaceNamesWithoutPorts() throws {
        let result = try F.imported([#"[\#(F.match(F.meta("iifname"), #""eth0""#)), \#(F.drop)]"#])
        #expect(result.policy.contains("match iifname \"eth0\"\n"), "\(result.policy)")
        let unresolved = F.check(result.policy)
        #expect(unresolved.loaded == nil)
        #expect(
            unresolved.errors.map(\.message) == [
                "iifname \"eth0\" names an interface, and the bridge's ports are not known here: check with "
                    + "--port-a NAME --port-b NAME (run resolves it against its own --port-a and --port-b), or "
                    + "write iif a or iif b"
            ])
        let resolved = PolicyLoader.load(
            text: result.policy, path: "imported.policy", ports: PortInterfaces(a: "eth0", b: "eth1"))
        #expect(resolved.errors.isEmpty, "\(Rulesets.errors(resolved))\n\(result.policy)")
        guard case .field(let match)? = resolved.loaded?.compiled.policy.rules.first?.match.first else {
            Issue.record("the imported rule has no field match")
            return
        }
        #expect(match.field == .iif && match.values == [ValueInterval(0)] && !match.negated)
    }

    @Test func concatenationsAndTheirSetDeclarations() throws {
        let set =
            #"{"set": {"family": "inet", "name": "pairs", "table": "filter", "type": ["ipv4_addr", "inet_service"], "handle": 4, "elem": [{"concat": ["198.18.0.1", 22]}]}}"#
        let left = #"{"concat": [\#(F.payload("ip", "saddr")), \#(F.payload("tcp", "dport"))]}"#
        let result = try F.imported(
            [
                #"[\#(F.match(left, #""@pairs""#)), \#(F.accept)]"#,
                #"[\#(F.match(left, #"{"set": [{"concat": ["198.18.0.2", 443]}]}"#)), \#(F.accept)]"#,
            ], sets: [set], policy: "drop")
        #expect(result.policy.contains("set pairs { type ipv4_addr . inet_service; elements = { 198.18.0.1 . 22 } }\n"))
        #expect(result.needs.isEmpty)
        Self.expectChecksCleanNow(result.policy)
    }
}
