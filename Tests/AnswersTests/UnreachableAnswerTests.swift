import Answers
import Frame
import Testing

/// ICMP and ICMPv6 destination-unreachable answers: fields, codes, quoting lengths, checksums.
@Suite struct UnreachableAnswerTests {
    /// Checks everything an unreachable answer to `original` must hold.
    func checkUnreachable(
        _ answer: [UInt8], to original: [UInt8], code: UInt8, quoted: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let sent = parse(original)
        let info = parse(answer)
        #expect(info.soundnessProblems(byteCount: answer.count).isEmpty, sourceLocation: sourceLocation)
        #expect(info.destinationMAC == sent.sourceMAC, sourceLocation: sourceLocation)
        #expect(info.sourceMAC == sent.destinationMAC, sourceLocation: sourceLocation)
        guard info.l3Offset == sent.l3Offset, answer.count >= info.l3Offset + 28 else {
            Issue.record("L3 offset \(info.l3Offset), expected \(sent.l3Offset)", sourceLocation: sourceLocation)
            return
        }
        #expect(
            Array(answer[12..<info.l3Offset]) == Array(original[12..<sent.l3Offset]), sourceLocation: sourceLocation)
        let l3 = info.l3Offset
        let isIPv4 = sent.present.contains(.ipv4)
        if isIPv4 {
            #expect(info.present.contains(.ipv4), sourceLocation: sourceLocation)
            #expect(answer[l3] == 0x45 && answer[l3 + 1] == 0, sourceLocation: sourceLocation)
            #expect(Int(answer.be16(l3 + 2)) == 20 + 8 + quoted, "total length", sourceLocation: sourceLocation)
            #expect(answer.be16(l3 + 4) == 0 && answer.be16(l3 + 6) == 0x4000, sourceLocation: sourceLocation)
            #expect(info.ttl == 64 && info.ipProtocol == IPProtocol.icmp, sourceLocation: sourceLocation)
            #expect(info.ipv4Source == sent.ipv4Destination, sourceLocation: sourceLocation)
            #expect(info.ipv4Destination == sent.ipv4Source, sourceLocation: sourceLocation)
        } else {
            #expect(info.present.contains(.ipv6), sourceLocation: sourceLocation)
            #expect(answer.be32(l3) == 0x6000_0000, sourceLocation: sourceLocation)
            #expect(Int(answer.be16(l3 + 4)) == 8 + quoted, "payload length", sourceLocation: sourceLocation)
            #expect(info.ttl == 64 && info.ipProtocol == IPProtocol.icmpv6, sourceLocation: sourceLocation)
            #expect(info.ipv6Source == sent.ipv6Destination, sourceLocation: sourceLocation)
            #expect(info.ipv6Destination == sent.ipv6Source, sourceLocation: sourceLocation)
        }
        let icmp = info.l4Offset
        #expect(info.present.contains(.icmpType), sourceLocation: sourceLocation)
        #expect(info.icmpType == (isIPv4 ? 3 : 1), "destination unreachable", sourceLocation: sourceLocation)
        #expect(info.icmpCode == code, sourceLocation: sourceLocation)
        #expect(answer.be32(icmp + 4) == 0, "unused", sourceLocation: sourceLocation)
        // Slice only what is there: a wrong length fails the test instead of trapping it.
        guard info.ipEnd == icmp + 8 + quoted, answer.count >= info.ipEnd, original.count >= sent.l3Offset + quoted
        else {
            Issue.record("IP end \(info.ipEnd), expected \(icmp + 8 + quoted)", sourceLocation: sourceLocation)
            return
        }
        #expect(
            Array(answer[(icmp + 8)..<(icmp + 8 + quoted)])
                == Array(original[sent.l3Offset..<(sent.l3Offset + quoted)]),
            "the quote is the original IP packet from its header on", sourceLocation: sourceLocation)
        #expect(answer.count == max(60, info.ipEnd), sourceLocation: sourceLocation)
        #expect(answer[info.ipEnd...].allSatisfy { $0 == 0 }, "padding", sourceLocation: sourceLocation)
        checksumsHold(answer, sourceLocation: sourceLocation)
    }

    func udpFrame(ipv4: Bool, ipLength: Int, tags: [FrameBuilder.VLANTag] = []) -> [UInt8] {
        let payload = (0..<(ipLength - (ipv4 ? 28 : 48))).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let udp = FrameBuilder.Transport.udp(Samples.udp(payload: payload))
        let frame = ipv4 ? Samples.ipv4(udp, tags: tags).build() : Samples.ipv6(udp, tags: tags).build()
        let info = parse(frame)
        precondition(info.ipEnd - info.l3Offset == ipLength)
        return frame
    }

    @Test func udpGetsPortUnreachableQuotingTheWholeSmallPacket() throws {
        for ipv4 in [true, false] {
            let frame = udpFrame(ipv4: ipv4, ipLength: ipv4 ? 44 : 64)
            let answer = try built(.automatic, to: frame)
            checkUnreachable(answer, to: frame, code: ipv4 ? 3 : 4, quoted: ipv4 ? 44 : 64)
        }
    }

    /// A 60-byte frame whose IP packet is 32 bytes: the 14 padding bytes are not quoted (they are
    /// filled with 0xab here so a quote that took them would show).
    @Test func ethernetPaddingIsNeverQuoted() throws {
        var frame = Samples.ipv4(.udp(Samples.udp(payload: [1, 2, 3, 4]))).build()
        #expect(frame.count == 60)
        for index in (14 + 32)..<60 { frame[index] = 0xab }
        let answer = try built(.automatic, to: frame)
        checkUnreachable(answer, to: frame, code: 3, quoted: 32)
        #expect(!answer.contains(0xab))
    }

    /// RFC 1812: the error stays within 576 bytes, so at most 548 bytes are quoted; a 1500-byte
    /// datagram's error is exactly 576 bytes of IP.
    @Test(arguments: [(100, 100), (547, 547), (548, 548), (549, 548), (1500, 548)])
    func ipv4QuotesAtMost548Bytes(ipLength: Int, quoted: Int) throws {
        let frame = udpFrame(ipv4: true, ipLength: ipLength)
        let answer = try built(.automatic, to: frame)
        checkUnreachable(answer, to: frame, code: 3, quoted: quoted)
        #expect(parse(answer).ipEnd - 14 == min(576, 28 + ipLength))
    }

    /// RFC 4443: the error stays within 1280 bytes, so at most 1232 bytes are quoted.
    @Test(arguments: [(200, 200), (1231, 1231), (1232, 1232), (1233, 1232), (1500, 1232)])
    func ipv6QuotesAtMost1232Bytes(ipLength: Int, quoted: Int) throws {
        let frame = udpFrame(ipv4: false, ipLength: ipLength)
        let answer = try built(.automatic, to: frame)
        checkUnreachable(answer, to: frame, code: 4, quoted: quoted)
        #expect(parse(answer).ipEnd - 14 == min(1280, 48 + ipLength))
    }

    @Test(arguments: Samples.tagStacks)
    func everyTagIsCopied(tags: [FrameBuilder.VLANTag]) throws {
        for ipv4 in [true, false] {
            let frame = udpFrame(ipv4: ipv4, ipLength: 1500, tags: tags)
            let answer = try built(.automatic, to: frame)
            checkUnreachable(answer, to: frame, code: ipv4 ? 3 : 4, quoted: ipv4 ? 548 : 1232)
            #expect(answer.count <= AnswerBuilder.maximumAnswerLength)
            #expect(parse(answer).vlanTagCount == tags.count)
        }
    }

    @Test(arguments: RejectCodeNames.icmp)
    func everyICMPNameSendsItsCode(name: RejectCodeName) throws {
        let code = try #require(RejectCodeNames.code(named: Substring(name.name), in: RejectCodeNames.icmp))
        let frame = udpFrame(ipv4: true, ipLength: 60)
        checkUnreachable(try built(.icmp(code: code), to: frame), to: frame, code: name.code, quoted: 60)
        // A TCP segment gets the ICMP error it asked for, not a reset.
        let syn = Samples.ipv4(.tcp(Samples.tcp(flags: 0x02))).build()
        checkUnreachable(try built(.icmp(code: code), to: syn), to: syn, code: name.code, quoted: 40)
    }

    @Test(arguments: RejectCodeNames.icmpv6)
    func everyICMPv6NameSendsItsCode(name: RejectCodeName) throws {
        let code = try #require(RejectCodeNames.code(named: Substring(name.name), in: RejectCodeNames.icmpv6))
        let frame = udpFrame(ipv4: false, ipLength: 80)
        checkUnreachable(try built(.icmpv6(code: code), to: frame), to: frame, code: name.code, quoted: 80)
    }

    /// `icmpx` sends the family's code: the kernel's `nft_reject_icmp_code` and
    /// `nft_reject_icmpv6_code` tables.
    @Test(arguments: [
        ("port-unreachable", UInt8(3), UInt8(4)), ("admin-prohibited", 13, 1), ("no-route", 0, 0),
        ("host-unreachable", 1, 3),
    ])
    func icmpxSendsTheFamilysCode(name: String, icmp: UInt8, icmpv6: UInt8) throws {
        let raw = try #require(RejectCodeNames.code(named: Substring(name), in: RejectCodeNames.icmpx))
        let code = try #require(ICMPxCode(rawValue: raw))
        let v4 = udpFrame(ipv4: true, ipLength: 60)
        checkUnreachable(try built(.icmpx(code), to: v4), to: v4, code: icmp, quoted: 60)
        let v6 = udpFrame(ipv4: false, ipLength: 60)
        checkUnreachable(try built(.icmpx(code), to: v6), to: v6, code: icmpv6, quoted: 60)
    }

    @Test func namesAndCodesLookUpBothWays() {
        for table in [RejectCodeNames.icmp, RejectCodeNames.icmpv6, RejectCodeNames.icmpx] {
            #expect(Set(table.map(\.code)).count == table.count, "one name per code")
            for entry in table {
                #expect(RejectCodeNames.code(named: Substring(entry.name), in: table) == entry.code)
                #expect(RejectCodeNames.name(of: entry.code, in: table) == entry.name)
            }
            #expect(RejectCodeNames.code(named: "Port-Unreachable", in: table) == nil, "nft's names are lower case")
        }
        #expect(RejectCodeNames.name(of: 200, in: RejectCodeNames.icmp) == nil)
    }

    /// Queries (echo, timestamp, information, address mask; ICMPv6 informational types) are not
    /// errors, so a plain `reject` answers them with port-unreachable.
    @Test func icmpQueriesAreAnswered() throws {
        for type: UInt8 in [0, 8, 13, 14, 15, 16, 17, 18] {
            let frame = Samples.ipv4(.icmp(Samples.icmp(type: type))).build()
            checkUnreachable(try built(.automatic, to: frame), to: frame, code: 3, quoted: 20 + 8 + 32)
        }
        for type: UInt8 in [128, 129, 133, 134, 135, 136, 143] {
            let frame = Samples.ipv6(.icmpv6(Samples.icmp(type: type))).build()
            checkUnreachable(try built(.automatic, to: frame), to: frame, code: 4, quoted: 40 + 8 + 32)
        }
    }

    /// Protocols without ports get port-unreachable too (nft's plain `reject`), quoting the packet.
    @Test func otherProtocolsAreAnswered() throws {
        let sctp = FrameBuilder.Transport.other(protocolNumber: IPProtocol.sctp, payload: Array(0..<40))
        let v4 = Samples.ipv4(sctp).build()
        checkUnreachable(try built(.automatic, to: v4), to: v4, code: 3, quoted: 60)
        let v6 = Samples.ipv6(sctp).build()
        checkUnreachable(try built(.automatic, to: v6), to: v6, code: 4, quoted: 80)
    }

    /// A first fragment carries the transport header, so it is answered (its checksum cannot be
    /// checked from one fragment, so it is not).
    @Test func aFirstFragmentIsAnswered() throws {
        let v4 = Samples.ipv4(.udp(Samples.udp(payload: Array(repeating: 3, count: 64)))) { $0.moreFragments = true }
            .build()
        checkUnreachable(try built(.automatic, to: v4), to: v4, code: 3, quoted: 20 + 8 + 64)
        let v6 = Samples.ipv6(
            .udp(Samples.udp()), extensions: [.fragment(offset: 0, moreFragments: true, identification: 9)]
        ).build()
        checkUnreachable(try built(.automatic, to: v6), to: v6, code: 4, quoted: 40 + 8 + 8 + 16)
    }

    /// The answer is an ICMP error, so answering it again is refused: no loops between rejecters.
    @Test func anUnreachableIsNotAnsweredAgain() throws {
        for ipv4 in [true, false] {
            let first = try built(.automatic, to: udpFrame(ipv4: ipv4, ipLength: 100))
            #expect(answer(.automatic, to: first).outcome == .refused(.icmpError))
        }
    }
}
