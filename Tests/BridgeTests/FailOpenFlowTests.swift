import Bridge
import Foundation
import TestSupport
import Testing

/// Fail-open with a stateful policy: the kernel's flow sets are kept in step with the bridge's
/// flow table, so a connection established through the bridge lives through `kill -9` (the
/// kernel bridge carries it, still refusing new connections from the outside) and through a
/// restart (the bridge reads the kernel's flows back).
@Suite(.serialized) struct FailOpenFlowTests {
    static let inside = BridgeTestbed.addressA
    static let outside = BridgeTestbed.addressB

    static func policy() throws -> String {
        try String(contentsOfFile: ShippedPolicy.path("stateful.policy"), encoding: .utf8)
    }

    /// Whether the kernel's established-flow set holds a flow with `address`.
    static func kernelKnows(_ bed: BridgeTestbed, _ address: String) throws -> Bool {
        let listing = try bed.bridge.exec("nft", "-j", "list", "set", "bridge", "bridgekeeper_flows", "est4")
        return listing.contains(address)
    }

    static func killBridge(_ bed: BridgeTestbed) throws {
        let process = try #require(bed.process)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func aTransferLivesThroughKill9AndTheOutsideStillCannotOpen() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy(), arguments: ["--on-failure", "open"])
            try PausedTransfer.with(from: bed.a, to: bed.b, address: Self.outside, megabytes: 5) { transfer in
                try transfer.waitUntilHalfway()
                #expect(try waitUntil(timeout: 5) { try Self.kernelKnows(bed, Self.outside) }, "\(bed.log())")
                try Self.killBridge(bed)
                // The kernel bridge forwards now: the established transfer goes on through it...
                let hashes = transfer.finish()
                #expect(!hashes.sent.isEmpty && hashes.sent == hashes.received, "the transfer completed intact")
            }
            // ...and the outside still cannot open a connection of its own.
            try HostServer.with(in: bed.a, script: HostServer.tcpAcceptor(address: Self.inside, port: 8080)) {
                (server: HostServer) throws in
                #expect(try SocketOutcome.tcpConnect(from: bed.b, to: Self.inside, port: 8080, timeout: 1) == "timeout")
                #expect(try server.stopCounting() == 0)
            }
        }
    }

    @Test func aRestartReadsTheKernelsFlowsBackAndTheConnectionGoesOn() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy(), arguments: ["--on-failure", "open"])
            try PausedTransfer.with(from: bed.a, to: bed.b, address: Self.outside, megabytes: 5) { transfer in
                try transfer.waitUntilHalfway()
                #expect(try waitUntil(timeout: 5) { try Self.kernelKnows(bed, Self.outside) }, "\(bed.log())")
                try Self.killBridge(bed)
                try bed.start(policy: try Self.policy(), arguments: ["--on-failure", "open"])
                #expect(bed.log(lines: 80).contains("restored the flows the kernel kept"), "\(bed.log())")
                let restored = try bed.flows().flows.filter { $0.restored && $0.proto == "tcp" }
                #expect(restored.contains { $0.destination == Self.outside || $0.source == Self.outside })
                // The rest of the transfer goes through the restarted bridge, on the restored flow.
                let hashes = transfer.finish()
                #expect(!hashes.sent.isEmpty && hashes.sent == hashes.received, "the transfer completed intact")
            }
        }
    }
}
