import Foundation
import Loader
import NftImport
import Policy
import TestSupport
import Testing

/// The bridge ruleset, loaded into a kernel bridge, against Bridgekeeper running its import:
/// the same frames are sent through each, and the same ones must cross (root).
@Suite(.serialized) struct LiveComparisonTests {
    /// One frame to send and the side it enters by.
    struct Probe: Sendable {
        var bytes: [UInt8]
        var fromA: Bool
    }

    @Test func theImportedPolicyLetsThroughWhatTheKernelBridgeLetsThrough() async throws {
        let rulesetPath = Rulesets.path("bridge-arp.nft")
        let json = try await Rulesets.json(loading: rulesetPath)
        let result = try NftImporter.importRuleset(json: json, options: .init(ports: PortNames(a: "eth0", b: "eth1")))
        let folder = try Rulesets.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let policyPath = folder.appendingPathComponent("imported.policy").path
        try result.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let probes = try Self.probes(policy: result.policy)
        let binary = try BridgekeeperBinary.path

        try await TestNamespace.with { namespace in
            try namespace.addVethPair("sa", "eth0")
            try namespace.addVethPair("sb", "eth1")
            try namespace.ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0")
            try namespace.ip("link", "set", "eth0", "master", "br0")
            try namespace.ip("link", "set", "eth1", "master", "br0")
            // Without learning every frame floods: a probe sent both ways round must not teach the
            // bridge that its destination sits behind the port it came in by.
            try namespace.ip("link", "set", "dev", "eth0", "type", "bridge_slave", "learning", "off")
            try namespace.ip("link", "set", "dev", "eth1", "type", "bridge_slave", "learning", "off")
            try namespace.ip("link", "set", "br0", "up")
            try namespace.exec("nft", "-f", rulesetPath)
            let kernel = try await namespace.run { try Self.crossing(probes) }

            try namespace.ip("link", "del", "br0")
            try namespace.exec("nft", "flush", "ruleset")
            let control = folder.appendingPathComponent("control.sock").path
            let bridge = Process()
            bridge.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            bridge.arguments = [
                "ip", "netns", "exec", namespace.name, binary, "run", "--port-a", "eth0", "--port-b", "eth1",
                "--policy", policyPath, "--control", control,
            ]
            let log = folder.appendingPathComponent("bridge.log").path
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            bridge.standardOutput = FileHandle(forWritingAtPath: log)
            bridge.standardError = FileHandle(forWritingAtPath: log)
            try bridge.run()
            defer {
                if bridge.isRunning { bridge.terminate() }
                bridge.waitUntilExit()
            }
            let ready = waitUntil(timeout: 10) {
                !bridge.isRunning
                    || Shell.result(["ip", "netns", "exec", namespace.name, binary, "status", "--control", control])
                        .succeeded
            }
            #expect(ready && bridge.isRunning, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            let imported = try await namespace.run { try Self.crossing(probes) }

            #expect(kernel.contains(true) && kernel.contains(false), "the probes test both verdicts: \(kernel)")
            for (index, probe) in probes.enumerated() where kernel[index] != imported[index] {
                Issue.record(
                    "frame \(index) from \(probe.fromA ? "a" : "b"): kernel \(kernel[index] ? "forwards" : "drops"), the imported policy \(imported[index] ? "forwards" : "drops")"
                )
            }
        }
    }

    /// The imported policy's own test frames, both ways round, and frames no rule names.
    static func probes(policy: String) throws -> [Probe] {
        let read = PolicyReader.parse(text: policy, path: "imported.policy")
        let parsed = try #require(read.policy)
        var probes: [Probe] = []
        for step in parsed.tests.flatMap(\.steps) {
            guard case .success(let bytes) = TestPacketBuilder.build(step.packet) else { continue }
            probes.append(Probe(bytes: bytes, fromA: step.packet.iif == .a))
            probes.append(Probe(bytes: bytes, fromA: step.packet.iif != .a))
        }
        let extras = [
            "packet tcp dport 443", "packet udp dport 53", "packet ip6 saddr 2001:db8::1 tcp dport 22",
            "packet ether type 0x88b5", "packet arp operation request", "packet ip saddr 198.18.99.13 udp dport 9",
        ]
        let text =
            "version 1\ndefault forward\n"
            + extras.enumerated().map { "test \"\($0.offset)\" {\n    \($0.element)\n    expect forward\n}\n" }.joined()
        let extraPolicy = try #require(PolicyReader.parse(text: text, path: "extras.policy").policy)
        for step in extraPolicy.tests.flatMap(\.steps) {
            guard case .success(let bytes) = TestPacketBuilder.build(step.packet) else { continue }
            probes.append(Probe(bytes: bytes, fromA: true))
            probes.append(Probe(bytes: bytes, fromA: false))
        }
        return probes
    }

    /// The frame as sent, or without the zero padding after its IP datagram (the kernel bridge
    /// trims it when its netfilter hooks read the IP header).
    static func same(sent: [UInt8], received: [UInt8]) -> Bool {
        received == sent
            || (received.count >= 42 && sent.starts(with: received) && sent[received.count...].allSatisfy { $0 == 0 })
    }

    /// Sends each probe into its side (sa or sb) and reports whether it came out of the other.
    static func crossing(_ probes: [Probe]) throws -> [Bool] {
        let a = try PlainPacketSocket(interface: "sa")
        let b = try PlainPacketSocket(interface: "sb")
        var crossed: [Bool] = []
        for probe in probes {
            let (from, to) = probe.fromA ? (a, b) : (b, a)
            try from.send(probe.bytes)
            let seen = to.receive(count: 1, timeout: 0.5) { Self.same(sent: probe.bytes, received: $0) }
            crossed.append(!seen.isEmpty)
        }
        return crossed
    }
}
