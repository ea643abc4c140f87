import Foundation
import TestSupport
import Testing

/// Live reload: a good policy takes effect between batches, a broken one changes nothing.
@Suite(.serialized) struct ReloadTests {
    static let passAll = "version 1\ndefault forward\n"
    static let noPing = """
        version 1
        default forward
        rule "no-ping" {
            match icmp type echo-request
            drop
        }
        """

    @Test func aNewPolicyTakesEffect() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 2)
            let reply = try bed.reload(policy: Self.noPing)
            #expect(reply.status == 0, "\(reply.output)")
            #expect(reply.output.contains("generation 2"))
            #expect(reply.output.contains("added: no-ping"))
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 0)
            let status = try bed.status()
            #expect(status.policy.generation == 2)
            #expect(status.lastReload?.ok == true)
            #expect(status.rules.map(\.name) == ["no-ping"])
        }
    }

    @Test func aBrokenPolicyLeavesTheRunningOneInForce() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.noPing)
            let broken = """
                version 1
                default forward
                rule "oops" {
                    match tcp dport 70000
                    drop
                }
                """
            let reply = try bed.reload(policy: broken)
            #expect(reply.status != 0)
            #expect(reply.output.contains("\(bed.policyPath):4:21: error:"), "\(reply.output)")
            #expect(bed.process?.isRunning == true)
            let status = try bed.status()
            #expect(status.policy.generation == 1)
            #expect(status.lastReload?.ok == false)
            #expect(
                try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 0, "old policy in force")
            // SIGHUP with the broken file: logged as FILE:LINE:COL, still running.
            kill(bed.process!.processIdentifier, SIGHUP)
            #expect(waitUntil(timeout: 3) { bed.log(lines: 200).contains("test.policy:4:21: error") })
            #expect(bed.process?.isRunning == true)
        }
    }

    /// A policy that parses and compiles but fails its own `test` block is refused: the frames
    /// that crossed before still cross after (and those dropped still drop), the status says the
    /// reload failed and names the test, and so does the log.
    @Test func aPolicyWhoseTestFailsIsRefusedAndTheRunningVerdictsStay() async throws {
        try await BridgeTestbed.with { bed in
            let running = """
                version 1
                default forward
                rule "no-9" {
                    match udp dport 9
                    drop
                }
                """
            try bed.start(policy: running)
            let marker: UInt8 = 0x4e
            func crossing() throws -> Set<UInt16> {
                let frames = [9, 10, 11].map { TestFrames.udp(sourcePort: 4000, destinationPort: $0, marker: marker) }
                let received = try RawExchange.send(
                    frames, from: bed.a, interface: "a0", to: bed.b, capture: "b0", expecting: 3, timeout: 1.5
                ) { TestFrames.isMarkedUDP($0, marker) }
                return Set(received.map { UInt16($0[36]) << 8 | UInt16($0[37]) })
            }
            #expect(try crossing() == [10, 11], "the running policy drops port 9 only")
            // Would drop port 10 too, but its test expects port 10 to pass: it fails.
            let failing = """
                version 1
                default forward
                rule "no-9-or-10" {
                    match udp dport { 9, 10 }
                    drop
                }
                test "port 10 still passes" {
                    packet udp dport 10
                    expect forward
                }
                """
            let reply = try bed.reload(policy: failing)
            #expect(reply.status != 0, "\(reply.output)")
            #expect(reply.output.contains("port 10 still passes"), "\(reply.output)")
            let status = try bed.status()
            #expect(status.policy.generation == 1)
            #expect(status.lastReload?.ok == false)
            #expect(
                status.lastReload?.errors.contains { $0.contains("test \"port 10 still passes\" failed") } == true,
                "\(String(describing: status.lastReload))")
            #expect(status.rules.map(\.name) == ["no-9"])
            #expect(try crossing() == [10, 11], "the old policy is still in force")
            #expect(
                try waitUntil { bed.log(lines: 200).contains("port 10 still passes") },
                "the log names the test: \(bed.log())")
        }
    }

    @Test func countersCarryOverByRuleName() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.noPing)
            _ = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3)
            let renamed = Self.noPing + "\nrule \"udp\" {\n    match udp dport 9\n    forward\n}\n"
            #expect(try bed.reload(policy: renamed).status == 0)
            _ = try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2)
            #expect(try bed.rulePackets("no-ping") == 5)
        }
    }

    @Test func aSteadyPingLosesNothingAcrossTwentyReloads() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            let count = 400
            let (pinger, output) = try bed.launch(
                in: bed.a,
                ["ping", "-n", "-q", "-c", String(count), "-i", "0.01", "-W", "1", BridgeTestbed.addressB])
            let policies = [
                Self.passAll,
                "version 1\ndefault forward\nrule \"web\" {\n    match tcp dport 80\n    forward\n}\n",
            ]
            for round in 0..<20 {
                let reply = try bed.reload(policy: policies[(round + 1) % 2])
                #expect(reply.status == 0, "\(reply.output)")
                usleep(100_000)  // spreads the reloads over the ping's four seconds; waits for nothing
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            pinger.waitUntilExit()
            #expect(text.contains("\(count) packets transmitted, \(count) received"), "\(text)")
            #expect(try bed.status().policy.generation == 21)
        }
    }
}
