import Foundation
import TestSupport
import Testing

/// Faults heal without a hand on the console.
@Suite(.serialized) struct FaultTests {
    static let passAll = "version 1\ndefault forward\n"

    @Test func aPortGoingDownAndUpRecoversAndCostsNoCPUWhileDown() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 2)
            let pid = bed.process!.processIdentifier
            for (what, down, up) in [
                (
                    "admin down", { try bed.bridge.ip("link", "set", "pb", "down") },
                    { try bed.bridge.ip("link", "set", "pb", "up") }
                ),
                (
                    "carrier loss", { try bed.b.ip("link", "set", "b0", "down") },
                    { try bed.b.ip("link", "set", "b0", "up") }
                ),
            ] as [(String, () throws -> Void, () throws -> Void)] {
                try down()
                #expect(try waitUntil(timeout: 3) { (try bed.status().ports[1].link) == "down" }, "\(what)")
                // A window in which nothing should happen: the bridge sleeps on the dead port rather
                // than spinning. CPU time is work done, not speed: a spinning thread burns the whole
                // window whatever the load, an idle one next to nothing.
                let cpuBefore = try ProcessProbe.cpuSeconds(pid)
                usleep(2_000_000)
                let used = try ProcessProbe.cpuSeconds(pid) - cpuBefore
                #expect(used < 0.1, "\(what): \(used) s of CPU in 2 s while the port was down")
                try up()
                #expect(try waitUntil(timeout: 3) { try bed.status().ports[1].link == "up" }, "\(what)")
                #expect(
                    try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.1").received == 3,
                    "\(what)")
            }
            #expect(bed.log(lines: 100).contains("msg=\"port down\""))
        }
    }

    @Test func aRemovedInterfaceIsLoggedAndTheBridgeResumesWhenItReturns() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 2)
            try bed.bridge.ip("link", "del", "pb")
            #expect(try waitUntil(timeout: 3) { (try bed.status().ports[1].link) == "gone" })
            #expect(bed.process?.isRunning == true)
            let gone = bed.log(lines: 100).split(separator: "\n").filter { $0.contains("reason=\"interface removed\"") }
            #expect(gone.count == 1, "one log line: \(gone)")
            // The interface comes back under the same name.
            try bed.bridge.ip("link", "add", "pb", "type", "veth", "peer", "name", "b0", "netns", bed.b.name)
            try bed.b.exec("ethtool", "-K", "b0", "tso", "off", "gso", "off")
            try bed.b.ip("addr", "add", BridgeTestbed.addressB + "/24", "dev", "b0")
            try bed.b.ip("link", "set", "b0", "up")
            try bed.bridge.ip("link", "set", "pb", "up")
            #expect(try waitUntil(timeout: 3) { (try bed.status().ports[1].link) == "up" }, "\(bed.log())")
            // Host A still knows the old b0's MAC; a real host would re-resolve after a while.
            try bed.a.ip("neigh", "flush", "dev", "a0")
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3, interval: "0.2").received == 3)
            // The returning port was prepared again: its offloads are off while bridging.
            #expect(try bed.bridge.exec("ethtool", "-k", "pb").contains("generic-receive-offload: off"))
        }
    }

    @Test func aStormOfSIGHUPsWhileThePolicyIsRewrittenLosesNothingAndEndsOnTheNewestFile() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            let pid = bed.process!.processIdentifier
            let (pinger, output) = try bed.launch(
                in: bed.a, ["ping", "-n", "-q", "-c", "300", "-i", "0.01", BridgeTestbed.addressB])
            let memoryBefore = try ProcessProbe.residentKilobytes(pid)
            for round in 1...100 {
                try bed.writePolicy(
                    "version 1\ndefault forward\nrule \"round-\(round)\" {\n    match udp dport \(round)\n    forward\n}\n"
                )
                kill(pid, SIGHUP)
                usleep(10_000)  // the storm's pace (100 signals a second), not a wait for anything
            }
            let settled = try waitUntil(timeout: 10) {
                try bed.status().rules.map(\.name) == ["round-100"]
            }
            let names = try bed.status().rules.map(\.name)
            #expect(settled, "ends on the newest file: \(names)")
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            pinger.waitUntilExit()
            #expect(text.contains("300 packets transmitted, 300 received"), "\(text)")
            #expect(bed.process?.isRunning == true)
            let growth = try ProcessProbe.residentKilobytes(pid) - memoryBefore
            print("SIGHUP storm: generation \(try bed.status().policy.generation), RSS growth \(growth) kB")
            #expect(growth < 20_000, "memory stays flat: grew \(growth) kB")
        }
    }

    @Test func aFullDelayQueueIsBoundedAndCounted() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "slow" {
                        match udp dport 5002
                        forward delay 300ms
                    }
                    """, arguments: ["--delay-capacity", "16"])
            let arrived = try HostTraffic.udpDatagrams(
                from: bed.a, to: bed.b, address: BridgeTestbed.addressB, count: 100)
            let status = try bed.status()
            let delayed = status.ports[1].counters["delayed"] ?? 0
            let overflow = status.ports[1].counters["delay_overflow"] ?? 0
            #expect(delayed + overflow == 100)
            #expect(overflow > 0, "the queue filled")
            #expect(UInt64(arrived) == delayed, "every held frame left; the overflow was dropped, not lost silently")
            #expect(status.held == 0)
        }
    }

    @Test func garbageOnTheControlSocketIsIgnoredAndLogged() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll)
            for garbage in ["hello", String(repeating: "x", count: 5000), "\u{0}\u{1}\u{2}", "status please now"] {
                // The bridge may answer or close the connection; either is fine, but the garbage must
                // have been delivered, so the client itself has to run and connect.
                try Shell.run(
                    "ip", "netns", "exec", bed.bridge.name, "python3", "-c",
                    "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n'); s.settimeout(2)\ntry: print(s.recv(200))\nexcept OSError as e: print('closed:', e)",
                    bed.controlPath, garbage)
            }
            #expect(try bed.status().policy.generation == 1, "still answering")
            #expect(bed.log(lines: 50).contains("ignored a control request"))
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 2).received == 2)
        }
    }

    @Test func aRingThatOverflowsIsCountedAndDoesNotStall() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.passAll, arguments: ["--ring-frames", "64"])
            // A burst far faster than one slow-started thread drains 80 slots.
            let marker: UInt8 = 0x3c
            try await bed.a.run {
                let socket = try PlainPacketSocket(interface: "a0")
                let frame = TestFrames.frame(length: 60, marker: marker)
                // A full socket buffer refusing some of the burst is part of the burst; none at all
                // getting through, or any other send error, is not.
                var sent = 0
                for _ in 0..<200_000 where try socket.sendUnlessFull(frame) { sent += 1 }
                guard sent > 0 else { throw TestFailure("not one frame of the burst could be sent") }
            }
            // Ring drops are read from the kernel about once a second: wait until they show.
            let status = try bed.waitForStatus { ($0.ports[0].counters["ring_drops"] ?? 0) > 0 }
            let drops = status.ports[0].counters["ring_drops"] ?? 0
            let received = status.ports[0].counters["rx_frames"] ?? 0
            print("ring overflow: rx \(received), ring drops \(drops)")
            #expect(drops > 0, "rx \(received)")
            #expect(try bed.ping(from: bed.a, to: BridgeTestbed.addressB, count: 3).received == 3, "no stall")
        }
    }
}
