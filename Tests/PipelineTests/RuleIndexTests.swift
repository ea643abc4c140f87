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
}
