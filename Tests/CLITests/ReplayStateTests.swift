import Capture
import Foundation
import Frame
import TestSupport
import Testing

/// `bridgekeeper replay` with state: flows tracked across the capture, limits clocked by its
/// timestamps, and the answers `reject` would have sent (written by the real binary, read back).
@Suite struct ReplayStateTests {
    static let inside: UInt32 = 0xC612_0101  // 198.18.1.1, on port a
    static let outside: UInt32 = 0xC612_0102  // 198.18.1.2, on port b
    static let insideMAC: UInt64 = 0x02_00_00_00_0a_01
    static let outsideMAC: UInt64 = 0x02_00_00_00_0b_01
    /// Where every test capture starts (2023-11-14).
    static let start: UInt64 = 1_700_000_000_000_000_000

    static func shipped(_ name: String) -> String { BuiltProduct.packageRoot + "/policies/" + name }

    /// A TCP segment between `source` and `destination` (MACs to match), with these flags and numbers.
    static func tcp(
        from source: UInt32, to destination: UInt32, sourcePort: UInt16, destinationPort: UInt16, flags: UInt8,
        sequence: UInt32 = 1000, acknowledgment: UInt32 = 0
    ) -> [UInt8] {
        var segment = FrameBuilder.TCP()
        segment.sourcePort = sourcePort
        segment.destinationPort = destinationPort
        segment.flags = flags
        segment.sequence = sequence
        segment.acknowledgment = acknowledgment
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = destination
        ip.transport = .tcp(segment)
        return frame(.ipv4(ip), from: source)
    }

    /// An Ethernet frame carrying `network`, between the inside's and the outside's MACs (from the
    /// side `source` lives on).
    static func frame(_ network: FrameBuilder.Network, from source: UInt32) -> [UInt8] {
        var builder = FrameBuilder()
        builder.sourceMAC = source == outside ? outsideMAC : insideMAC
        builder.destinationMAC = source == outside ? insideMAC : outsideMAC
        builder.network = network
        return builder.build()
    }

    static func ping(from source: UInt32, sequence: UInt16) -> [UInt8] {
        var icmp = FrameBuilder.ICMP()
        icmp.rest = 0x0001_0000 | UInt32(sequence)
        var ip = FrameBuilder.IPv4()
        ip.source = source
        ip.destination = outside
        ip.transport = .icmp(icmp)
        return frame(.ipv4(ip), from: source)
    }

    /// Writes `frames` with their own timestamps (nanoseconds since the epoch).
    static func writeCapture(_ frames: [(bytes: [UInt8], at: UInt64)], to path: String) throws {
        let writer = try PcapWriter(path: path)
        for frame in frames { frame.bytes.withUnsafeBytes { writer.write($0, timestampNanoseconds: frame.at) } }
        writer.flush()
    }

    /// Every frame of a capture, with its timestamp.
    static func readCapture(_ path: String) throws -> [(bytes: [UInt8], at: UInt64)] {
        let reader = try PcapReader(path: path)
        var frames: [(bytes: [UInt8], at: UInt64)] = []
        while let record = try reader.next() { frames.append((Array(record.bytes), record.timestampNanoseconds)) }
        return frames
    }

    /// A fresh folder for one test's files.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "bk-replay-state-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a test's folder (clean-up only: nothing is asserted about it).
    static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// `bridgekeeper replay ARGUMENTS --json`, decoded; records the failure when it does not run.
    static func replay(_ arguments: [String]) throws -> [String: Any] {
        let result = Shell.result([try BridgekeeperBinary.path, "replay"] + arguments + ["--json"])
        try #require(result.status == 0, "replay failed: \(result.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(result.output)")
    }

    /// The packets (and, for a rejecting rule, the answers) of rule `name` in a replay's JSON.
    static func rule(_ name: String, in summary: [String: Any]) throws -> [String: Any] {
        let rules = try #require(summary["rules"] as? [[String: Any]])
        return try #require(rules.first { $0["name"] as? String == name }, "no rule \(name)")
    }

    @Test func aHandshakeFromTheInsidePassesAndAnUnsolicitedSynFromTheOutsideDoesNot() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        let syn = Self.tcp(
            from: Self.inside, to: Self.outside, sourcePort: 40000, destinationPort: 80, flags: 0x02, sequence: 1000)
        let synAck = Self.tcp(
            from: Self.outside, to: Self.inside, sourcePort: 80, destinationPort: 40000, flags: 0x12, sequence: 5000,
            acknowledgment: 1001)
        let ack = Self.tcp(
            from: Self.inside, to: Self.outside, sourcePort: 40000, destinationPort: 80, flags: 0x10, sequence: 1001,
            acknowledgment: 5001)
        let unsolicited = Self.tcp(
            from: Self.outside, to: Self.inside, sourcePort: 40001, destinationPort: 22, flags: 0x02)
        // One capture per port, as `tcpdump -i` on each side would write them.
        try Self.writeCapture([(syn, Self.start), (ack, Self.start + 2_000_000)], to: base + "/a.pcap")
        try Self.writeCapture(
            [(synAck, Self.start + 1_000_000), (unsolicited, Self.start + 3_000_000)], to: base + "/b.pcap")

        let summary = try Self.replay([
            "--policy", Self.shipped("stateful.policy"), "--in-a", base + "/a.pcap", "--in-b", base + "/b.pcap",
            "--forward", base + "/forward.pcap", "--drop", base + "/drop.pcap",
        ])
        #expect(try Self.readCapture(base + "/forward.pcap").map(\.bytes) == [syn, synAck, ack])
        #expect(try Self.readCapture(base + "/drop.pcap").map(\.bytes) == [unsolicited])
        #expect(try Self.rule("inside-out", in: summary)["packets"] as? Int == 1)
        #expect(try Self.rule("established", in: summary)["packets"] as? Int == 2)
        #expect((summary["default"] as? [String: Any])?["packets"] as? Int == 1)
        let flows = try #require(summary["flows"] as? [String: Any], "no flow figures: \(summary)")
        #expect(flows["created"] as? Int == 1)
        #expect(flows["inUse"] as? Int == 1)
        #expect(flows["capacity"] as? Int == 262_144)

        // Without a flow table nothing is `new` or `established`: the same capture is all dropped.
        let untracked = try Self.replay([
            "--policy", Self.shipped("stateful.policy"), "--in-a", base + "/a.pcap", "--in-b", base + "/b.pcap",
            "--flows", "0",
        ])
        #expect(untracked["forwarded"] as? Int == 0)
        #expect(untracked["dropped"] as? Int == 4)
        #expect(untracked["flows"] == nil)
    }

    @Test func aFlowTimesOutByTheCapturesOwnClock() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        var query = FrameBuilder.UDP()
        query.sourcePort = 5353
        query.destinationPort = 53
        var answer = FrameBuilder.UDP()
        answer.sourcePort = 53
        answer.destinationPort = 5353
        var out = FrameBuilder.IPv4()
        out.source = Self.inside
        out.destination = Self.outside
        out.transport = .udp(query)
        var back = FrameBuilder.IPv4()
        back.source = Self.outside
        back.destination = Self.inside
        back.transport = .udp(answer)
        let request = Self.frame(.ipv4(out), from: Self.inside)
        let reply = Self.frame(.ipv4(back), from: Self.outside)
        // The second answer comes 1 s after the first, or 10 minutes after: past udp's 30 s.
        for (gap, secondPasses) in [(UInt64(1_000_000_000), true), (600_000_000_000, false)] {
            try Self.writeCapture([(request, Self.start)], to: base + "/a.pcap")
            try Self.writeCapture(
                [(reply, Self.start + 1_000_000), (reply, Self.start + 1_000_000 + gap)], to: base + "/b.pcap")
            let summary = try Self.replay([
                "--policy", Self.shipped("stateful.policy"), "--in-a", base + "/a.pcap", "--in-b", base + "/b.pcap",
            ])
            #expect(summary["forwarded"] as? Int == (secondPasses ? 3 : 2), "gap \(gap) ns: \(summary)")
            let flows = try #require(summary["flows"] as? [String: Any])
            #expect(flows["expired"] as? Int == (secondPasses ? 0 : 1), "gap \(gap) ns")
        }
    }

    @Test func aPingBurstIsLimitedByTheCaptureTimestamps() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        let pings = (0..<20).map { Self.ping(from: Self.inside, sequence: UInt16($0)) }
        // perimeter.policy: "ping-flood" drops what is over 10/second after a burst of 5, per source.
        for (spacing, forwarded) in [(UInt64(1_000_000), 5), (1_000_000_000, 20)] {
            try Self.writeCapture(
                pings.enumerated().map { ($0.element, Self.start + UInt64($0.offset) * spacing) },
                to: base + "/pings.pcap")
            let summary = try Self.replay([
                "--policy", Self.shipped("perimeter.policy"), "--in", base + "/pings.pcap",
                "--forward", base + "/forward.pcap",
            ])
            #expect(summary["forwarded"] as? Int == forwarded, "spacing \(spacing) ns")
            #expect(try Self.rule("ping-flood", in: summary)["packets"] as? Int == 20 - forwarded)
            #expect(try Self.readCapture(base + "/forward.pcap").map(\.bytes) == Array(pings.prefix(forwarded)))
        }

        // Two sources interleaved 1 ms apart: each has a burst of its own.
        let other: UInt32 = 0xC612_0103
        let mixed = (0..<20).map { Self.ping(from: $0 % 2 == 0 ? Self.inside : other, sequence: UInt16($0)) }
        try Self.writeCapture(
            mixed.enumerated().map { ($0.element, Self.start + UInt64($0.offset) * 1_000_000) },
            to: base + "/mixed.pcap")
        let summary = try Self.replay([
            "--policy", Self.shipped("perimeter.policy"), "--in", base + "/mixed.pcap", "--forward",
            base + "/forward.pcap",
        ])
        #expect(summary["forwarded"] as? Int == 10)
        #expect(try Self.readCapture(base + "/forward.pcap").map(\.bytes) == Array(mixed.prefix(10)))
    }

    @Test func timestampsThatGoBackwardsAddNoTokens() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        let pings = (0..<7).map { Self.ping(from: Self.inside, sequence: UInt16($0)) }
        // Five pings at 10 s use the burst; one stamped at 0 s is clocked at 10 s (over the
        // limit: no time passed); one at 10.1 s has the 100 ms token that accrued since.
        let burst = Self.start + 10_000_000_000
        let stamps = [burst, burst, burst, burst, burst, Self.start, burst + 100_000_000]
        try Self.writeCapture(Array(zip(pings, stamps)).map { ($0.0, $0.1) }, to: base + "/pings.pcap")
        let summary = try Self.replay([
            "--policy", Self.shipped("perimeter.policy"), "--in", base + "/pings.pcap", "--forward",
            base + "/forward.pcap", "--drop", base + "/drop.pcap",
        ])
        #expect(summary["outOfOrder"] as? Int == 1)
        #expect(try Self.readCapture(base + "/forward.pcap").map(\.bytes) == Array(pings.prefix(5)) + [pings[6]])
        let dropped = try Self.readCapture(base + "/drop.pcap")
        #expect(dropped.map(\.bytes) == [pings[5]])
        // Written with its own stamp, not the clock's.
        #expect(dropped.map(\.at) == [Self.start])
    }

    @Test func rejectedFramesAnswersAreWrittenWithTheRightBytes() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        let telnet = Self.tcp(
            from: Self.inside, to: Self.outside, sourcePort: 40000, destinationPort: 23, flags: 0x02, sequence: 7000)
        var snmp = FrameBuilder.UDP()
        snmp.sourcePort = 40001
        snmp.destinationPort = 161
        snmp.payload = Array("public".utf8)
        var snmpIP = FrameBuilder.IPv4()
        snmpIP.source = Self.inside
        snmpIP.destination = Self.outside
        snmpIP.transport = .udp(snmp)
        let query = Self.frame(.ipv4(snmpIP), from: Self.inside)
        var broadcastBuilder = FrameBuilder()
        var broadcastIP = snmpIP
        broadcastIP.destination = 0xffff_ffff
        broadcastBuilder.destinationMAC = 0xffff_ffff_ffff
        broadcastBuilder.sourceMAC = Self.insideMAC
        broadcastBuilder.network = .ipv4(broadcastIP)
        let broadcast = broadcastBuilder.build()
        var smb = FrameBuilder.TCP()
        smb.destinationPort = 445
        smb.sequence = 0x1234_5678
        var smbIP = FrameBuilder.IPv6()
        smbIP.source = 0x2001_0db8_0001_0000_0000_0000_0000_0001
        smbIP.destination = 0x2001_0db8_0001_0000_0000_0000_0000_0002
        smbIP.transport = .tcp(smb)
        let smbFrame = Self.frame(.ipv6(smbIP), from: Self.inside)
        let web = Self.tcp(from: Self.inside, to: Self.outside, sourcePort: 40002, destinationPort: 443, flags: 0x02)
        let stamps = (0..<5).map { Self.start + UInt64($0) * 1_000_000 }
        try Self.writeCapture(
            Array(zip([telnet, query, broadcast, smbFrame, web], stamps)).map { ($0.0, $0.1) }, to: base + "/in.pcap")

        let summary = try Self.replay([
            "--policy", Self.shipped("perimeter.policy"), "--in", base + "/in.pcap", "--answers",
            base + "/answers.pcap", "--drop", base + "/drop.pcap",
        ])
        #expect(summary["rejected"] as? Int == 4)
        #expect(summary["answers"] as? Int == 3)
        #expect(try Self.rule("no-telnet", in: summary)["answers"] as? Int == 1)
        #expect(try Self.rule("no-snmp", in: summary)["answers"] as? Int == 1)
        #expect(try Self.rule("no-snmp", in: summary)["unanswered"] as? Int == 1)
        #expect(try Self.rule("no-smb", in: summary)["answers"] as? Int == 1)
        #expect(try Self.rule("ping-flood", in: summary)["answers"] == nil)
        #expect(try Self.readCapture(base + "/drop.pcap").map(\.bytes) == [telnet, query, broadcast, smbFrame])

        let answers = try Self.readCapture(base + "/answers.pcap")
        try #require(answers.count == 3)
        #expect(answers.map(\.at) == [stamps[0], stamps[1], stamps[3]])
        for (answer, original) in zip(answers.map(\.bytes), [telnet, query, smbFrame]) {
            let info = answer.withUnsafeBytes { FrameInfo.parse($0) }
            let asked = original.withUnsafeBytes { FrameInfo.parse($0) }
            #expect(answer.withUnsafeBytes { ChecksumVerifier.allAreValid($0, info: info) })
            #expect(info.destinationMAC == asked.sourceMAC && info.sourceMAC == asked.destinationMAC)
            #expect(info.ipv4Source == asked.ipv4Destination && info.ipv4Destination == asked.ipv4Source)
            #expect(info.ipv6Source == asked.ipv6Destination && info.ipv6Destination == asked.ipv6Source)
        }

        // The telnet SYN's reset: RST|ACK from port 23, seq 0, ack = its sequence + 1 (RFC 9293).
        let reset = answers[0].bytes
        let resetInfo = reset.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(resetInfo.l4Protocol == 6 && resetInfo.tcpFlags == 0x14)
        #expect(resetInfo.sourcePort == 23 && resetInfo.destinationPort == 40000)
        #expect(Self.be32(reset, resetInfo.l4Offset + 4) == 0)
        #expect(Self.be32(reset, resetInfo.l4Offset + 8) == 7001)

        // SNMP's admin-prohibited: ICMP 3/13 quoting the query's IP packet whole.
        let unreachable = answers[1].bytes
        let unreachableInfo = unreachable.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(unreachableInfo.l4Protocol == 1)
        #expect(unreachableInfo.icmpType == 3 && unreachableInfo.icmpCode == 13)
        let queried = query.withUnsafeBytes { FrameInfo.parse($0) }
        let quoted = Array(unreachable[(unreachableInfo.l4Offset + 8)..<unreachableInfo.ipEnd])
        #expect(quoted == Array(query[queried.l3Offset..<queried.ipEnd]))

        // The IPv6 SYN's reset, to its sender over IPv6.
        let reset6 = answers[2].bytes
        let reset6Info = reset6.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(reset6Info.present.contains(.ipv6) && reset6Info.tcpFlags == 0x14)
        #expect(Self.be32(reset6, reset6Info.l4Offset + 8) == 0x1234_5679)
    }

    @Test func theAnswerRateIsPacedByTheCaptureTimestamps() throws {
        let base = try Self.folder()
        defer { Self.remove(base) }
        let syns = (0..<50).map {
            Self.tcp(
                from: Self.inside, to: Self.outside, sourcePort: UInt16(41000 + $0), destinationPort: 23, flags: 0x02)
        }
        // perimeter.policy: answer-rate 100/second burst 20 packets. 50 SYNs 100 µs apart get
        // the burst and nothing more; 10 ms apart, one token accrues between each: all answered.
        for (spacing, answered) in [(UInt64(100_000), 20), (10_000_000, 50)] {
            try Self.writeCapture(
                syns.enumerated().map { ($0.element, Self.start + UInt64($0.offset) * spacing) },
                to: base + "/syns.pcap")
            let summary = try Self.replay([
                "--policy", Self.shipped("perimeter.policy"), "--in", base + "/syns.pcap", "--answers",
                base + "/answers.pcap",
            ])
            let rule = try Self.rule("no-telnet", in: summary)
            #expect(rule["answers"] as? Int == answered, "spacing \(spacing) ns")
            #expect(rule["answersSuppressed"] as? Int == 50 - answered, "spacing \(spacing) ns")
            let written = try Self.readCapture(base + "/answers.pcap")
            #expect(written.count == answered)
            #expect(
                written.map { $0.bytes.withUnsafeBytes { FrameInfo.parse($0).destinationPort } }
                    == (0..<answered).map { UInt16(41000 + $0) })
        }
    }

    static func be32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
