import Bridge
import Frame
import Glibc
import TestSupport
import Testing

/// `limit`, meters and `quota` on the live bridge, counted where the frames arrive (host b).
///
/// A rate limit's count depends on how long the bridge saw the flood last, which no test can
/// fix in advance; so each test reads the clock the bridge stamps frames with (`CLOCK_MONOTONIC`)
/// around the flood and bounds the count by the token bucket's arithmetic over the interval
/// those readings allow: at most burst + rate x (the longest the bridge can have seen it), at
/// least burst + rate x (the shortest), one frame either way for the bucket's rounding.
@Suite(.serialized) struct LimitLiveTests {
    static let rate = 10.0
    static let burst = 5
    /// The echo identifier of the floods' pings: nothing else on the testbed uses it.
    static let identifier: UInt16 = 0x4b4c

    static func isFloodPing(_ frame: [UInt8]) -> Bool {
        let info = HostFrames.info(frame)
        return info.present.contains(.icmpType) && info.l4Protocol == IPProtocol.icmp && info.icmpType == 8
            && info.l4Offset + 6 <= frame.count
            && UInt16(frame[info.l4Offset + 4]) << 8 | UInt16(frame[info.l4Offset + 5]) == identifier
    }

    @Test func aPingFloodReachesTheFarSideAtTheLimitedRate() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "ping-flood" {
                        match icmp type echo-request limit rate over \(Int(Self.rate))/second burst \(Self.burst) packets
                        drop
                    }
                    """)
            let client = try bed.endpointA()
            let server = try bed.endpointB()
            let count = 400
            let pings = (0..<count).map { sequence in
                HostFrames.frame(
                    from: client, to: server,
                    HostFrames.echoRequest(identifier: Self.identifier, sequence: UInt16(sequence)))
            }
            let arrivals = TimedTraffic.capture(
                in: bed.b, interface: "b0", duration: 15, idle: 1, matching: Self.isFloodPing)
            // One ping every 2 ms: 500 a second, 50 times the limit.
            let sending = try TimedTraffic.send(pings, from: bed.a, interface: "a0", gapMicroseconds: 2000)
            let arrived = try arrivals.wait()
            let dropped = try bed.waitForRule("ping-flood", packets: UInt64(count - arrived.count)).packets

            // Every ping was either dropped by the limit or arrived.
            #expect(Int(dropped) + arrived.count == count)
            let first = try #require(arrived.first).time
            let last = try #require(arrived.last).time
            // The bridge let pings through from its first decision (after the first send, before
            // the first arrival) to its last pass (before the last arrival), and went on deciding
            // until after the last send.
            let shortest = sending.last - first
            let longest = last - sending.first
            let least = Self.burst + Int(Self.rate * shortest) - 1
            let most = Self.burst + Int(Self.rate * longest) + 1
            #expect(
                arrived.count >= least && arrived.count <= most,
                "\(arrived.count) pings arrived; the bucket allows \(least)...\(most) over \(shortest)...\(longest) s")
        }
    }

    /// The bridge reads a batch of frames at once; a limit must still see them arrive when they
    /// did. The bridge is stopped while 600 pings arrive 50 µs apart (20,000 a second), so they
    /// wait in its ring and are read in full batches (256) when it resumes: under a limit of
    /// 100,000 a second with a burst of 150, every one of them is within the rate. A limit
    /// clocked once per batch would see each batch arrive at one instant and pass only 150 of
    /// it (388 of the 600). The burst leaves room for the kernel stamping a run of pings at once
    /// when a busy machine delays the softirq that delivers them (up to 7 ms of them). The gaps
    /// are spun, not slept, so the 600 take milliseconds even on a loaded machine, well inside
    /// the second past which the bridge clocks a waiting frame as a second old (``ArrivalClock``).
    @Test func aLimitClocksEachFrameWhenItArrivedNotWhenItsBatchWasRead() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "fast-limit" {
                        match icmp type echo-request limit rate over 100000/second burst 150 packets
                        drop
                    }
                    """)
            let client = try bed.endpointA()
            // To b's MAC but an address b does not have: b answers none of them, so no replies
            // come back through port b while the backlog on port a is read (a fresh frame on the
            // other port moves the worker's clock past the backlog's stamps).
            let server = Endpoint(mac: try bed.endpointB().mac, ipv4: HostFrames.ipv4("198.18.1.99"))
            let count = 600
            let pings = (0..<count).map { sequence in
                HostFrames.frame(
                    from: client, to: server,
                    HostFrames.echoRequest(identifier: Self.identifier, sequence: UInt16(sequence)))
            }
            let pid = try #require(bed.process).processIdentifier
            let arrivals = TimedTraffic.capture(
                in: bed.b, interface: "b0", duration: 10, idle: 1, matching: Self.isFloodPing)
            #expect(kill(pid, SIGSTOP) == 0)
            let sent: Result<TimedTraffic.Sending, any Error> = Result {
                try TimedTraffic.send(pings, from: bed.a, interface: "a0", gapMicroseconds: 50, spin: true)
            }
            #expect(kill(pid, SIGCONT) == 0)
            let sending = try sent.get()
            let arrived = try arrivals.wait()
            let resumedAfter = (arrived.first?.time ?? .nan) - sending.last
            let limited = try bed.rulePackets("fast-limit")
            let ringDrops = try bed.portCounter("a", "ring_drops")
            #expect(
                arrived.count == count,
                """
                \(arrived.count) of \(count) pings crossed a limit they were all within (sent over \
                \(sending.last - sending.first) s; the first crossed \(resumedAfter) s after the last was sent; \
                \(limited) limited, \(ringDrops) dropped at the ring)
                """)
            #expect(limited == 0)
            let rx = try bed.portCounter("a", "rx_frames")
            #expect(rx >= UInt64(count), "the bridge read \(rx) frames on a")
        }
    }

    @Test func twoSourcesUnderAPerSourceMeterEachGetTheirOwnAllowance() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "ping-meter" {
                        match icmp type echo-request limit rate over \(Int(Self.rate))/second burst \(Self.burst) packets per ip saddr
                        drop
                    }
                    """)
            let first = try bed.endpointA()
            let second = Endpoint(mac: first.mac, ipv4: HostFrames.ipv4("198.18.1.21"))
            let server = try bed.endpointB()
            let perSource = 30
            // Both sources' pings interleaved, back to back: the same flood from each.
            let pings = (0..<perSource).flatMap { sequence in
                [first, second].map { source in
                    HostFrames.frame(
                        from: source, to: server,
                        HostFrames.echoRequest(identifier: Self.identifier, sequence: UInt16(sequence)))
                }
            }
            let arrivals = TimedTraffic.capture(
                in: bed.b, interface: "b0", duration: 10, idle: 1, matching: Self.isFloodPing)
            let sending = try TimedTraffic.send(pings, from: bed.a, interface: "a0", gapMicroseconds: 0)
            let arrived = try arrivals.wait()
            let dropped = try bed.waitForRule("ping-meter", packets: UInt64(pings.count - arrived.count)).packets
            #expect(Int(dropped) + arrived.count == pings.count)

            // b counts each source's pings: each got a full burst, and at most what its own
            // bucket refilled between the first send and its last pass. One bucket for both
            // could not have let 2 x burst through.
            for source in [first, second] {
                let fromSource = arrived.filter { HostFrames.info($0.frame).ipv4Source == source.ipv4 }
                let last = fromSource.last?.time ?? sending.first
                let most = Self.burst + Int(Self.rate * (last - sending.first)) + 1
                #expect(
                    fromSource.count >= Self.burst && fromSource.count <= most,
                    "\(fromSource.count) pings from \(source.ipv4) arrived; its bucket allows \(Self.burst)...\(most)")
            }
        }
    }

    @Test func aQuotaStopsAFlowAfterItsBytesAndResetQuotaLetsItThroughAgain() async throws {
        // 100-byte datagrams: 128 bytes of IP packet each, what the kernel's quota counts too
        // (skb->len on a bridge: the frame without its Ethernet header).
        let datagram = 100
        let counted = 20 + 8 + datagram
        let allowed = 10
        try await BridgeTestbed.with { bed in
            try bed.start(
                policy: """
                    version 1
                    default forward
                    rule "budget" {
                        match udp dport 5002 quota over \(allowed * counted) bytes
                        drop
                    }
                    """)
            let send = """
                import socket, time
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for i in range(30):
                    s.sendto(bytes(\(datagram)), ("\(BridgeTestbed.addressB)", 5002)); time.sleep(0.002)
                """
            let counter = HostServer.udpCounter(address: BridgeTestbed.addressB, port: 5002)
            // The quota lets exactly `allowed` datagrams through: the next one takes the count
            // over it, and so does every one after.
            try HostServer.with(in: bed.b, script: counter) { (server: HostServer) throws in
                _ = try HostScript.run(in: bed.a, send)
                let rule = try bed.waitForRule("budget", packets: UInt64(30 - allowed))
                #expect(rule.packets == UInt64(30 - allowed))
                #expect(rule.quotaBytes == UInt64(allowed * counted))
                #expect(rule.quotaConsumed == UInt64(30 * counted))
                #expect(try server.stopCounting() == allowed)
            }

            // A reload that keeps the rule's name keeps what its quota counted.
            let policy = try String(contentsOfFile: bed.policyPath, encoding: .utf8)
            let reload = try bed.reload(policy: policy + "rule \"other\" {\n    match udp dport 5003\n    drop\n}\n")
            #expect(reload.status == 0, "\(reload.output)")
            #expect(try bed.rule("budget").quotaConsumed == UInt64(30 * counted))

            let reply = try bed.bridgekeeper("reset-quota", "budget", "--control", bed.controlPath)
            #expect(reply.contains("quota of \"budget\" reset (1 quota)"), "\(reply)")
            #expect(try bed.rule("budget").quotaConsumed == 0)

            try HostServer.with(in: bed.b, script: counter) { (server: HostServer) throws in
                _ = try HostScript.run(in: bed.a, send)
                let rule = try bed.waitForRule("budget", packets: UInt64(2 * (30 - allowed)))
                #expect(rule.packets == UInt64(2 * (30 - allowed)))
                #expect(try server.stopCounting() == allowed)
            }
        }
    }
}
