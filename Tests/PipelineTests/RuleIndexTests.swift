import Frame
import Pipeline
import Policy
import Ruleset
import Testing

/// The index must never change which rule decides: compare it with a plain reference evaluator
/// on random policies large enough to be indexed, and random frames aimed at their values.
@Suite struct RuleIndexTests {
    typealias F = Fixture

    typealias Random = SplitMix64

    /// Addresses from a small pool inside 198.18.0.0/15 so rules and frames collide often.
    static func address(_ random: inout Random) -> UInt32 {
        F.ipv4("198.18.0.0") | UInt32(random.below(4)) << 8 | UInt32(random.below(16))
    }

    static func randomTerm(_ random: inout Random) -> MatchTerm {
        let negated = random.below(8) == 0
        switch random.below(7) {
        case 0:
            return F.term(.ipSaddr, UInt128(address(&random)), negated: negated)
        case 1:
            let length = [8, 15, 16, 24, 28, 32][random.below(6)]
            return F.term(.ipDaddr, [F.prefix(address(&random), length)], negated: negated)
        case 2:
            let lo = UInt128(random.below(40))
            return F.term(.udpDport, [F.range(lo, lo + UInt128(random.below(10)))], negated: negated)
        case 3:
            let values = (0..<(1 + random.below(12))).map { _ in ValueInterval(UInt128(random.below(40))) }
            return F.term(.tcpDport, values, negated: negated)
        case 4:
            return F.term(.vlanID, UInt128(random.below(4)), negated: negated)
        case 5:
            return F.term(.iif, UInt128(random.below(2)), negated: negated)
        default:
            let lo = UInt128(address(&random))
            return F.term(.ipSaddr, [F.range(lo, lo + UInt128(random.below(40)))], negated: negated)
        }
    }

    static func randomFrame(_ random: inout Random) -> [UInt8] {
        let source = AddressText.formatIPv4(address(&random))
        let destination = AddressText.formatIPv4(address(&random))
        let port = UInt16(random.below(40))
        let transport = random.below(2) == 0 ? F.udp(port, from: 9) : F.tcp(port, from: 9)
        let vlan: UInt16? = random.below(3) == 0 ? nil : UInt16(random.below(4))
        return F.ipv4Frame(source: source, destination: destination, transport: transport, vlan: vlan)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func indexAgreesWithReference(seed: UInt64) {
        var random = Random(seed: seed)
        let rules = (0..<300).map { number in
            F.rule("r\(number)", (0..<(1 + random.below(3))).map { _ in Self.randomTerm(&random) })
        }
        let policy = F.policy(rules)
        let compiled = PolicyCompiler.compile(policy)
        #expect(compiled.index.maximumLists > 1, "a 300-rule policy must be indexed")
        let pipeline = Pipeline(policy: compiled)
        for _ in 0..<3000 {
            let bytes = Self.randomFrame(&random)
            let port = UInt8(random.below(2))
            let expected = ReferenceEvaluator.firstMatch(policy, frame: bytes, port: port)
            let got = bytes.withUnsafeBytes { raw in
                pipeline.firstMatch(info: FrameInfo.parse(raw), port: port, frame: raw)
            }
            #expect(got == expected)
            if got != expected { return }
        }
    }

    @Test func linearAndIndexedAgree() {
        var random = Random(seed: 99)
        let rules = (0..<60).map { number in
            F.rule("r\(number)", (0..<(1 + random.below(3))).map { _ in Self.randomTerm(&random) })
        }
        let policy = F.policy(rules)
        var linearOptions = PolicyCompiler.Options()
        linearOptions.linearScanLimit = 1000
        var indexedOptions = PolicyCompiler.Options()
        indexedOptions.linearScanLimit = 0
        let linear = Pipeline(policy: PolicyCompiler.compile(policy, options: linearOptions))
        let indexed = Pipeline(policy: PolicyCompiler.compile(policy, options: indexedOptions))
        for _ in 0..<2000 {
            let bytes = Self.randomFrame(&random)
            bytes.withUnsafeBytes { raw in
                let info = FrameInfo.parse(raw)
                #expect(
                    linear.firstMatch(info: info, port: 0, frame: raw)
                        == indexed.firstMatch(info: info, port: 0, frame: raw))
            }
        }
    }

    /// The prefix directory (which prefix tables a value's top 16 bits can hit) must not hide a
    /// rule: prefixes from /4 to /128 spread over many /16s, including more than 64 IPv6 prefix
    /// lengths (several directories for one field), against the reference evaluator, with frames
    /// both inside and outside the listed prefixes.
    @Test func prefixDirectoriesAgreeWithReference() {
        var random = Random(seed: 2026)
        // Addresses in a handful of /16s (some listed, some not), anywhere below them.
        let v4Sixteens: [UInt32] = [0x0A00, 0x0A01, 0xC612, 0xC613, 0xCB00, 0x7F00]
        let v6Sixteens: [UInt128] = [0x2001, 0x2002, 0xFD00, 0x3FFF]
        func v4(_ random: inout Random) -> UInt32 {
            v4Sixteens[random.below(v4Sixteens.count)] << 16 | UInt32(random.below(1 << 16))
        }
        func v6(_ random: inout Random) -> UInt128 {
            v6Sixteens[random.below(v6Sixteens.count)] << 112 | UInt128(random.next()) << 48
                | UInt128(random.below(1 << 16))
        }
        var rules: [Rule] = []
        for number in 0..<400 {
            let term: MatchTerm
            if number % 2 == 0 {
                let length = 4 + random.below(29)
                let field: Field = random.below(2) == 0 ? .ipSaddr : .ipDaddr
                term = F.term(field, [F.prefix(v4(&random), length)])
            } else {
                // Every length from /4 to /128 at least once: 125 tables on ip6 saddr.
                let length = number < 250 ? 4 + (number / 2) % 125 : 4 + random.below(125)
                let span = UInt128.max >> length
                let address = v6(&random) & ~span
                term = F.term(.ip6Saddr, [ValueInterval(lo: address, hi: address | span)])
            }
            rules.append(F.rule("r\(number)", [term]))
        }
        let policy = F.policy(rules)
        let compiled = PolicyCompiler.compile(policy)
        #expect(compiled.index.prefixDirectories.count >= 4, "ip saddr, ip daddr and two or more for ip6 saddr")
        let pipeline = Pipeline(policy: compiled)
        var matched = 0
        for n in 0..<6000 {
            var builder = FrameBuilder()
            if n % 2 == 0 {
                var ip = FrameBuilder.IPv4()
                ip.source = v4(&random)
                ip.destination = v4(&random)
                ip.transport = F.udp(53)
                builder.network = .ipv4(ip)
            } else {
                var ip = FrameBuilder.IPv6()
                // Half the frames start from a listed rule's address, so deep prefixes are hit.
                ip.source = v6(&random)
                if random.below(2) == 0, case .field(let match) = rules[1 + 2 * random.below(200)].match[0] {
                    ip.source =
                        match.values[0].lo | (UInt128(random.next()) & (match.values[0].hi - match.values[0].lo))
                }
                ip.transport = F.udp(53)
                builder.network = .ipv6(ip)
            }
            let bytes = builder.build()
            let expected = ReferenceEvaluator.firstMatch(policy, frame: bytes, port: 0)
            let got = bytes.withUnsafeBytes { raw in
                pipeline.firstMatch(info: FrameInfo.parse(raw), port: 0, frame: raw)
            }
            #expect(got == expected)
            if got != expected { return }
            if got >= 0 { matched += 1 }
        }
        #expect(matched > 1000, "the frames must hit rules, not only miss them")
    }
}
