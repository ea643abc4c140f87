import Flow
import Frame
import Testing

/// Later fragments get the state their datagram's first fragment got; without it, invalid.
@Suite struct FragmentTrackingTests {
    /// A first IPv4 fragment (UDP header inside) and a later one, with identification `id`.
    func ipv4Fragments(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16, id: UInt16
    ) -> (first: [UInt8], later: [UInt8]) {
        let first = Frames.ipv4(source, destination, Frames.udpDatagram(sourcePort, destinationPort, payload: 64)) {
            $0.identification = id
            $0.moreFragments = true
        }
        let later = Frames.ipv4(source, destination, .other(protocolNumber: IPProtocol.udp, payload: [1, 2, 3, 4])) {
            $0.identification = id
            $0.fragmentOffset = 9
        }
        return (first, later)
    }

    @Test func frameInfoCarriesTheIdentificationAndWhichFragmentIsFirst() {
        let (first, later) = ipv4Fragments(Address.client, 1, Address.server, 2, id: 0xBEEF)
        let firstInfo = first.withUnsafeBytes { FrameInfo.parse($0) }
        let laterInfo = later.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(firstInfo.isFragment && firstInfo.isFirstFragment && firstInfo.ipIdentification == 0xBEEF)
        #expect(laterInfo.isFragment && !laterInfo.isFirstFragment && laterInfo.ipIdentification == 0xBEEF)
        let whole = Frames.udp4(Address.client, 1, Address.server, 2)
        let wholeInfo = whole.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(!wholeInfo.isFragment && !wholeInfo.isFirstFragment)

        let first6 = Frames.ipv6(
            Address.client6, Address.server6, Frames.udpDatagram(1, 2),
            extensions: [.fragment(offset: 0, moreFragments: true, identification: 0xDEAD_BEEF)])
        let later6 = Frames.ipv6(
            Address.client6, Address.server6, .other(protocolNumber: IPProtocol.udp, payload: [0, 1]),
            extensions: [.fragment(offset: 20, moreFragments: false, identification: 0xDEAD_BEEF)])
        let first6Info = first6.withUnsafeBytes { FrameInfo.parse($0) }
        let later6Info = later6.withUnsafeBytes { FrameInfo.parse($0) }
        #expect(first6Info.isFirstFragment && first6Info.ipIdentification == 0xDEAD_BEEF)
        #expect(!later6Info.isFirstFragment && later6Info.isFragment && later6Info.ipIdentification == 0xDEAD_BEEF)
        let plain6 = Frames.udp6(Address.client6, 1, Address.server6, 2).withUnsafeBytes { FrameInfo.parse($0) }
        #expect(plain6.ipIdentification == 0 && !plain6.isFirstFragment)
    }

    @Test func ipv4LaterFragmentsFollowTheirFirstFragment() throws {
        let harness = try Harness()
        let request = ipv4Fragments(Address.client, 5000, Address.server, 7000, id: 1)
        var result = harness.send(request.first)
        #expect(result.lookup.state == .new && result.outcome == .created)
        result = harness.send(request.later)
        #expect(result.lookup.state == .new && result.lookup.direction == .original && result.outcome == .updated)
        let answer = ipv4Fragments(Address.server, 7000, Address.client, 5000, id: 2)
        #expect(harness.send(answer.first).lookup.state == .established)
        result = harness.send(answer.later)
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        let flow = try harness.onlyFlow()
        #expect(flow.framesOriginal == 2 && flow.framesReply == 2, "later fragments count on the flow")
        #expect(flow.bytesOriginal == UInt64(request.first.count + request.later.count))
        #expect(harness.table.statistics.fragmentsRemembered == 2)
    }

    @Test func aLaterFragmentWithoutItsFirstIsInvalid() throws {
        let harness = try Harness()
        let seen = ipv4Fragments(Address.client, 5000, Address.server, 7000, id: 10)
        harness.send(seen.first)
        let unseen = ipv4Fragments(Address.client, 5000, Address.server, 7000, id: 11)
        let lookup = harness.classify(unseen.later)
        #expect(lookup.state == .invalid && lookup.direction == nil)
        #expect(harness.table.statistics.fragmentsUnmatched == 1)
        // A dropped first fragment is not remembered either.
        let dropped = ipv4Fragments(Address.client, 5001, Address.server, 7000, id: 12)
        harness.send(dropped.first, forwarded: false)
        #expect(harness.classify(dropped.later).state == .invalid)
        // The memory lasts the fragment timeout (30 s).
        harness.advance(30)
        #expect(harness.classify(seen.later).state == .invalid)
    }

    @Test func ipv6LaterFragmentsFollowTheirFirstFragment() throws {
        let harness = try Harness()
        let first = Frames.ipv6(
            Address.client6, Address.server6, Frames.tcpSegment(40000, 443, TCPFlag.syn),
            extensions: [.fragment(offset: 0, moreFragments: true, identification: 77)])
        let later = Frames.ipv6(
            Address.client6, Address.server6, .other(protocolNumber: IPProtocol.tcp, payload: [0, 0, 0, 0]),
            extensions: [.fragment(offset: 3, moreFragments: false, identification: 77)])
        let stranger = Frames.ipv6(
            Address.client6, Address.server6, .other(protocolNumber: IPProtocol.tcp, payload: [0, 0, 0, 0]),
            extensions: [.fragment(offset: 3, moreFragments: false, identification: 78)])
        #expect(harness.send(first).lookup.state == .new)
        let result = harness.send(later)
        #expect(result.lookup.state == .new && result.lookup.direction == .original)
        #expect(harness.classify(stranger).state == .invalid)
        #expect(try harness.onlyFlow().framesOriginal == 2)
    }

    @Test func vlansSeparateFragmentsToo() throws {
        let harness = try Harness()
        let first = Frames.ipv4(Address.client, Address.server, Frames.udpDatagram(1, 2, payload: 20), vlans: [5]) {
            $0.identification = 3
            $0.moreFragments = true
        }
        let laterOtherVLAN = Frames.ipv4(
            Address.client, Address.server, .other(protocolNumber: IPProtocol.udp, payload: [1]), vlans: [6]
        ) {
            $0.identification = 3
            $0.fragmentOffset = 4
        }
        harness.send(first)
        #expect(harness.classify(laterOtherVLAN).state == .invalid)
    }
}
