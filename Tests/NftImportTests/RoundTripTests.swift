import Capture
import Foundation
import Loader
import NftImport
import Policy
import TestSupport
import Testing

/// Every shipped policy, through the nftables mirror and back: `check --print-nft`, `nft -f` in a
/// namespace, `nft -j list ruleset`, import-nft; the imported policy must give the same verdicts
/// (and rewrites) as the original on a replay of the original's own test frames (root).
@Suite(.serialized) struct RoundTripTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Left out of the round trip. stateful.policy: its flow emulation (sets and marks) cannot
    /// come back as a policy (its own test below). chains.policy: the mirror gives a chain's
    /// rewriting rules helper chains (`rule-CHAIN/RULE`) that import-nft does not read back yet.
    static let leftOut: Set<String> = ["stateful.policy", "chains.policy"]

    /// The shipped policies; a folder that cannot be read gives none, which
    /// ``theRoundTripCoversEveryShippedPolicy()`` turns into a failure.
    static var shippedPolicies: [String] {
        let folder = root.appendingPathComponent("policies").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".policy") && !leftOut.contains($0) }.sorted()
    }

    @Test func theRoundTripCoversEveryShippedPolicy() throws {
        let folder = Self.root.appendingPathComponent("policies").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".policy") }
        #expect(Self.leftOut.isSubset(of: names), "a left-out policy is no longer shipped: \(Self.leftOut)")
        #expect(!Self.shippedPolicies.isEmpty)
        #expect(Set(Self.shippedPolicies) == Set(names).subtracting(Self.leftOut))
    }

    @Test(arguments: RoundTripTests.shippedPolicies)
    func theMirrorImportedBackDecidesAsTheOriginal(name: String) async throws {
        let original = Self.root.appendingPathComponent("policies/\(name)").path
        let folder = try Rulesets.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try BridgekeeperBinary.path
        let nftText = try Shell.run([binary, "check", "--print-nft", "--port-a", "eth0", "--port-b", "eth1", original])
        let nftFile = folder.appendingPathComponent("mirror.nft").path
        try nftText.write(toFile: nftFile, atomically: true, encoding: .utf8)
        let json = try await Rulesets.json(loading: nftFile)
        let result = try NftImporter.importRuleset(
            json: json,
            options: .init(
                family: "bridge", table: "bridgekeeper", chain: "forward", ports: PortNames(a: "eth0", b: "eth1")))
        let imported = folder.appendingPathComponent("imported.policy").path
        try result.policy.write(toFile: imported, atomically: true, encoding: .utf8)
        let report = PolicyLoader.load(path: imported)
        #expect(report.loaded != nil, "\(Rulesets.errors(report))\n\(result.policy)")

        let frames = try Self.testFrames(of: original)
        #expect(frames.a.count + frames.b.count >= 3, "\(name) has test frames to replay")
        let inA = folder.appendingPathComponent("a.pcap").path
        let inB = folder.appendingPathComponent("b.pcap").path
        try Self.writeCapture(frames.a, to: inA)
        try Self.writeCapture(frames.b, to: inB)
        var forwarded: [[[UInt8]]] = []
        for (label, policy) in [("original", original), ("imported", imported)] {
            let out = folder.appendingPathComponent("\(label)-forward.pcap").path
            try Shell.run([binary, "replay", "--policy", policy, "--in-a", inA, "--in-b", inB, "--forward", out])
            forwarded.append(try Self.frames(in: out).sorted { $0.lexicographicallyPrecedes($1) })
        }
        // What crosses, with its rewrites; not when (a `delay` is not mirrored) nor whether a
        // frame the original reflects to the host was dropped instead (the mirror's `reflect`).
        #expect(forwarded[0] == forwarded[1], "\(name): other frames cross\n\(result.policy)")
        #expect(!forwarded[0].isEmpty)
    }

    /// The shipped stateful policy's mirror keeps flows in sets and marks (this kernel's bridge
    /// has no conntrack): those rules read packet marks, which have no meaning in a policy, so
    /// they are left out, each with its reason, and the round trip cannot be exact.
    @Test func theStatefulMirrorsMarkRulesAreLeftOutWithTheirReason() async throws {
        let original = Self.root.appendingPathComponent("policies/stateful.policy").path
        let folder = try Rulesets.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nftText = try Shell.run([
            try BridgekeeperBinary.path, "check", "--print-nft", "--port-a", "eth0", "--port-b", "eth1", original,
        ])
        let nftFile = folder.appendingPathComponent("mirror.nft").path
        try nftText.write(toFile: nftFile, atomically: true, encoding: .utf8)
        let json = try await Rulesets.json(loading: nftFile)
        let result = try NftImporter.importRuleset(
            json: json,
            options: .init(
                family: "bridge", table: "bridgekeeper", chain: "forward", ports: PortNames(a: "eth0", b: "eth1")))
        let markRules = result.leftOut.filter { $0.contains("{\"meta\":{\"key\":\"mark\"}}") }
        #expect(!markRules.isEmpty, "\(result.leftOut)")
        #expect(
            result.leftOut.contains(
                "chain bridge bridgekeeper_flows classify left out: not the chain chosen (name another with --table and --chain)"
            ))
        #expect(PolicyLoader.load(text: result.policy, path: "imported.policy").loaded != nil)
    }

    /// The frames of a pcap file, in order.
    static func frames(in path: String) throws -> [[UInt8]] {
        let reader = try PcapReader(path: path)
        var frames: [[UInt8]] = []
        while let record = try reader.next() { frames.append(Array(record.bytes)) }
        return frames
    }

    /// The frames of the policy's own `test` blocks, by the port they arrive on.
    static func testFrames(of path: String) throws -> (a: [[UInt8]], b: [[UInt8]]) {
        let read = PolicyReader.read(path: path)
        let policy = try #require(read.policy)
        var a: [[UInt8]] = []
        var b: [[UInt8]] = []
        for step in policy.tests.flatMap(\.steps) {
            guard case .success(let bytes) = TestPacketBuilder.build(step.packet) else { continue }
            for _ in 0..<min(step.repeatCount, 3) {
                if step.packet.iif == .a { a.append(bytes) } else { b.append(bytes) }
            }
        }
        return (a, b)
    }

    static func writeCapture(_ frames: [[UInt8]], to path: String) throws {
        let writer = try PcapWriter(path: path)
        for (index, frame) in frames.enumerated() {
            frame.withUnsafeBytes { writer.write($0, timestampNanoseconds: UInt64(index + 1) * 1_000_000_000) }
        }
        writer.flush()
    }
}
