import Foundation
import TestSupport
import Testing

/// The testbed's read-back helpers report a failure as a failure: a broken `nft`, ping or
/// status read never comes back as "no rules", "no replies" or zero.
@Suite(.serialized) struct HelperHonestyTests {
    @Test func nftFailingIsAnErrorAndAMissingTableIsNil() async throws {
        try await TestNamespace.with { namespace in
            // A namespace without the table: that is the one legitimate "absent".
            #expect(try NftTable.read(in: namespace) == nil)
            try namespace.exec("nft", "add", "table", "bridge", "bridgekeeper")
            #expect(try NftTable.read(in: namespace) == NftTable(chainPolicy: nil, rules: []))
            // nft cannot run in a namespace that is gone: before, this read as "no table".
            try Shell.run("ip", "netns", "del", namespace.name)
            #expect(throws: Shell.Failure.self) { try NftTable.read(in: namespace) }
        }
    }

    @Test func pingErrorsAndUnknownCountersThrowInsteadOfReadingAsZero() async throws {
        try await BridgeTestbed.with { bed in
            // No bridge is running, so nothing crosses: "no replies" is the honest answer...
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 1, interval: "0.2").received == 0)
            // ...but a ping that cannot even start (exit status 2) is an error.
            #expect(throws: Shell.Failure.self) { try bed.ping(from: bed.a, to: "198.18.1.300", count: 1) }
            try bed.start(policy: "version 1\ndefault forward\n")
            _ = try bed.portCounter("a", "rx_frames")
            #expect(throws: TestFailure.self) { try bed.portCounter("a", "rx_frame") }
            #expect(throws: TestFailure.self) { try bed.portCounter("c", "rx_frames") }
            #expect(throws: TestFailure.self) { try bed.rulePackets("no-such-rule") }
        }
    }

    /// A test that fails inside the testbed (here after starting the bridge and a long ping)
    /// still leaves nothing behind: none of its namespaces, no bridge process, no helper.
    @Test func aFailingTestLeavesNoNamespaceBridgeOrHelperBehind() async throws {
        struct Deliberate: Error {}
        let left = LeftBehind()
        do {
            try await BridgeTestbed.with { bed in
                try bed.start(policy: "version 1\ndefault forward\n")
                let (pinger, _) = try bed.launch(
                    in: bed.a, ["ping", "-n", "-q", "-c", "1000", "-i", "0.2", BridgeTestbed.addressB])
                left.record(
                    namespaces: [bed.a.name, bed.b.name, bed.bridge.name], folder: bed.folder,
                    pids: [bed.process!.processIdentifier, pinger.processIdentifier])
                throw Deliberate()
            }
            Issue.record("the testbed swallowed the failure")
        } catch is Deliberate {}
        let (namespaces, folder, pids) = left.recorded
        try #require(namespaces.count == 3 && pids.count == 2)
        let listed = try Shell.run("ip", "netns", "list")
        for name in namespaces {
            #expect(!listed.split(separator: "\n").contains { $0.split(separator: " ").first.map(String.init) == name })
        }
        for pid in pids {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) is still there")
        }
        // Nothing anywhere still runs with the testbed's folder on its command line.
        let stray = Shell.result(["pgrep", "-f", folder])
        #expect(stray.status == 1, "left running (or pgrep failed): \(stray.output)\(stray.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}

/// What a test inside the testbed made, read after the testbed is gone.
private final class LeftBehind: @unchecked Sendable {
    private(set) var recorded: (namespaces: [String], folder: String, pids: [Int32]) = ([], "", [])

    func record(namespaces: [String], folder: String, pids: [Int32]) {
        recorded = (namespaces, folder, pids)
    }
}
