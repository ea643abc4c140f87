import Foundation
import TestSupport
import Testing

/// `run` refuses what it cannot do with one clear line and a non-zero exit, and leaves the
/// interfaces exactly as it found them.
@Suite(.serialized) struct BadInputTests {
    static let passAll = "version 1\ndefault forward\n"

    func offloads(_ bed: BridgeTestbed) throws -> String {
        try bed.bridge.exec("ethtool", "-k", "pa") + bed.bridge.exec("ethtool", "-k", "pb")
    }

    func run(_ bed: BridgeTestbed, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try bed.bridgekeeperResult(["run", "--control", bed.controlPath] + arguments)
    }

    @Test func refusalsAreOneLineAndLeaveNothingConfigured() async throws {
        try await BridgeTestbed.with { bed in
            try bed.writePolicy(Self.passAll)
            let before = try offloads(bed)
            let cases: [([String], String)] = [
                (["--port-a", "nosuch0", "--port-b", "pb"], "nosuch0"),
                (["--port-a", "pa", "--port-b", "pa"], "pa"),
            ]
            for (arguments, mention) in cases {
                let result = try run(bed, arguments + ["--policy", bed.policyPath])
                #expect(result.status != 0)
                let lines = result.output.split(separator: "\n")
                #expect(lines.count == 1, "\(result.output)")
                #expect(result.output.contains(mention))
                #expect(!result.output.contains("Fatal error"))
            }
            // An addressed port.
            try bed.bridge.ip("addr", "add", "198.18.9.1/24", "dev", "pa")
            let addressed = try run(bed, ["--port-a", "pa", "--port-b", "pb", "--policy", bed.policyPath])
            #expect(addressed.status != 0)
            #expect(addressed.output.contains("198.18.9.1"), "\(addressed.output)")
            #expect(addressed.output.split(separator: "\n").count == 1)
            try bed.bridge.ip("addr", "del", "198.18.9.1/24", "dev", "pa")
            #expect(try offloads(bed) == before)
        }
    }

    @Test func aBadPolicyIsReportedAtItsPlaceAndTouchesNoInterface() async throws {
        try await BridgeTestbed.with { bed in
            let before = try offloads(bed)
            try bed.writePolicy(
                "version 1\ndefault forward\nrule \"x\" {\n    match ip saddr 2001:db8::/32\n    drop\n}\n")
            let result = try run(bed, ["--port-a", "pa", "--port-b", "pb", "--policy", bed.policyPath])
            #expect(result.status != 0)
            #expect(result.output.contains("test.policy:4:20: error:"), "\(result.output)")
            #expect(try offloads(bed) == before)
        }
    }

    @Test func aCleanStopRestoresThePorts() async throws {
        try await BridgeTestbed.with { bed in
            let before = try offloads(bed)
            try bed.start(policy: Self.passAll)
            #expect(try offloads(bed) != before, "offloads are off while bridging")
            #expect(bed.stop() == 0)
            #expect(try offloads(bed) == before)
        }
    }
}
