import Flow
import Frame
import Testing

/// ICMP and ICMPv6 errors about known flows are related; about unknown flows, or sent to anyone
/// but the quoted packet's sender, invalid.
@Suite struct RelatedICMPTests {
    /// A harness with an established TCP flow from the client to the server (IPv4 and IPv6).
    func establishedTCP() throws -> Harness {
        let harness = try Harness()
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.syn))
        harness.send(Frames.tcp4(Address.server, 443, Address.client, 40000, TCPFlag.synAck))
        harness.send(Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.ack))
        harness.send(Frames.tcp6(Address.client6, 40000, Address.server6, 443, TCPFlag.syn))
        harness.send(Frames.tcp6(Address.server6, 443, Address.client6, 40000, TCPFlag.synAck))
        return harness
    }

    @Test func ipv4ErrorsAboutAKnownFlowAreRelated() throws {
        let harness = try establishedTCP()
        let clientSegment = Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.ack, payload: 100)
        let serverSegment = Frames.tcp4(Address.server, 443, Address.client, 40000, TCPFlag.ack, payload: 100)
        // A router on the way tells the client its segment did not fit (fragmentation needed).
        let toClient = Frames.icmp4(
            Address.router, Address.client, type: 3, code: 4, quoting: Frames.quote(clientSegment))
        var result = harness.send(toClient)
        #expect(result.lookup.state == .related && result.lookup.direction == .reply)
        #expect(result.outcome == .untouched, "an error changes no flow")
        // The client itself says the server's segment's port is unreachable.
        let toServer = Frames.icmp4(
            Address.client, Address.server, type: 3, code: 3, quoting: Frames.quote(serverSegment))
        result = harness.send(toServer)
        #expect(result.lookup.state == .related && result.lookup.direction == .original)
        for type: UInt8 in [4, 5, 11, 12] {
            #expect(
                harness.classify(
                    Frames.icmp4(Address.router, Address.client, type: type, quoting: Frames.quote(clientSegment))
                ).state == .related)
        }
    }

    @Test func ipv4ErrorsAboutNothingKnownOrSentElsewhereAreInvalid() throws {
        let harness = try establishedTCP()
        let otherPort = Frames.tcp4(Address.client, 40001, Address.server, 443, TCPFlag.ack)
        let clientSegment = Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.ack)
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.client, type: 3, quoting: Frames.quote(otherPort)))
                .state == .invalid)
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.other, type: 3, quoting: Frames.quote(clientSegment)))
                .state == .invalid,
            "the error must go back to the quoted packet's source")
        #expect(
            harness.classify(
                Frames.icmp4(Address.router, Address.client, type: 3, quoting: Frames.quote(clientSegment, l4Bytes: 6))
            ).state == .invalid,
            "fewer than 8 quoted L4 bytes")
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.client, type: 3)).state == .invalid, "quoting nothing"
        )
        let quotedError = Frames.icmp4(Address.client, Address.server, type: 3, quoting: Frames.quote(clientSegment))
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.client, type: 11, quoting: Frames.quote(quotedError)))
                .state == .invalid,
            "an error about an error")
    }

    @Test func errorsAboutUDPAndEchoFlows() throws {
        let harness = try Harness()
        let query = Frames.udp4(Address.client, 5353, Address.server, 53)
        harness.send(query)
        #expect(
            harness.classify(
                Frames.icmp4(Address.server, Address.client, type: 3, code: 3, quoting: Frames.quote(query))
            ).state == .related,
            "port unreachable for an unanswered UDP flow")
        let ping = Frames.icmp4(Address.client, Address.server, type: 8, identifier: 42)
        harness.send(ping)
        let timeExceeded = Frames.icmp4(Address.router, Address.client, type: 11, quoting: Frames.quote(ping))
        #expect(harness.classify(timeExceeded).state == .related)
        let otherPing = Frames.icmp4(Address.client, Address.server, type: 8, identifier: 43)
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.client, type: 11, quoting: Frames.quote(otherPing)))
                .state == .invalid)
    }

    @Test func ipv6ErrorsAboutAKnownFlowAreRelated() throws {
        let harness = try establishedTCP()
        let clientSegment = Frames.tcp6(Address.client6, 40000, Address.server6, 443, TCPFlag.ack)
        for type: UInt8 in [1, 2, 3, 4] {
            let error = Frames.icmp6(Address.router6, Address.client6, type: type, quoting: Frames.quote(clientSegment))
            let lookup = harness.classify(error)
            #expect(lookup.state == .related && lookup.direction == .reply, "ICMPv6 type \(type)")
        }
        // The quoted packet may carry extension headers.
        let withOptions = Frames.ipv6(
            Address.client6, Address.server6, Frames.tcpSegment(40000, 443, TCPFlag.ack),
            extensions: [.hopByHop(length: 6), .destinationOptions(length: 14)])
        #expect(
            harness.classify(
                Frames.icmp6(Address.router6, Address.client6, type: 2, quoting: Frames.quote(withOptions))
            ).state == .related)
    }

    @Test func ipv6ErrorsAboutNothingKnownOrSentElsewhereAreInvalid() throws {
        let harness = try establishedTCP()
        let unknown = Frames.tcp6(Address.client6, 40009, Address.server6, 443, TCPFlag.ack)
        let known = Frames.tcp6(Address.client6, 40000, Address.server6, 443, TCPFlag.ack)
        #expect(
            harness.classify(Frames.icmp6(Address.router6, Address.client6, type: 1, quoting: Frames.quote(unknown)))
                .state == .invalid)
        #expect(
            harness.classify(Frames.icmp6(Address.router6, Address.other6, type: 1, quoting: Frames.quote(known))).state
                == .invalid)
        let ipv4Inside = Frames.quote(Frames.tcp4(Address.client, 40000, Address.server, 443, TCPFlag.ack))
        #expect(
            harness.classify(Frames.icmp6(Address.router6, Address.client6, type: 1, quoting: ipv4Inside)).state
                == .invalid)
    }
}
