import Foundation
import TestSupport
import Testing

/// `bridgekeeper check`, run as a person would: exit status, messages, JSON.
@Suite struct CheckCommandTests {
    static func write(_ text: String, name: String = "p.policy") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bk-cli-\(getpid())-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func check(_ arguments: [String]) throws -> CommandResult {
        Shell.result([try BridgekeeperBinary.path, "check"] + arguments)
    }

    @Test func aCleanPolicyExitsZeroAndSaysSo() throws {
        let path = try Self.write("version 1\ndefault forward\nrule \"x\" {\n    match tcp dport 23\n    drop\n}\n")
        let result = try Self.check([path])
        #expect(result.status == 0)
        #expect(result.output == "\(path): ok: 1 rule, 0 of 0 tests passed\n")
    }

    @Test func errorsExitOneWithFileLineColumnAndACaret() throws {
        let path = try Self.write("version 1\ndefault forward\nrule \"x\" {\n    match tcp dport 70000\n    drop\n}\n")
        let result = try Self.check([path])
        #expect(result.status == 1)
        let lines = result.errors.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("\(path):4:21: error: ") == true, "\(result.errors)")
        #expect(lines.count >= 3 && lines[1] == "    match tcp dport 70000" && lines[2] == "                    ^~~~~")
    }

    @Test func warningsExitTwoOnlyUnderStrict() throws {
        let path = try Self.write(
            "version 1\ndefine UNUSED = 1\ndefault forward\nrule \"x\" {\n    match tcp dport 23\n    drop\n}\n")
        #expect(try Self.check([path]).status == 0)
        let strict = try Self.check(["--strict", path])
        #expect(strict.status == 2)
        #expect(strict.errors.contains("warning: define '$UNUSED' is never used"))
    }

    @Test func aFailingTestBlockExitsOne() throws {
        let path = try Self.write(
            "version 1\ndefault forward\ntest \"t\" {\n    packet tcp dport 23\n    expect drop\n}\n")
        let result = try Self.check([path])
        #expect(result.status == 1)
        #expect(result.errors.contains("\(path):3:1: error: test \"t\" failed: expected drop, got forward by default"))
    }

    @Test func jsonCarriesTheDiagnosticsAndTests() throws {
        let path = try Self.write(
            "version 1\ndefault forward\nrule \"x\" {\n    match bpf \"tcp port 23\"\n    drop\n}\n"
                + "test \"t\" {\n    packet tcp dport 23\n    expect drop by \"x\"\n}\n")
        let result = try Self.check(["--json", path])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == true)
        #expect(object["rules"] as? Int == 1)
        let tests = try #require(object["tests"] as? [[String: Any]])
        #expect(tests.first?["passed"] as? Bool == true)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.first?["code"] as? String == "not-mirrorable", "a bpf rule cannot go to nftables")
        #expect(diagnostics.first?["line"] as? Int == 3)
    }

    @Test func printNftShowsTheMirrorAndNftAcceptsIt() throws {
        let path = try Self.write(
            "version 1\ndefault drop\nrule \"web\" {\n    match iif a tcp dport { 80, 443 }\n    forward\n}\n")
        let result = try Self.check(["--print-nft", "--port-a", "eth1", "--port-b", "eth2", path])
        #expect(result.status == 0)
        #expect(result.output.contains("policy drop;"))
        #expect(result.output.contains("meta iifname \"eth1\" tcp dport { 80, 443 } counter accept comment \"web\""))
        let parsed = Shell.result(["nft", "-c", "-f", "-"], input: result.output)
        #expect(parsed.succeeded, "\(parsed.errors)")
    }

    /// `iifname` needs the bridge's ports: `check` resolves it with --port-a/--port-b, and
    /// without them says so at the name.
    @Test func interfaceNamesAreResolvedAgainstThePortsGiven() throws {
        let path = try Self.write(
            "version 1\ndefault forward\nrule \"x\" {\n    match oifname \"eth2\" tcp dport ssh\n    drop\n}\n")
        let resolved = try Self.check(["--print-nft", "--port-a", "eth1", "--port-b", "eth2", path])
        #expect(resolved.status == 0, "\(resolved.errors)")
        #expect(resolved.output.contains("meta iifname \"eth1\" tcp dport 22 counter drop comment \"x\""))
        let unresolved = try Self.check([path])
        #expect(unresolved.status == 1)
        #expect(
            unresolved.errors.hasPrefix(
                "\(path):4:19: error: oifname \"eth2\" names an interface, and the bridge's ports are not known here"),
            "\(unresolved.errors)")
        let wrong = try Self.check(["--port-a", "eth7", "--port-b", "eth8", path])
        #expect(
            wrong.errors.contains(
                "oifname \"eth2\" is neither port of the bridge: port a is \"eth7\", port b is \"eth8\""))
        let half = try Self.check(["--port-a", "eth1", path])
        #expect(half.status != 0 && half.errors.contains("give both --port-a and --port-b"), "\(half.errors)")
    }

    @Test func aMissingFileIsOneLine() throws {
        let result = try Self.check(["/nonexistent/policy"])
        #expect(result.status == 1)
        #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
        #expect(result.errors.contains("/nonexistent/policy"))
    }
}
