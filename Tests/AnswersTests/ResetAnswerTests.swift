import Answers
import Frame
import Testing

/// Resets: every field parsed back, the RFC 9293 numbers, checksums recomputed two ways.
@Suite struct ResetAnswerTests {
    /// Checks everything a reset to `original` must hold and returns its TCP header bytes' offset.
    @discardableResult
    func checkReset(
        _ answer: [UInt8], to original: [UInt8], sequence: UInt32, acknowledgment: UInt32, flags: UInt8,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int {
        let sent = parse(original)
        let info = parse(answer)
        #expect(info.soundnessProblems(byteCount: answer.count).isEmpty, sourceLocation: sourceLocation)
        #expect(info.destinationMAC == sent.sourceMAC, sourceLocation: sourceLocation)
        #expect(info.sourceMAC == sent.destinationMAC, sourceLocation: sourceLocation)
        guard info.l3Offset == sent.l3Offset, answer.count >= info.l3Offset + 20 else {
            Issue.record("L3 offset \(info.l3Offset), expected \(sent.l3Offset)", sourceLocation: sourceLocation)
            return 0
        }
        #expect(
            Array(answer[12..<info.l3Offset]) == Array(original[12..<sent.l3Offset]), sourceLocation: sourceLocation)
        #expect(info.vlanTagCount == sent.vlanTagCount, sourceLocation: sourceLocation)
        #expect(info.etherType == sent.etherType, sourceLocation: sourceLocation)
        let l3 = info.l3Offset
        if sent.present.contains(.ipv4) {
            #expect(info.present.contains(.ipv4), sourceLocation: sourceLocation)
            #expect(answer[l3] == 0x45, "version 4, IHL 5", sourceLocation: sourceLocation)
            #expect(answer[l3 + 1] == 0, "TOS", sourceLocation: sourceLocation)
            #expect(answer.be16(l3 + 2) == 40, sourceLocation: sourceLocation)
            #expect(answer.be16(l3 + 4) == 0, "id", sourceLocation: sourceLocation)
            #expect(answer.be16(l3 + 6) == 0x4000, "DF, offset 0", sourceLocation: sourceLocation)
            #expect(info.ttl == 64, sourceLocation: sourceLocation)
            #expect(info.ipProtocol == IPProtocol.tcp, sourceLocation: sourceLocation)
            #expect(info.ipv4Source == sent.ipv4Destination, sourceLocation: sourceLocation)
            #expect(info.ipv4Destination == sent.ipv4Source, sourceLocation: sourceLocation)
            #expect(info.l4Offset == l3 + 20, sourceLocation: sourceLocation)
        } else {
            #expect(info.present.contains(.ipv6), sourceLocation: sourceLocation)
            #expect(
                answer.be32(l3) == 0x6000_0000, "version 6, traffic class 0, flow 0", sourceLocation: sourceLocation)
            #expect(answer.be16(l3 + 4) == 20, sourceLocation: sourceLocation)
            #expect(info.ipProtocol == IPProtocol.tcp, "no extension headers", sourceLocation: sourceLocation)
            #expect(info.ttl == 64, sourceLocation: sourceLocation)
            #expect(info.ipv6Source == sent.ipv6Destination, sourceLocation: sourceLocation)
            #expect(info.ipv6Destination == sent.ipv6Source, sourceLocation: sourceLocation)
            #expect(info.l4Offset == l3 + 40, sourceLocation: sourceLocation)
        }
        let tcp = info.l4Offset
        #expect(info.l4Protocol == IPProtocol.tcp && info.present.contains(.l4Header), sourceLocation: sourceLocation)
        guard info.ipEnd == tcp + 20, answer.count >= tcp + 20 else {
            Issue.record("IP end \(info.ipEnd), expected \(tcp + 20)", sourceLocation: sourceLocation)
            return tcp
        }
        #expect(info.sourcePort == sent.destinationPort, sourceLocation: sourceLocation)
        #expect(info.destinationPort == sent.sourcePort, sourceLocation: sourceLocation)
        #expect(answer.be32(tcp + 4) == sequence, "SEQ", sourceLocation: sourceLocation)
        #expect(answer.be32(tcp + 8) == acknowledgment, "ACK", sourceLocation: sourceLocation)
        #expect(answer[tcp + 12] == 0x50, "data offset 5, no options", sourceLocation: sourceLocation)
        #expect(info.tcpFlags == flags, sourceLocation: sourceLocation)
        #expect(answer.be16(tcp + 14) == 0, "window", sourceLocation: sourceLocation)
        #expect(answer.be16(tcp + 18) == 0, "urgent pointer", sourceLocation: sourceLocation)
        #expect(answer.count == max(60, tcp + 20), sourceLocation: sourceLocation)
        #expect(answer[(tcp + 20)...].allSatisfy { $0 == 0 }, "padding", sourceLocation: sourceLocation)
        checksumsHold(answer, sourceLocation: sourceLocation)
        return tcp
    }

    static let rstACK: UInt8 = 0x14
    static let rst: UInt8 = 0x04

    @Test func synWithoutACKGetsRSTACKAcknowledgingTheSYN() throws {
        for frame in [
            Samples.ipv4(.tcp(Samples.tcp(flags: 0x02, sequence: 0x1234_5678))).build(),
            Samples.ipv6(.tcp(Samples.tcp(flags: 0x02, sequence: 0x1234_5678))).build(),
        ] {
            let reset = try built(.automatic, to: frame)
            checkReset(reset, to: frame, sequence: 0, acknowledgment: 0x1234_5679, flags: Self.rstACK)
            #expect(try built(.tcpReset, to: frame) == reset)
        }
    }

    @Test func synWithPayloadCountsTheSYNAndEveryByte() throws {
        let options: [UInt8] = [0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02]  // MSS, NOP, NOP, SACK-permitted
        let segment = Samples.tcp(
            flags: 0x02, sequence: 1000, payload: Array(repeating: 7, count: 37), options: options)
        for frame in [Samples.ipv4(.tcp(segment)).build(), Samples.ipv6(.tcp(segment)).build()] {
            let reset = try built(.tcpReset, to: frame)
            checkReset(reset, to: frame, sequence: 0, acknowledgment: 1000 + 1 + 37, flags: Self.rstACK)
        }
    }

    @Test func acknowledgedDataGetsRSTAtTheAcknowledgedSequence() throws {
        let segment = Samples.tcp(
            flags: 0x18, sequence: 0x0bad_f00d, acknowledgment: 0xcafe_0001, payload: Array(repeating: 1, count: 500))
        for frame in [Samples.ipv4(.tcp(segment)).build(), Samples.ipv6(.tcp(segment)).build()] {
            let reset = try built(.tcpReset, to: frame)
            checkReset(reset, to: frame, sequence: 0xcafe_0001, acknowledgment: 0, flags: Self.rst)
        }
    }

    @Test func finCountsOneAndFinACKTakesTheAcknowledgment() throws {
        let fin = Samples.ipv4(.tcp(Samples.tcp(flags: 0x01, sequence: 50, payload: [1, 2, 3]))).build()
        checkReset(try built(.automatic, to: fin), to: fin, sequence: 0, acknowledgment: 54, flags: Self.rstACK)
        let synFin = Samples.ipv4(.tcp(Samples.tcp(flags: 0x03, sequence: 50))).build()
        checkReset(try built(.automatic, to: synFin), to: synFin, sequence: 0, acknowledgment: 52, flags: Self.rstACK)
        let finACK = Samples.ipv6(.tcp(Samples.tcp(flags: 0x11, sequence: 50, acknowledgment: 9000))).build()
        checkReset(try built(.automatic, to: finACK), to: finACK, sequence: 9000, acknowledgment: 0, flags: Self.rst)
    }

    @Test func theAcknowledgmentWrapsAround() throws {
        let frame = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02, sequence: 0xffff_fffe, payload: [9, 9]))).build()
        checkReset(try built(.automatic, to: frame), to: frame, sequence: 0, acknowledgment: 1, flags: Self.rstACK)
    }

    @Test(arguments: Samples.tagStacks)
    func everyTagIsCopied(tags: [FrameBuilder.VLANTag]) throws {
        let segment = Samples.tcp(flags: 0x02, sequence: 77)
        for frame in [Samples.ipv4(.tcp(segment), tags: tags).build(), Samples.ipv6(.tcp(segment), tags: tags).build()]
        {
            let reset = try built(.automatic, to: frame)
            checkReset(reset, to: frame, sequence: 0, acknowledgment: 78, flags: Self.rstACK)
            let info = parse(reset)
            #expect(info.vlanTagCount == tags.count)
            if let outer = tags.first {
                #expect(info.outerVLANTPID == outer.tpid)
                #expect(info.outerVLANTCI & 0x0fff == outer.id)
                #expect(info.outerVLANTCI >> 13 == UInt16(outer.pcp))
            }
        }
    }

    /// The reset carries a plain IPv6 header: the original's extension headers stay behind, and
    /// its payload length counts only the TCP header.
    @Test func ipv6ExtensionHeadersAreNotCopied() throws {
        let frame = Samples.ipv6(
            .tcp(Samples.tcp(flags: 0x02, sequence: 5, payload: [1, 2, 3, 4])),
            extensions: [.hopByHop(length: 6), .destinationOptions(length: 14)]
        ).build()
        checkReset(try built(.automatic, to: frame), to: frame, sequence: 0, acknowledgment: 10, flags: Self.rstACK)
    }

    /// The original's IPv4 options and Ethernet padding change nothing: the acknowledgment counts
    /// the TCP payload the IP length announces, not the padding after it.
    @Test func ipv4OptionsAndPaddingDoNotCountAsPayload() throws {
        let frame = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02, sequence: 100))) { $0.options = [0x94, 0x04, 0, 0] }
            .build()
        #expect(frame.count == 60)  // 14 + 24 + 20 = 58, padded
        checkReset(try built(.automatic, to: frame), to: frame, sequence: 0, acknowledgment: 101, flags: Self.rstACK)
    }

    /// A reset's answer is itself never answered: nothing can ping-pong between two rejecters.
    @Test func aResetIsNotAnsweredAgain() throws {
        let frame = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02))).build()
        let reset = try built(.automatic, to: frame)
        #expect(answer(.automatic, to: reset).outcome == .refused(.tcpReset))
    }
}
