import Policy

/// The frame that opens a flow, for a test of a rule that matches the flow's answers
/// (`ct state established`, `ct direction reply`): the answer's addresses and ports swapped,
/// from the other port.
enum FlowOpener {
    /// The opener's `packet` line and the answer's fields (every address and port given, so the
    /// two frames are one flow), or why no flow can be made.
    static func lines(
        reply given: [(Field, UInt128)], iif: UInt128, flags: UInt128?, equal: [Field: [ValueInterval]],
        excluded: [Field: [ValueInterval]]
    ) -> Result<(opener: String, reply: [(Field, UInt128)], flags: UInt128?), Untranslatable> {
        let fields = Set(given.map(\.0))
        let ipv6 = fields.contains { $0.rawValue.hasPrefix("ip6 ") || $0 == .icmpv6Type }
        let tcp = fields.contains { $0.rawValue.hasPrefix("tcp ") } || flags != nil
        let udp = fields.contains { $0.rawValue.hasPrefix("udp ") }
        let other = fields.contains { field in
            field.rawValue.hasPrefix("arp ") || field == .icmpType || field == .icmpv6Type || field == .metaL4proto
                || field == .ipProtocol || field == .ip6Nexthdr || field == .etherType
        }
        guard !other, !(tcp && udp) else {
            return .failure(Untranslatable("its ct state needs a flow opened by earlier frames"))
        }
        let (source, destination): (Field, Field) = ipv6 ? (.ip6Saddr, .ip6Daddr) : (.ipSaddr, .ipDaddr)
        let (sport, dport): (Field, Field) = tcp ? (.tcpSport, .tcpDport) : (.udpSport, .udpDport)
        // The answer comes from the outside (198.19.0.1, port 443) to the inside (198.18.0.1).
        let starts: [Field: UInt128] = [
            .ipSaddr: 0xC613_0001, .ipDaddr: 0xC612_0001, .ip6Saddr: UInt128(0x2001_0db8_0000_0002) << 64 | 1,
            .ip6Daddr: UInt128(0x2001_0db8_0000_0001) << 64 | 1, sport: 443, dport: 40000,
        ]
        var reply = given
        for field in [source, destination, sport, dport] where !fields.contains(field) {
            let start = starts[field]!
            let range = [ValueInterval(lo: start, hi: field.maxValue), ValueInterval(lo: 0, hi: start)]
            guard let value = TestDerivation.choose(field, equal[field] ?? range, excluded[field] ?? []) else {
                return .failure(Untranslatable("no value of \(field.rawValue) meets its terms"))
            }
            reply.append((field, value))
        }
        let value = { (field: Field) in reply.first { $0.0 == field }!.1 }
        guard value(source) != value(destination) || value(sport) != value(dport) else {
            return .failure(Untranslatable("its answer and the frame opening its flow would be the same"))
        }
        let swapped: [Field: Field] = [source: destination, destination: source, sport: dport, dport: sport]
        let opener = reply.map { field, _ in (field, value(swapped[field] ?? field)) }
        let openerLine = TestDerivation.packetLine(iif: iif == 0 ? 1 : 0, opener, flags: tcp ? 0x02 : nil)
        return .success((openerLine, reply, tcp ? (flags ?? 0x12) : nil))
    }
}
