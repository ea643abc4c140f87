import Bridge
import Frame
import TestSupport
import Testing

/// `reject` on the live bridge: real clients fail at once with the errno a refused service
/// gives, nothing reaches the far host, answers keep the frame's VLAN tags, the frames that must
/// never be answered are not, and the answer rate holds under a flood. Answers are read on a's
/// side of the wire, as a's stack sees them.
@Suite(.serialized) struct RejectLiveTests {
    static let client = BridgeTestbed.addressA
    static let server = BridgeTestbed.addressB
    /// A source nothing on the testbed has: raw frames from it must be refused.
    static let quarantined = "198.18.1.50"
    static let answerRate = 100.0
    static let answerBurst = 20

    static let policy = """
        version 1
        default forward
        defaults {
            answer-rate \(Int(answerRate))/second burst \(answerBurst) packets;
        }
        rule "no-telnet" {
            match tcp dport 23
            reject
        }
        rule "no-syslog" {
            match udp dport 514
            reject
        }
        rule "quarantine" {
            comment "everything from a source that should not be here"
            match ip saddr \(quarantined)
            reject
        }
        rule "syn-wall" {
            match tcp dport 2323
            reject with tcp reset
        }
        """

    @Test func aConnectToARejectedPortFailsWithConnectionRefusedAndNothingReachesTheServer() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            // A server really listens on b (both families): a refusal can only come from the bridge.
            try HostServer.with(in: bed.b, script: HostServer.tcpAcceptor(address: "::", port: 23)) {
                (server: HostServer) throws in
                let onB = RawExchange.startCapture(in: bed.b, interface: "b0", count: 1, timeout: 1) { frame in
                    let info = HostFrames.info(frame)
                    return info.present.contains(.ports) && info.l4Protocol == IPProtocol.tcp
                        && info.destinationPort == 23
                }
                #expect(try SocketOutcome.tcpConnect(from: bed.a, to: Self.server, port: 23) == "ECONNREFUSED")
                #expect(
                    try SocketOutcome.tcpConnect(from: bed.a, to: BridgeTestbed.address6B, port: 23) == "ECONNREFUSED")
                #expect(try onB.wait().isEmpty)
                #expect(try server.stopCounting() == 0)
            }
            let rule = try bed.rule("no-telnet")
            #expect(rule.packets == 2)
            #expect(rule.answers == 2)
            #expect(rule.answersSuppressed == 0)
            #expect(try bed.portCounter("a", "answers") == 2)
            // Other ports still cross.
            #expect(try HostTraffic.udpDatagrams(from: bed.a, to: bed.b, address: Self.server, count: 5) == 5)
        }
    }

    @Test func aUDPSendToARejectedPortGetsConnectionRefusedOnTheNextCall() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            // A socket really listens on b (both families): the port unreachable is the bridge's.
            try HostServer.with(in: bed.b, script: HostServer.udpCounter(address: "::", port: 514)) {
                (server: HostServer) throws in
                #expect(try SocketOutcome.udpSendTwice(from: bed.a, to: Self.server, port: 514) == "ECONNREFUSED")
                #expect(
                    try SocketOutcome.udpSendTwice(from: bed.a, to: BridgeTestbed.address6B, port: 514)
                        == "ECONNREFUSED")
                #expect(try server.stopCounting() == 0)
            }
            // The second send of each failed before it left, so one datagram each was answered.
            let rule = try bed.rule("no-syslog")
            #expect(rule.packets == 2)
            #expect(rule.answers == 2)
        }
    }

    @Test(arguments: [
        [FrameBuilder.VLANTag(id: 5)],
        [FrameBuilder.VLANTag(id: 100, tpid: EtherType.qinq), FrameBuilder.VLANTag(id: 5)],
    ])
    func aRejectedTaggedFramesAnswerCarriesItsTags(tags: [FrameBuilder.VLANTag]) async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            let client = try bed.endpointA()
            let server = try bed.endpointB()
            let syn = HostFrames.frame(
                from: client, to: server, tags: tags,
                HostFrames.syn(sourcePort: 40001, destinationPort: 23, sequence: 7000))
            let answers = try RawExchange.send(
                [syn], from: bed.a, interface: "a0", to: bed.a, capture: "a0", expecting: 1
            ) { frame in
                let info = HostFrames.info(frame)
                return info.present.contains(.tcpFlags) && info.sourcePort == 23 && info.destinationPort == 40001
            }
            let answer = try #require(answers.first, "no answer: \(bed.log())")
            let info = HostFrames.info(answer)
            // The same tags, outermost first, then the addresses and ports of a reply.
            #expect(Array(answer[12..<(12 + 4 * tags.count)]) == Array(syn[12..<(12 + 4 * tags.count)]))
            #expect(info.vlanTagCount == tags.count)
            #expect(info.destinationMAC == client.mac && info.sourceMAC == server.mac)
            #expect(info.ipv4Source == server.ipv4 && info.ipv4Destination == client.ipv4)
            // RFC 9293: a SYN without ACK gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
            #expect(info.tcpFlags == HostFrames.rst | HostFrames.ack)
            #expect(HostFrames.word(answer, at: info.l4Offset + 4) == 0)
            #expect(HostFrames.word(answer, at: info.l4Offset + 8) == 7001)
            #expect(answer.withUnsafeBytes { ChecksumVerifier.allAreValid($0, info: info) })
            #expect(try bed.rule("no-telnet").answers == 1)
        }
    }

    @Test func anICMPErrorABroadcastAndANonFirstFragmentGetNoAnswer() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            let host = try bed.endpointA()
            let stranger = Endpoint(mac: host.mac, ipv4: HostFrames.ipv4(Self.quarantined))
            let server = try bed.endpointB()
            let everyone = Endpoint(mac: 0xffff_ffff_ffff, ipv4: 0xffff_ffff)

            let quoted = HostFrames.frame(
                from: server, to: stranger, HostFrames.udp(sourcePort: 5353, destinationPort: 5353))
            let icmpError = HostFrames.frame(
                from: stranger, to: server, HostFrames.icmpError(type: 3, code: 1, quoting: quoted))
            let broadcast = HostFrames.frame(
                from: stranger, to: everyone, HostFrames.udp(sourcePort: 6000, destinationPort: 9999))
            var fragment = FrameBuilder.IPv4()
            fragment.source = stranger.ipv4
            fragment.destination = server.ipv4
            fragment.identification = 0x4242
            fragment.fragmentOffset = 100
            fragment.transport = .other(protocolNumber: IPProtocol.udp, payload: Array(repeating: 0x17, count: 64))
            let nonFirstFragment = HostFrames.frame(from: stranger, to: server, ip: fragment)
            // The control: the same source's plain datagram is answered.
            let datagram = HostFrames.frame(
                from: stranger, to: server, HostFrames.udp(sourcePort: 6001, destinationPort: 9999))

            let answers = try RawExchange.send(
                [icmpError, broadcast, nonFirstFragment, datagram], from: bed.a, interface: "a0", to: bed.a,
                capture: "a0", expecting: 2, timeout: 1.5
            ) { HostFrames.info($0).ipv4Destination == stranger.ipv4 }
            #expect(answers.count == 1)
            let answer = try #require(answers.first)
            let info = HostFrames.info(answer)
            #expect(info.l4Protocol == IPProtocol.icmp && info.icmpType == 3 && info.icmpCode == 3)
            // It quotes the datagram: its IP header, then its UDP header (source port 6001).
            let quotedHeader = info.l4Offset + 8
            #expect(Array(answer[quotedHeader..<(quotedHeader + 28)]) == Array(datagram[14..<42]))

            let rule = try bed.waitForRule("quarantine", packets: 4)
            #expect(rule.packets == 4)
            #expect(rule.answers == 1)
            #expect(rule.unanswered == 3)
            #expect(rule.answersSuppressed == 0)
        }
    }

    @Test func theAnswerRateHoldsUnderAFloodOfRejectedSYNs() async throws {
        try await BridgeTestbed.with { bed in
            try bed.start(policy: Self.policy)
            let client = try bed.endpointA()
            let server = try bed.endpointB()
            let flood = (0..<2000).map { index in
                HostFrames.frame(
                    from: client, to: server,
                    HostFrames.syn(sourcePort: UInt16(20000 + index), destinationPort: 2323, sequence: UInt32(index)))
            }
            let resets = TimedTraffic.capture(in: bed.a, interface: "a0", duration: 10, idle: 1) { frame in
                let info = HostFrames.info(frame)
                return info.present.contains(.tcpFlags) && info.sourcePort == 2323
                    && info.tcpFlags & HostFrames.rst != 0
            }
            let sending = try TimedTraffic.send(flood, from: bed.a, interface: "a0", gapMicroseconds: 0)
            let received = try resets.wait()
            let rule = try bed.waitForRule("syn-wall", packets: 2000)

            let ringDrops = try bed.portCounter("a", "ring_drops")
            #expect(rule.packets == 2000, "\(ringDrops) ring drops")
            let answers = try #require(rule.answers)
            let suppressed = try #require(rule.answersSuppressed)
            // Answers went out between the first SYN's decision (after it was sent) and the last
            // reset's arrival; over that time the bucket, full at first, refills at the rate.
            let last = try #require(received.last).time
            let allowed = Self.answerBurst + Int(Self.answerRate * (last - sending.first)) + 1
            #expect(answers >= UInt64(Self.answerBurst))
            #expect(answers <= UInt64(allowed), "\(answers) answers in \(last - sending.first) s")
            #expect(answers + suppressed == 2000)
            #expect(rule.unanswered == 0)
            #expect(received.count == Int(answers))
            #expect(try bed.portCounter("a", "answers") == answers)
        }
    }
}
