import Frame
import Testing

@Suite struct VLANRewriteTests {
    let untagged = SampleFrames.ipv4TCP.with { $0.padToMinimum = false }

    @Test func pushOnUntaggedAddsFourBytesAndKeepsEverythingElse() {
        let frame = untagged.build()
        let result = rewrite(frame, [.vlanPush(0x123)], headroom: 4)
        #expect(result.results == [true])
        #expect(result.bytes.count == frame.count + 4)
        #expect(result.headroom == 0)
        #expect(Array(result.bytes[0..<12]) == Array(frame[0..<12]))
        #expect(Array(result.bytes[12..<16]) == [0x81, 0x00, 0x01, 0x23])
        #expect(Array(result.bytes[16...]) == Array(frame[12...]))
        #expect(result.info.vlanTagCount == 1)
        #expect(result.info.outerVLANTPID == EtherType.vlan && result.info.outerVLANTCI == 0x0123)
        #expect(result.info.l3Offset == 18 && result.info.l4Offset == 38 && result.info.length == frame.count + 4)
        #expect(result.info == parse(result.bytes))
    }

    @Test func pushOnTaggedBecomesTheOuterTag() {
        let tagged = SampleFrames.dot1QIPv4TCP.with { $0.padToMinimum = false }
        let result = rewrite(tagged.build(), [.vlanPush(7)])
        #expect(result.info.vlanTagCount == 2)
        #expect(result.info.outerVLANTCI == 7)
        #expect(result.info.innerVLANTCI == 0x6064)
        #expect(result.bytes == tagged.with { $0.vlanTags.insert(.init(id: 7), at: 0) }.build())
    }

    @Test func pushNeedsFourBytesOfHeadroom() {
        let frame = untagged.build()
        let result = rewrite(frame, [.vlanPush(5)], headroom: 3)
        #expect(result.results == [false])
        #expect(result.bytes == frame)
        #expect(result.headroom == 3)
    }

    @Test func popRemovesTheOuterTag() {
        let qinq = SampleFrames.qinqIPv6UDP.with { $0.padToMinimum = false }
        let frame = qinq.build()
        let result = rewrite(frame, [.vlanPop])
        #expect(result.results == [true])
        #expect(result.bytes.count == frame.count - 4)
        #expect(result.headroom == 12)
        #expect(result.bytes == qinq.with { $0.vlanTags.removeFirst() }.build())
        #expect(result.info.vlanTagCount == 1 && result.info.outerVLANTCI == 300)
        #expect(result.info.l3Offset == 18)
        let twice = rewrite(frame, [.vlanPop, .vlanPop, .vlanPop])
        #expect(twice.results == [true, true, false])
        #expect(twice.bytes == qinq.with { $0.vlanTags = [] }.build())
        #expect(twice.info.present.contains(.l4Header) && !twice.info.present.contains(.vlan))
    }

    @Test func tagRewritesOnUntaggedFramesFail() {
        let frame = untagged.build()
        let result = rewrite(frame, [.vlanID(5), .vlanPCP(3), .vlanPop])
        #expect(result.results == [false, false, false])
        #expect(result.bytes == frame)
    }

    @Test func idAndPCPKeepTheOtherTCIBits() {
        let tagged = SampleFrames.ipv4TCP.with { $0.vlanTags = [.init(id: 0xabc, pcp: 5, dei: true)] }
        let result = rewrite(tagged.build(), [.vlanID(0x123), .vlanPCP(2)])
        #expect(result.info.outerVLANTCI == 0x5123)  // PCP 2, DEI 1, VID 0x123
        #expect(result.bytes == tagged.with { $0.vlanTags = [.init(id: 0x123, pcp: 2, dei: true)] }.build())
    }

    @Test func rewritesAfterAPushLandInTheRightPlace() {
        let frame = untagged.build()
        let result = rewrite(frame, [.vlanPush(10), .ipv4Source(0x0a0a_0a0a), .tcpDestinationPort(22), .vlanID(11)])
        #expect(result.results == [true, true, true, true])
        let expected = untagged.with {
            $0.vlanTags = [.init(id: 11)]
            guard case .ipv4(var ip) = $0.network, case .tcp(var tcp) = ip.transport else { return }
            ip.source = 0x0a0a_0a0a
            tcp.destinationPort = 22
            ip.transport = .tcp(tcp)
            $0.network = .ipv4(ip)
        }
        #expect(result.bytes == expected.build())
        #expect(checksumsAreValid(result.bytes))
    }

    @Test func rewritesAfterAPopLandInTheRightPlace() {
        let qinq = SampleFrames.qinqIPv4UDP.with { $0.padToMinimum = false }
        let result = rewrite(qinq.build(), [.vlanPop, .ipv4TTL(9), .udpSourcePort(7), .vlanPCP(1)])
        #expect(result.results == [true, true, true, true])
        let expected = qinq.with {
            $0.vlanTags = [.init(id: 300, pcp: 1)]
            guard case .ipv4(var ip) = $0.network, case .udp(var udp) = ip.transport else { return }
            ip.ttl = 9
            udp.sourcePort = 7
            ip.transport = .udp(udp)
            $0.network = .ipv4(ip)
        }
        #expect(result.bytes == expected.build())
    }

    @Test func pushPastTheTagLimitAndPopBack() {
        let tags = (1...8).map { FrameBuilder.VLANTag(id: UInt16($0)) }
        let eight = SampleFrames.ipv4UDP.with {
            $0.vlanTags = tags
            $0.padToMinimum = false
        }
        let frame = eight.build()
        let pushed = rewrite(frame, [.vlanPush(9)])
        #expect(pushed.results == [true])
        // Nine tags: the parser walks eight and stops, so the info has no IP any more...
        #expect(pushed.info.present == [.ethernet, .vlan])
        #expect(pushed.info == parse(pushed.bytes))
        // ... and IP rewrites fail on it until a pop brings it back within reach.
        let again = rewrite(pushed.bytes, [.ipv4TTL(1), .vlanPop, .ipv4TTL(1)])
        #expect(again.results == [false, true, true])
        #expect(again.info.present.contains(.l4Header))
        #expect(again.bytes == RewriteModel.applying(.ipv4TTL(1), to: eight)!.build())
    }

    @Test func pushThenPopRestoresTheFrame() {
        let frame = SampleFrames.qinqIPv6UDP.build()
        let result = rewrite(frame, [.vlanPush(77), .vlanPop])
        #expect(result.results == [true, true])
        #expect(result.bytes == frame)
        #expect(result.headroom == 8)
    }
}
