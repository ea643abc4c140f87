import Flow
import Frame
import Testing

/// ct state and direction per frame for UDP, ICMP and ICMPv6 queries, other protocols, and
/// frames that are not tracked or cannot be.
@Suite struct CTStateTests {
    @Test func udpIsAPseudoConnection() throws {
        let harness = try Harness()
        let request = Frames.udp4(Address.client, 53000, Address.server, 53)
        let answer = Frames.udp4(Address.server, 53, Address.client, 53000)
        var result = harness.send(request)
        #expect(result.lookup.state == .new && result.lookup.direction == .original && result.outcome == .created)
        result = harness.send(request)
        #expect(result.lookup.state == .new && result.outcome == .updated, "the originator again, unanswered")
        result = harness.send(answer)
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        result = harness.send(request)
        #expect(result.lookup.state == .established && result.lookup.direction == .original)
        #expect(harness.table.statistics.inUse == 1, "both directions found one flow")
    }

    @Test func udpStreamTimeoutAppliesOnlyAfterTwoSeconds() throws {
        let harness = try Harness()
        harness.send(Frames.udp4(Address.client, 53000, Address.server, 53))
        harness.advance(0.5)
        harness.send(Frames.udp4(Address.server, 53, Address.client, 53000))
        var flow = try harness.onlyFlow()
        #expect(flow.seenReply && !flow.assured && flow.timeoutClass == .udp)
        #expect(flow.remaining == 30 * Harness.second)
        harness.advance(2)
        harness.send(Frames.udp4(Address.client, 53000, Address.server, 53))
        flow = try harness.onlyFlow()
        #expect(flow.assured && flow.timeoutClass == .udpStream)
        #expect(flow.remaining == 120 * Harness.second)
    }

    @Test func icmpEcho() throws {
        let harness = try Harness()
        let request = Frames.icmp4(Address.client, Address.server, type: 8, identifier: 77)
        let reply = Frames.icmp4(Address.server, Address.client, type: 0, identifier: 77)
        #expect(harness.classify(reply).state == .invalid, "an unsolicited echo reply")
        var result = harness.send(request)
        #expect(result.lookup.state == .new && result.lookup.direction == .original)
        result = harness.send(reply)
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        result = harness.send(request)
        #expect(result.lookup.state == .established)
        #expect(
            harness.classify(Frames.icmp4(Address.server, Address.client, type: 0, identifier: 78)).state == .invalid)
        let flow = try harness.onlyFlow()
        #expect(flow.tuple.sourcePort == 77 && flow.tuple.destinationPort == 8 && flow.timeoutClass == .icmp)
        #expect(flow.tuple.source == FlowAddress.mapped(Address.client))
    }

    @Test func icmpQueriesOtherThanEchoAndNonQueries() throws {
        let harness = try Harness()
        #expect(
            harness.send(Frames.icmp4(Address.client, Address.server, type: 13, identifier: 5)).lookup.state == .new)
        #expect(
            harness.send(Frames.icmp4(Address.server, Address.client, type: 14, identifier: 5)).lookup.state
                == .established)
        #expect(
            harness.classify(Frames.icmp4(Address.server, Address.client, type: 0, identifier: 5)).state == .invalid,
            "an echo reply does not answer a timestamp request")
        #expect(
            harness.classify(Frames.icmp4(Address.router, Address.client, type: 9)).state == .invalid,
            "router advertisement")
        #expect(harness.classify(Frames.icmp4(Address.router, Address.client, type: 200)).state == .invalid)
    }

    @Test func icmpv6Echo() throws {
        let harness = try Harness()
        let request = Frames.icmp6(Address.client6, Address.server6, type: 128, identifier: 9)
        let reply = Frames.icmp6(Address.server6, Address.client6, type: 129, identifier: 9)
        #expect(harness.classify(reply).state == .invalid)
        #expect(harness.send(request).lookup.state == .new)
        let result = harness.send(reply)
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        let flow = try harness.onlyFlow()
        #expect(flow.tuple.family == .ipv6 && flow.tuple.sourcePort == 9 && flow.tuple.destinationPort == 128)
    }

    @Test(arguments: [130, 131, 132, 133, 134, 135, 136, 143] as [UInt8])
    func neighbourDiscoveryAndMLDAreUntracked(type: UInt8) throws {
        let harness = try Harness()
        let result = harness.send(Frames.icmp6(Address.client6, Address.server6, type: type))
        #expect(result.lookup.state == .untracked && result.lookup.direction == nil && result.outcome == .untouched)
        #expect(harness.table.statistics.inUse == 0)
    }

    @Test func icmpv6OtherNonQueriesAreInvalid() throws {
        let harness = try Harness()
        #expect(harness.classify(Frames.icmp6(Address.router6, Address.client6, type: 137)).state == .invalid)
    }

    @Test func otherProtocolsAreTrackedByAddressesAndProtocol() throws {
        let harness = try Harness()
        let gre = Frames.ipv4(Address.client, Address.server, .other(protocolNumber: 47, payload: [0, 0, 0x08, 0]))
        let back = Frames.ipv4(Address.server, Address.client, .other(protocolNumber: 47, payload: [1, 2, 3, 4]))
        let esp = Frames.ipv4(Address.client, Address.server, .other(protocolNumber: IPProtocol.esp, payload: [9]))
        #expect(harness.send(gre).lookup.state == .new)
        #expect(harness.send(esp).lookup.state == .new, "another protocol, another flow")
        let result = harness.send(back)
        #expect(result.lookup.state == .established && result.lookup.direction == .reply)
        #expect(harness.table.statistics.inUse == 2)
        #expect(harness.table.count(in: .genericReplied) == 1 && harness.table.count(in: .genericUnreplied) == 1)
        let sctp6 = Frames.ipv6(Address.client6, Address.server6, .other(protocolNumber: IPProtocol.sctp, payload: [1]))
        #expect(harness.send(sctp6).lookup.state == .new)
    }

    @Test func framesThatAreNotIPAreUntracked() throws {
        let harness = try Harness()
        let arp = Frames.ethernet(.arp(FrameBuilder.ARP()))
        let lldp = Frames.ethernet(.raw(etherType: EtherType.lldp, payload: [UInt8](repeating: 0, count: 30)))
        let stp = Frames.ethernet(.raw(etherType: 0x0026, payload: [0x42, 0x42, 0x03]))
        for frame in [arp, lldp, stp] {
            let result = harness.send(frame)
            #expect(result.lookup.state == .untracked && result.outcome == .untouched)
        }
        #expect(harness.table.statistics.inUse == 0)
    }

    @Test func anUnsoundIPHeaderIsInvalid() throws {
        let harness = try Harness()
        let good = Frames.tcp4(Address.client, 40000, Address.server, 80, TCPFlag.syn)
        var badVersion = good
        badVersion[14] = 0x35  // version 3
        let truncated = Array(good[0..<24])
        var truncatedTCP = good
        truncatedTCP[17] = 20 + 10  // total length: 10 bytes of TCP header
        let ipv6Truncated = Array(Frames.udp6(Address.client6, 1, Address.server6, 2)[0..<40])
        for frame in [badVersion, truncated, truncatedTCP, ipv6Truncated] {
            let result = harness.send(frame)
            #expect(result.lookup.state == .invalid && result.outcome == .untouched)
        }
        #expect(harness.table.statistics.invalid == 4)
        #expect(harness.send(good).lookup.state == .new)
    }

    @Test func vlansSeparateFlows() throws {
        let harness = try Harness()
        #expect(harness.send(Frames.udp4(Address.client, 5000, Address.server, 53, vlans: [10])).lookup.state == .new)
        #expect(
            harness.send(Frames.udp4(Address.server, 53, Address.client, 5000, vlans: [20])).lookup.state == .new,
            "the answer on another VLAN is another flow")
        #expect(harness.send(Frames.udp4(Address.server, 53, Address.client, 5000)).lookup.state == .new)
        #expect(
            harness.send(Frames.udp4(Address.server, 53, Address.client, 5000, vlans: [10])).lookup.state
                == .established)
        // QinQ: the same outer VLAN, different inner VLANs.
        #expect(
            harness.send(Frames.udp4(Address.client, 5000, Address.server, 53, vlans: [100, 1])).lookup.state == .new)
        #expect(
            harness.send(Frames.udp4(Address.server, 53, Address.client, 5000, vlans: [100, 2])).lookup.state == .new)
        #expect(
            harness.send(Frames.udp4(Address.server, 53, Address.client, 5000, vlans: [100, 1])).lookup.state
                == .established)
        #expect(harness.table.statistics.inUse == 5)
        let tagged = harness.flows.filter { $0.tuple.outerVLAN == 100 }.map(\.tuple.innerVLAN).sorted()
        #expect(tagged == [1, 2])
    }

    @Test func bothDirectionsBuildOneKey() {
        let forward = FlowKey.oriented(
            family: .ipv4, ipProtocol: 6, source: FlowAddress.mapped(Address.client), sourcePort: 40000,
            destination: FlowAddress.mapped(Address.server), destinationPort: 443, outerVLAN: 5, innerVLAN: 0)
        let backward = FlowKey.oriented(
            family: .ipv4, ipProtocol: 6, source: FlowAddress.mapped(Address.server), sourcePort: 443,
            destination: FlowAddress.mapped(Address.client), destinationPort: 40000, outerVLAN: 5, innerVLAN: 0)
        #expect(forward.key == backward.key)
        #expect(forward.side == .high && backward.side == .low, "198.19.0.5 is above 198.18.0.9")
        let hasher = FlowHasher(seed: 1)
        #expect(hasher.hash(forward.key) == hasher.hash(backward.key))
        #expect(FlowHasher(seed: 2).hash(forward.key) != hasher.hash(forward.key), "the seed changes the hash")
        // Equal addresses: the ports decide.
        let low = FlowKey.oriented(
            family: .ipv6, ipProtocol: 17, source: 1, sourcePort: 10, destination: 1, destinationPort: 20,
            outerVLAN: 0, innerVLAN: 0)
        #expect(low.side == .low && low.key.lowPort == 10 && low.key.highPort == 20)
        #expect(low.key.tuple(from: .high).sourcePort == 20)
    }
}
