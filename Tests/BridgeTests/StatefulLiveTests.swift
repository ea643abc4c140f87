import Bridge
import Foundation
import Frame
import TestSupport
import Testing

/// The shipped stateful.policy on the live bridge, port a inside: host a opens connections and
/// their answers come back, host b opens nothing. Checked with real sockets, real frames, and
/// the flow table read back through `bridgekeeper flows --json` and `status --json`.
@Suite(.serialized) struct StatefulLiveTests {
    static let inside = BridgeTestbed.addressA
    static let outside = BridgeTestbed.addressB
    /// Half of the transfers' 5 MiB.
    static let halfTransfer: UInt64 = 5 * 1_048_576 / 2

    static func policy() throws -> String {
        try String(contentsOfFile: ShippedPolicy.path("stateful.policy"), encoding: .utf8)
    }

    @Test func theInsideOpensPingUDPAndTCPAndTheOutsideOpensNothing() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy())
            #expect(try bed.ping(from: bed.a, to: Self.outside, count: 3).received == 3)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.address6B, count: 3).received == 3, "\(bed.log())")
            #expect(try bed.ping(from: bed.b, to: Self.inside, count: 3).received == 0)
            #expect(try bed.ping(from: bed.b, to: BridgeTestbed.address6A, count: 3).received == 0)

            #expect(try HostTraffic.udpDatagrams(from: bed.a, to: bed.b, address: Self.outside, count: 20) == 20)
            #expect(try HostTraffic.udpDatagrams(from: bed.b, to: bed.a, address: Self.inside, count: 20) == 0)

            try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: Self.outside, port: 8080)) {
                (server: HostServer) throws in
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: Self.outside, port: 8080) == "connected")
                #expect(try server.stopCounting() == 1)
            }
            try HostServer.with(in: bed.a, script: HostServer.tcpAcceptor(address: Self.inside, port: 8080)) {
                (server: HostServer) throws in
                // The SYN is dropped (not reset), so the client waits out its timeout.
                #expect(try SocketOutcome.tcpConnect(from: bed.b, to: Self.inside, port: 8080, timeout: 1) == "timeout")
                #expect(try server.stopCounting() == 0)
            }

            // Every flow the table holds was opened from the inside, by "inside-out".
            let report = try bed.flows()
            let protocols = Set(report.flows.filter { $0.source == Self.inside }.map(\.proto))
            #expect(protocols.isSuperset(of: ["icmp", "udp", "tcp"]), "\(report.flows)")
            #expect(report.flows.allSatisfy { $0.rule == "inside-out" }, "\(report.flows)")
            #expect(!report.flows.contains { $0.source == Self.outside || $0.source == BridgeTestbed.address6B })
        }
    }

    @Test func aFiveMegabyteTransferArrivesIntactAndFlowsShowsItWithItsCounters() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy(), arguments: ["--flows", "8192"])
            let during = try PausedTransfer.with(
                from: bed.a, to: bed.b, address: Self.outside, megabytes: 5
            ) { transfer -> FlowReport.Entry in
                try transfer.waitUntilHalfway()
                let flow = try Self.transferFlow(bed, carrying: Self.halfTransfer)
                let hashes = transfer.finish()
                #expect(hashes.sent.count == 64)
                #expect(hashes.sent == hashes.received)
                return flow
            }
            // In the middle of the transfer: one flow, established, counted both ways.
            #expect(during.state == "ESTABLISHED")
            #expect(during.rule == "inside-out")
            #expect(during.assured)
            #expect(during.framesOriginal > 0 && during.framesReply > 0)
            #expect(during.bytesOriginal >= Self.halfTransfer && during.bytesReply > 0)

            // After it: the same flow counted the whole transfer, and the close took it out of
            // ESTABLISHED.
            let after = try Self.transferFlow(bed, carrying: 2 * Self.halfTransfer)
            #expect(after.framesOriginal > during.framesOriginal && after.framesReply > during.framesReply)
            #expect(after.age >= during.age)
            var closed = after
            _ = try waitUntil(timeout: 5) {
                closed = try Self.transferFlow(bed, carrying: 0)
                return closed.state == "TIME_WAIT"
            }
            #expect(closed.state == "TIME_WAIT", "\(closed)")

            // The status's table figures (published by the thread about once a second).
            let status = try bed.waitForStatus { ($0.flows?.created ?? 0) >= 1 && ($0.flows?.inUse ?? 0) >= 1 }
            let table = try #require(status.flows)
            #expect(table.capacity == 8192)
            #expect(table.inUse >= 1 && table.inUse <= Int(table.created))
            #expect(table.refusedFull == 0)
            let listed = try bed.flows()
            #expect(listed.table.capacity == table.capacity)
            #expect(listed.flows.count <= table.capacity)
        }
    }

    @Test func anICMPErrorForALiveFlowPassesAsRelatedAndAForgedOneDoesNot() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy())
            let inside = try bed.endpointA()
            let outside = try bed.endpointB()
            let isErrorToInside: @Sendable ([UInt8]) -> Bool = { frame in
                let info = HostFrames.info(frame)
                return info.present.contains(.icmpType) && info.l4Protocol == IPProtocol.icmp
                    && info.icmpType == 3 && info.ipv4Destination == inside.ipv4
            }

            // b's own stack answers a datagram to a closed port with a port unreachable: related
            // to the flow a opened, so it reaches a's socket.
            let real = RawExchange.startCapture(
                in: bed.a, interface: "a0", count: 1, timeout: 3, matching: isErrorToInside)
            #expect(try SocketOutcome.udpSendTwice(from: bed.a, to: Self.outside, port: 9) == "ECONNREFUSED")
            let errors = try real.wait()
            #expect(errors.count == 1)
            #expect(errors.first.map { HostFrames.info($0).icmpCode } == 3)
            #expect(try bed.flows().flows("udp", from: Self.inside, to: Self.outside, port: 9).count == 1)
            // The same over IPv6: b's ICMPv6 port unreachable is related to a's flow.
            #expect(
                try SocketOutcome.udpSendTwice(from: bed.a, to: BridgeTestbed.address6B, port: 9) == "ECONNREFUSED")

            // A port unreachable from b quoting a datagram nobody sent is invalid, and dropped.
            let invalidBefore = try bed.rule("invalid").packets
            let neverSent = HostFrames.frame(
                from: inside, to: outside, HostFrames.udp(sourcePort: 45678, destinationPort: 4321))
            let forged = HostFrames.frame(
                from: outside, to: inside, HostFrames.icmpError(type: 3, code: 3, quoting: neverSent))
            let arrived = try RawExchange.send(
                [forged], from: bed.b, interface: "b0", to: bed.a, capture: "a0", expecting: 1, timeout: 1.5,
                matching: isErrorToInside)
            #expect(arrived.isEmpty)
            #expect(try bed.waitForRule("invalid", packets: invalidBefore + 1).packets == invalidBefore + 1)
        }
    }

    @Test func aReloadInTheMiddleOfATransferKeepsTheTransferAndItsFlow() async throws {
        try await BridgeTestbed.with { bed in
            let policy = try Self.policy()
            try bed.start(policy: policy)
            let changed =
                policy + """

                    rule "no-telnet-in" {
                        match iif b tcp dport 23
                        drop
                    }
                    """
            let before = try PausedTransfer.with(
                from: bed.a, to: bed.b, address: Self.outside, megabytes: 5
            ) { transfer -> FlowReport.Entry in
                try transfer.waitUntilHalfway()
                let before = try Self.transferFlow(bed, carrying: Self.halfTransfer)
                let reply = try bed.reload(policy: changed)
                #expect(reply.status == 0, "\(reply.output)")
                #expect(reply.output.contains("generation 2"), "\(reply.output)")
                // Right after the swap, with the client still paused: the same flow, its
                // counters kept.
                let kept = try Self.transferFlow(bed, carrying: 0)
                #expect(kept.bytesOriginal >= before.bytesOriginal && kept.framesReply >= before.framesReply)
                #expect(kept.age >= before.age)
                let hashes = transfer.finish()
                #expect(hashes.sent.count == 64)
                #expect(hashes.sent == hashes.received)
                return before
            }
            #expect(try bed.status().policy.generation == 2)
            // One flow carried the whole transfer across the reload: its counters went on from
            // where they were.
            let flows = try bed.flows().flows("tcp", from: Self.inside, to: Self.outside, port: 5001)
            #expect(flows.count == 1)
            let after = try #require(flows.first)
            #expect(after.bytesOriginal >= 2 * Self.halfTransfer)
            #expect(after.framesOriginal > before.framesOriginal)
            #expect(after.rule == "inside-out")
        }
    }

    @Test func twoWorkersSeeBothDirectionsOfEachFlowInTheSameTable() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy(), arguments: ["--workers", "2"])
            #expect(try bed.status().workers == 2)
            // A reply that reached the other worker's table would be invalid there and dropped,
            // and its connection would never complete.
            try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: Self.outside, port: 7000)) {
                (server: HostServer) throws in
                #expect(
                    try SocketOutcome.answeredConnections(from: bed.a, to: Self.outside, port: 7000, count: 200) == 200)
                #expect(try server.stopCounting() == 200)
            }
            try HostServer.with(in: bed.a, script: HostServer.tcpAcceptor(address: Self.inside, port: 7000)) {
                (server: HostServer) throws in
                #expect(
                    try SocketOutcome.simultaneousConnections(
                        from: bed.b, to: Self.inside, port: 7000, count: 200, wait: 1.5) == 0)
                #expect(try server.stopCounting() == 0)
            }
            // One flow per connection, each in one table only, each with frames both ways.
            let report = try bed.flows()
            let opened = report.flows("tcp", from: Self.inside, to: Self.outside, port: 7000)
            #expect(opened.count == 200)
            #expect(Set(opened.map(\.sourcePort)).count == opened.count)
            #expect(opened.allSatisfy { $0.framesOriginal >= 2 && $0.framesReply >= 2 && $0.rule == "inside-out" })
            #expect(report.flows("tcp", from: Self.outside, to: Self.inside, port: 7000).isEmpty)
        }
    }

    @Test func flowsCountsTheFlowsItLists() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: try Self.policy())
            _ = try HostScript.run(
                in: bed.a,
                """
                import socket
                for i in range(20):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.bind(("\(Self.inside)", 41000 + i)); s.sendto(b"bk", ("\(Self.outside)", 5400))
                """)
            _ = try waitUntil(timeout: 5) {
                try bed.flows().flows("udp", from: Self.inside, to: Self.outside, port: 5400).count == 20
            }
            // Read at once: the figures and the list come from the same moment of each table.
            let report = try bed.flows()
            #expect(report.flows("udp", from: Self.inside, to: Self.outside, port: 5400).count == 20)
            #expect(report.table.inUse == report.flows.count, "\(report.table) for \(report.flows.count) flows")
            #expect(report.table.created >= UInt64(report.flows.count))
        }
    }

    /// The transfer's flow (a to b, port 5001) once its original direction has counted at least
    /// `bytes` bytes; throws when it does not get there within 5 s.
    static func transferFlow(_ bed: BridgeTestbed, carrying bytes: UInt64) throws -> FlowReport.Entry {
        var found: [FlowReport.Entry] = []
        _ = try waitUntil(timeout: 5) {
            found = try bed.flows().flows("tcp", from: inside, to: outside, port: 5001)
            return found.count == 1 && found[0].bytesOriginal >= bytes
        }
        guard found.count == 1, found[0].bytesOriginal >= bytes else {
            throw TestFailure("no flow a -> b:5001 with \(bytes) bytes: \(found)")
        }
        return found[0]
    }
}
