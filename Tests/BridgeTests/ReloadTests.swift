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
            let pinger = Process()
            pinger.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            pinger.arguments = [
                "ip", "netns", "exec", bed.a.name, "ping", "-n", "-q", "-c", String(count), "-i", "0.01", "-W", "1",
                BridgeTestbed.addressB,
            ]
            let output = Pipe()
            pinger.standardOutput = output
            try pinger.run()
            let policies = [
                Self.passAll,
                "version 1\ndefault forward\nrule \"web\" {\n    match tcp dport 80\n    forward\n}\n",
            ]
            for round in 0..<20 {
                let reply = try bed.reload(policy: policies[(round + 1) % 2])
                #expect(reply.status == 0, "\(reply.output)")
                usleep(100_000)
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            pinger.waitUntilExit()
            #expect(text.contains("\(count) packets transmitted, \(count) received"), "\(text)")
            #expect(try bed.status().policy.generation == 21)
        }
    }
}
