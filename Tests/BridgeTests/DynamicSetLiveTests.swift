import Bridge
import Foundation
import Glibc
import TestSupport
import Testing

/// A port knock on the live bridge with two workers: the knock and the connection are different
/// flows (the fanout may give them to different workers), and the one dynamic set serves both.
@Suite(.serialized) struct DynamicSetLiveTests {
    static let policy = """
        version 1
        default forward
        set knocked { type ipv4_addr; flags dynamic,timeout; timeout 60s; size 16; }
        rule "knock" {
            match tcp dport 7000
            add @knocked { ip saddr }
            drop
        }
        rule "ssh" {
            match tcp dport 2222 ip saddr @knocked
            forward
        }
        rule "ssh-closed" {
            match tcp dport 2222
            drop
        }
        """

    @Test func aKnockLetsItsSourceConnectAndWithoutItNothingCrosses() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy, arguments: ["--workers", "2", "--cpu", "0-1"])
            let server = BridgeTestbed.addressB
            try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: server, port: 2222)) {
                (acceptor: HostServer) throws in
                // Without the knock the SYN is dropped: the client waits out its timeout.
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 2222, timeout: 1) == "timeout")
                #expect(try bed.status().dynamicSets.first?.elements == 0)
                // The knock is dropped too, and remembers a's address.
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 7000, timeout: 1) == "timeout")
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 2222) == "connected")
                #expect(try acceptor.stopCounting() == 1)
            }
            let status = try bed.status()
            #expect(status.workers == 2)
            let set = try #require(status.dynamicSets.first)
            #expect(set.name == "knocked" && set.elements == 1 && set.capacity == 16 && set.refused == 0)
            #expect(try bed.rulePackets("ssh") >= 1 && bed.rulePackets("knock") >= 1)
            let listing = try bed.bridgekeeper("set-list", "knocked", "--control", bed.controlPath)
            #expect(listing.contains("set @knocked: 1 of 16 elements"), "\(listing)")
            #expect(listing.contains("  \(BridgeTestbed.addressA)  expires in"), "\(listing)")

            // A reload that leaves the set's declaration alone keeps what it holds; one that
            // changes it starts it empty.
            let renamed = Self.policy.replacingOccurrences(of: "\"ssh-closed\"", with: "\"ssh-refused\"")
            #expect(try bed.reload(policy: renamed).status == 0)
            #expect(try bed.status().dynamicSets.first?.elements == 1)
            let resized = renamed.replacingOccurrences(of: "size 16;", with: "size 32;")
            #expect(try bed.reload(policy: resized).status == 0)
            let emptied = try bed.status().dynamicSets.first
            #expect(emptied?.elements == 0 && emptied?.capacity == 32)
        }
    }

    /// With `--on-failure open`, the kernel bridge takes over after `kill -9` with the mirrored
    /// rules: its own copy of the set, filled by its own dynset, lets the knocked source in.
    @Test func afterKill9TheKernelsMirrorKnocksTheSameWay() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy, arguments: ["--on-failure", "open"])
            let process = try #require(bed.process)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let server = BridgeTestbed.addressB
            try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: server, port: 2222)) {
                (acceptor: HostServer) throws in
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 2222, timeout: 1) == "timeout")
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 7000, timeout: 1) == "timeout")
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: server, port: 2222) == "connected")
                #expect(try acceptor.stopCounting() == 1)
            }
            let listing = try bed.bridge.exec("nft", "-j", "list", "set", "bridge", "bridgekeeper", "knocked")
            #expect(listing.contains(BridgeTestbed.addressA), "\(listing)")
        }
    }
}
