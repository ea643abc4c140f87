import Foundation
import Loader
import NftImport
import TestSupport
import Testing

/// The shipped rulesets, read by nft itself, imported, and checked as `bridgekeeper check` does
/// (root: nft runs in a namespace).
@Suite(.serialized) struct RulesetImportTests {
    @Test func aBridgeFilterWithARPLimitsImportsAndChecksClean() async throws {
        let json = try await Rulesets.json(loading: Rulesets.path("bridge-arp.nft"))
        let result = try NftImporter.importRuleset(
            json: json, options: .init(ports: PortNames(a: "eth0", b: "eth1")))
        #expect(result.chain.qualifiedName == "bridge filter forward")
        #expect(result.needs.isEmpty && result.leftOut.isEmpty)
        #expect(result.policy.contains("match iif a arp operation reply limit rate 5/second burst 2 packets\n"))
        #expect(result.policy.contains("set trusted_macs = { 02:00:00:00:01:01, 02:00:00:00:01:02 }\n"))
        let report = Fixture.check(result.policy)
        #expect(report.loaded != nil && report.errors.isEmpty, "\(Rulesets.errors(report))")
        #expect(report.tests.count == result.testsKept && result.testsKept >= 6)
        #expect(report.tests.allSatisfy { $0.passed })
        #expect(result.policy.contains("# no test for rule \"ping-flood\": a limit over the rate matches only once"))
    }

    @Test func aPortKnockWithDynamicSetsImportsAndChecksClean() async throws {
        let json = try await Rulesets.json(loading: Rulesets.path("port-knock.nft"))
        let result = try NftImporter.importRuleset(json: json)
        #expect(result.leftOut.isEmpty, "\(result.leftOut)")
        #expect(
            result.policy.contains("set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 65536; }\n"),
            "\(result.policy)")
        #expect(
            result.policy.contains(
                "set dns_clients { type ipv4_addr; flags dynamic,timeout; timeout 300s; size 65535; }\n"))
        #expect(result.policy.contains("    match tcp dport 7000\n    add @knocked { ip saddr }\n    drop\n"))
        #expect(result.policy.contains("    match tcp dport 22 ip saddr @knocked\n    forward\n"))
        #expect(result.policy.contains("    update @dns_clients { ip saddr timeout 600s }\n    forward\n"))
        let report = Fixture.check(result.policy)
        #expect(report.loaded != nil && report.errors.isEmpty, "\(Rulesets.errors(report))")
        #expect(report.tests.allSatisfy { $0.passed })
    }

    @Test func aHostFirewallKeepsOnlyItsForwardChain() async throws {
        let json = try await Rulesets.json(loading: Rulesets.path("host-firewall.nft"))
        let result = try NftImporter.importRuleset(json: json)
        #expect(result.policy.contains("\ndefault drop\n"))
        #expect(
            result.leftOut.prefix(2) == [
                "chain inet filter input left out: input chains filter what is addressed to the host itself, never a bridge's forwarded frames",
                "chain inet filter output left out: output chains filter what the host itself sends, never a bridge's forwarded frames",
            ])
        #expect(result.policy.contains("left out: fib: a bridge makes no routing decision to look up"))
        // nft dropped `meta nfproto ipv6` (implied by ip6 saddr); `tcp dport != 22` needs tcp.
        #expect(
            result.policy.contains(
                "match meta l4proto tcp ip saddr 198.18.10.0/24 ip daddr 198.18.20.0/24 tcp dport != 22\n"))
        #expect(result.policy.contains("    reject with icmpx type port-unreachable\n"))
        let report = Fixture.check(result.policy)
        #expect(report.loaded != nil && report.errors.isEmpty, "\(Rulesets.errors(report))")
        #expect(report.tests.count == 4 && report.tests.allSatisfy { $0.passed })
    }

    @Test func theCommandReadsAnNftFileAndItsPolicyPassesCheck() throws {
        let folder = try Rulesets.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("bridge.policy").path
        let binary = try BridgekeeperBinary.path
        let imported = Shell.result([
            binary, "import-nft", "--nft-file", Rulesets.path("bridge-arp.nft"), "--port-a", "eth0", "--port-b", "eth1",
            "-o", output,
        ])
        #expect(imported.status == 0, "\(imported.errors)")
        #expect(imported.errors.contains("import-nft: chain bridge filter forward: 0 left out, 7 tests kept"))
        let checked = Shell.result([binary, "check", output])
        #expect(checked.status == 0, "\(checked.errors)")
        #expect(checked.output == "\(output): ok: 10 rules, 7 of 7 tests passed\n")
        let namespaces = try Shell.run("ip", "netns", "list")
        #expect(!namespaces.contains("bk-import-"), "the scratch namespace is removed")
    }

    @Test func theCommandReadsJSONFromStandardInputAndSaysWhatIsWrong() throws {
        let binary = try BridgekeeperBinary.path
        let json = Fixture.json([#"[\#(Fixture.match(Fixture.payload("tcp", "dport"), "23")), \#(Fixture.drop)]"#])
        let imported = Shell.result([binary, "import-nft", "-"], input: json)
        #expect(imported.status == 0, "\(imported.errors)")
        #expect(imported.output.contains("rule \"forward-1\" {\n    match tcp dport 23\n    drop\n}"))
        let broken = Shell.result([binary, "import-nft", "-"], input: "{\"nftables\": [")
        #expect(broken.status == 1)
        #expect(broken.errors == "import-nft: -: the input is not JSON: 1:15: unexpected end of input\n")
        let missing = Shell.result([binary, "import-nft", "--nft-file", "/nonexistent.nft"])
        #expect(missing.status == 1 && missing.errors == "import-nft: cannot read /nonexistent.nft\n")
    }
    @Test func withoutTheRightToMakeANamespaceTheCommandSaysWhatToDoInOneLine() throws {
        // The checkout may sit where `nobody` cannot reach (a 0700 temporary folder): run copies
        // from a folder anyone can read, so the only refusal left is the namespace's.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bk-import-nobody-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let binary = folder.appendingPathComponent("bridgekeeper").path
        let ruleset = folder.appendingPathComponent("bridge-arp.nft").path
        try FileManager.default.copyItem(atPath: try BridgekeeperBinary.path, toPath: binary)
        try FileManager.default.copyItem(atPath: Rulesets.path("bridge-arp.nft"), toPath: ruleset)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ruleset)
        let unprivileged = Shell.result(["runuser", "-u", "nobody", "--", binary, "import-nft", "--nft-file", ruleset])
        #expect(unprivileged.status == 1)
        let lines = unprivileged.errors.split(separator: "\n")
        #expect(lines.count == 1, "\(unprivileged.errors)")
        #expect(lines.first?.hasPrefix("import-nft: cannot create a network namespace for nft to read ") == true)
        #expect(lines.first?.hasSuffix("; run as root, or pass the JSON of `nft -j list ruleset` instead") == true)
    }

    @Test func theTableAndChainOptionsChooseTheChain() throws {
        let binary = try BridgekeeperBinary.path
        let json = Fixture.json(
            [#"[{"jump": {"target": "inner"}}]"#],
            chains: [("inner", [#"[\#(Fixture.match(Fixture.payload("tcp", "dport"), "22")), \#(Fixture.drop)]"#])])
        let inner = Shell.result(
            [binary, "import-nft", "-", "--table", "inet", "filter", "--chain", "inner"], input: json)
        #expect(inner.status == 0, "\(inner.errors)")
        #expect(inner.output.contains("rule \"inner-2\" {\n    match tcp dport 22\n    drop\n}"))
        #expect(inner.output.contains("# chain inet filter forward left out: not the chain chosen"))
        let missing = Shell.result(
            [binary, "import-nft", "-", "--table", "inet", "filter", "--chain", "nope"], input: json)
        #expect(missing.status == 1 && missing.errors == "import-nft: -: no chain nope in table inet filter\n")
    }
}
