import Foundation
import TestSupport
import Testing

/// Least privilege and metrics on the real binary.
@Suite(.serialized) struct OperationsIntegrationTests {
    static let noPing = """
        version 1
        default forward
        rule "no-ping" {
            match icmp type echo-request
            drop
        }
        """

    @Test func droppingToAUserKeepsOnlyTheNetworkCapabilitiesAndReloadsStillWork() async throws {
        try await BridgeTestbed.with { bed in
            let before = try bed.bridge.exec("ethtool", "-k", "pa")
            // The folder is private: the user cannot read the policy, and says so before starting.
            try bed.writePolicy(Self.noPing)
            chmod(bed.folder, 0o700)
            let refused = try bed.bridgekeeperResult([
                "run", "--port-a", "pa", "--port-b", "pb", "--policy", bed.policyPath, "--control", bed.controlPath,
                "--user", "nobody",
            ])
            #expect(refused.status != 0)
            #expect(refused.output.contains("not readable by user nobody"), "\(refused.output)")
            #expect(try bed.bridge.exec("ethtool", "-k", "pa") == before, "nothing left configured")

            chmod(bed.folder, 0o755)
            chmod(bed.policyPath, 0o644)
            try bed.start(policy: Self.noPing, arguments: ["--user", "nobody"])
            let pid = bed.process!.processIdentifier
            #expect(try ProcessProbe.status(pid, "Uid") == "65534\t65534\t65534\t65534")
            #expect(try ProcessProbe.status(pid, "CapEff") == "0000000000003000", "CAP_NET_RAW and CAP_NET_ADMIN only")
            #expect(try ProcessProbe.status(pid, "NoNewPrivs") == "1")
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 0)
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.addressA, count: 2).received == 0)
            let reply = try bed.reload(policy: "version 1\ndefault forward\n")
            #expect(reply.status == 0, "\(reply.output)\n\(bed.log())")
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 2)
            #expect(bed.stop() == 0)
            #expect(try bed.bridge.exec("ethtool", "-k", "pa") == before, "restored as the user, with CAP_NET_ADMIN")
        }
    }

    @Test func metricsAreServedInPrometheusText() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.noPing, arguments: ["--metrics", "127.0.0.1:19101"])
            _ = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3)
            let text = try bed.bridge.exec("curl", "-sf", "http://127.0.0.1:19101/metrics")
            let samples = PrometheusSamples(text)
            #expect(samples["bridgekeeper_rule_packets_total{rule=\"no-ping\"}"] == 3, "\(text.prefix(600))")
            #expect((samples["bridgekeeper_port_rx_frames_total{port=\"a\",interface=\"pa\"}"] ?? 0) >= 3)
            #expect(samples["bridgekeeper_policy_generation"] == 1)
            #expect(samples["bridgekeeper_port_up{port=\"b\",interface=\"pb\"}"] == 1)
            #expect(try bed.reload(policy: "version 1\ndefault forward\n").status == 0)
            let after = PrometheusSamples(try bed.bridge.exec("curl", "-sf", "http://127.0.0.1:19101/metrics"))
            #expect(after["bridgekeeper_policy_generation"] == 2)
            #expect(after["bridgekeeper_reloads_total"] == 1)
            #expect(after["bridgekeeper_last_reload_success"] == 1)
            let missing = try bed.bridgekeeperResult(["status", "--control", bed.controlPath])
            #expect(missing.status == 0)
        }
    }
}

/// `name{labels} value` lines of the Prometheus text format.
struct PrometheusSamples {
    var values: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
    }

    subscript(key: String) -> Double? { values[key] }
}
