import Frame
import Pipeline
import Policy
import Ruleset
import Testing

/// Chains, jumps, verdict maps and rules that go on, compiled to one flat rule list, must
/// decide exactly as nft evaluates them: a call stack of chains, each rule tested on the frame
/// as the rules before it left it. Random policies and frames, against an interpreter written
/// straight from nft's semantics, and against the same rules written flat by hand.
@Suite struct ChainEvaluationTests {
    typealias F = Fixture
    typealias Random = SplitMix64

    // MARK: The interpreter

    enum Outcome: Equatable {
        case decided(rule: String, VerdictKind)
        /// The chain ended or returned without deciding.
        case undecided
    }

    /// nft's evaluation: rules in order; a matching rule runs its statements (on `box`), then
    /// decides, goes on, or calls a chain.
    struct Interpreter {
        let policy: Policy
        let port: UInt8

        func run(_ box: FrameBox) -> Outcome { evaluate(chain: nil, box) }

        private func evaluate(chain: String?, _ box: FrameBox) -> Outcome {
            for rule in policy.rules where rule.chain == chain {
                guard holds(rule.match, box) else { continue }
                for statement in rule.statements { apply(statement.kind, box) }
                switch act(rule.action, rule: rule.name, box) {
                case .decided(let outcome): return outcome
                case .leave: return .undecided
                case .goOn: continue
                }
            }
            return .undecided
        }

        private enum Step {
            case decided(Outcome)
            case leave
            case goOn
        }

        private func act(_ action: RuleAction, rule: String, _ box: FrameBox) -> Step {
            switch action {
            case .verdict(let verdict): return .decided(.decided(rule: rule, verdict.kind))
            case .next: return .goOn
            case .return: return .leave
            case .jump(let target):
                let outcome = evaluate(chain: target.name, box)
                return outcome == .undecided ? .goOn : .decided(outcome)
            case .goto(let target):
                let outcome = evaluate(chain: target.name, box)
                return outcome == .undecided ? .leave : .decided(outcome)
            case .vmap(let map):
                let info = box.bytes.withUnsafeBytes { FrameInfo.parse($0) }
                guard let value = info.value(of: FieldCode(map.field), port: port),
                    let element = map.elements.first(where: { $0.values.contains { $0.lo <= value && value <= $0.hi } })
                else { return .goOn }
                return act(element.action, rule: rule, box)
            }
        }

        private func holds(_ terms: [MatchTerm], _ box: FrameBox) -> Bool {
            let info = box.bytes.withUnsafeBytes { FrameInfo.parse($0) }
            func holds(_ field: Field, _ values: [ValueInterval]) -> Bool {
                info.value(of: FieldCode(field), port: port).map { value in
                    values.contains { $0.lo <= value && value <= $0.hi }
                } ?? false
            }
            return terms.allSatisfy { term in
                switch term {
                case .field(let match):
                    let inSet = holds(match.field, match.values)
                    return match.negated ? !inSet : inSet
                case .concatenation(let match):
                    // nft: the fields' values taken together are one of the set's tuples.
                    let inSet = match.elements.contains { element in
                        zip(match.fields, element.parts).allSatisfy { holds($0, $1) }
                    }
                    return match.negated ? !inSet : inSet
                default:
                    return false
                }
            }
        }

        private func apply(_ statement: StatementKind, _ box: FrameBox) {
            guard case .set(let field, let value) = statement else { return }
            var info = FrameInfo.parse(box.frame.readOnlyBytes)
            let rewrite: FieldRewrite
            switch field {
            case .ipDSCP: rewrite = .ipv4DSCP(UInt8(value))
            case .tcpDport: rewrite = .tcpDestinationPort(UInt16(value))
            default: return
            }
            _ = box.frame.apply(rewrite, info: &info)
        }
    }

    // MARK: Random policies

    static let verdicts: [VerdictKind] = [.forward, .drop, .reflect, .reflectForward]

    static func randomTerm(_ random: inout Random) -> MatchTerm {
        let negated = random.below(6) == 0
        switch random.below(5) {
        case 4:
            // ip saddr . tcp dport, a few tuples (ranges of ports, so they may overlap).
            let elements = (0..<(1 + random.below(3))).map { _ in
                let lo = UInt128(random.below(8))
                return ConcatenationMatch.Element(parts: [
                    [ValueInterval(UInt128(F.ipv4("198.18.0.1") + UInt32(random.below(3))))],
                    [F.range(lo, lo + UInt128(random.below(3)))],
                ])
            }
            return .concatenation(
                ConcatenationMatch(
                    fields: [.ipSaddr, .tcpDport], negated: negated, elements: elements, location: F.here))
        case 0:
            let lo = UInt128(random.below(8))
            return F.term(.tcpDport, [F.range(lo, lo + UInt128(random.below(3)))], negated: negated)
        case 1: return F.term(.ipDSCP, UInt128(random.below(4)), negated: negated)
        case 2: return F.term(.iif, UInt128(random.below(2)), negated: negated)
        default: return F.term(.ipSaddr, UInt128(F.ipv4("198.18.0.1") + UInt32(random.below(3))), negated: negated)
        }
    }

    static func randomAction(_ random: inout Random, chain: Int?, chains: Int) -> RuleAction {
        let here = F.here
        let deeper = (chain.map { $0 + 1 } ?? 0)..<chains
        switch random.below(10) {
        case 0, 1, 2: return .verdict(Verdict(kind: verdicts[random.below(verdicts.count)], location: here))
        case 3, 4: return .next
        case 5 where !deeper.isEmpty:
            return .jump(ChainReference(name: "c\(deeper.randomElement(using: &random))", location: here))
        case 6 where !deeper.isEmpty:
            return .goto(ChainReference(name: "c\(deeper.randomElement(using: &random))", location: here))
        case 7: return .return(here)
        case 8, 9:
            var ports = Array(0..<8).shuffled(using: &random).prefix(1 + random.below(4))
            ports.sort()
            let elements = ports.map { port -> VerdictMapElement in
                var action = randomAction(&random, chain: chain, chains: chains)
                if action == .next { action = .verdict(Verdict(kind: .drop, location: here)) }
                if case .vmap = action { action = .return(here) }
                return VerdictMapElement(values: [ValueInterval(UInt128(port))], action: action, location: here)
            }
            return .vmap(VerdictMap(field: .tcpDport, elements: elements, location: here))
        default: return .next
        }
    }

    static func randomPolicy(_ random: inout Random) -> Policy {
        let chains = random.below(4)
        var rules: [Rule] = []
        for chain in [nil] + (0..<chains).map({ Optional($0) }) {
            for number in 0..<(1 + random.below(5)) {
                let terms = (0..<random.below(3)).map { _ in randomTerm(&random) }
                let action = randomAction(&random, chain: chain, chains: chains)
                var statements: [StatementKind] = []
                if action == .next || random.below(4) == 0 {
                    statements =
                        random.below(2) == 0
                        ? [.set(.ipDSCP, UInt128(random.below(4)))] : [.set(.tcpDport, UInt128(random.below(8)))]
                }
                let name = chain.map { "c\($0)/r\(number)" } ?? "r\(number)"
                rules.append(
                    Rule(
                        name: name, match: terms, statements: statements.map { Statement(kind: $0, location: F.here) },
                        action: action, chain: chain.map { "c\($0)" }, location: F.here))
            }
        }
        return Policy(
            defaultVerdict: random.below(2) == 0 ? .forward : .drop, defaultLocation: F.here, rules: rules,
            chains: (0..<chains).map { Chain(name: "c\($0)", location: F.here) })
    }

    static func randomFrame(_ random: inout Random) -> [UInt8] {
        F.ipv4Frame(
            source: "198.18.0.\(1 + random.below(3))", transport: F.tcp(UInt16(random.below(8))),
            dscp: UInt8(random.below(4)))
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func chainsDecideAsNftWould(seed: UInt64) {
        var random = Random(seed: seed)
        for _ in 0..<150 {
            let policy = Self.randomPolicy(&random)
            let compiled = PolicyCompiler.compile(policy)
            let pipeline = Pipeline(policy: compiled)
            for _ in 0..<40 {
                let bytes = Self.randomFrame(&random)
                let port = UInt8(random.below(2))
                let expectedBox = FrameBox(bytes)
                let expected = Interpreter(policy: policy, port: port).run(expectedBox)
                let box = FrameBox(bytes)
                var effects = NoEffects()
                let decision = pipeline.process(&box.frame, port: port, effects: &effects)
                let got: Outcome =
                    decision.rule < 0
                    ? .undecided : .decided(rule: compiled.ruleNames[Int(decision.rule)], kind(decision.verdict))
                let defaultVerdict: VerdictCode = policy.defaultVerdict == .forward ? .forward : .drop
                #expect(got == expected, "\(policy.rules.map { "\($0.name) \($0.match) \($0.action)" })")
                if expected == .undecided { #expect(decision.verdict == defaultVerdict) }
                #expect(box.bytes == expectedBox.bytes, "the rewrites of the rules that matched, in order")
                if got != expected || box.bytes != expectedBox.bytes { return }
            }
        }
    }

    // MARK: The same rules written flat

    /// Policies whose jumps, gotos and returns test only fields no rule rewrites (`iif`,
    /// `ip saddr`; returns and gotos one term), and whose maps only decide: these can be
    /// written flat by hand, each chain's rules copied with the jump's terms added and a
    /// return's or goto's term negated on the rules after it.
    static func flattenable(_ random: inout Random) -> Policy {
        let chains = 1 + random.below(3)
        var rules: [Rule] = []
        func stable(_ random: inout Random) -> MatchTerm {
            random.below(2) == 0
                ? F.term(.iif, UInt128(random.below(2)), negated: random.below(4) == 0)
                : F.term(
                    .ipSaddr, UInt128(F.ipv4("198.18.0.1") + UInt32(random.below(3))), negated: random.below(4) == 0)
        }
        for chain in [nil] + (0..<chains).map({ Optional($0) }) {
            let deeper = (chain.map { $0 + 1 } ?? 0)..<chains
            for number in 0..<(1 + random.below(5)) {
                var terms = (0..<random.below(3)).map { _ in randomTerm(&random) }
                var statements: [StatementKind] = []
                var action: RuleAction
                switch random.below(8) {
                case 0, 1: action = .verdict(Verdict(kind: verdicts[random.below(verdicts.count)], location: F.here))
                case 2, 3:
                    action = .next
                    statements =
                        random.below(2) == 0
                        ? [.set(.ipDSCP, UInt128(random.below(4)))] : [.set(.tcpDport, UInt128(random.below(8)))]
                case 4 where !deeper.isEmpty:
                    terms = (0..<random.below(3)).map { _ in stable(&random) }
                    action = .jump(ChainReference(name: "c\(deeper.randomElement(using: &random))", location: F.here))
                case 5 where !deeper.isEmpty:
                    terms = [stable(&random)]
                    action = .goto(ChainReference(name: "c\(deeper.randomElement(using: &random))", location: F.here))
                case 6:
                    terms = [stable(&random)]
                    action = .return(F.here)
                default:
                    let ports = Array(0..<8).shuffled(using: &random).prefix(1 + random.below(3)).sorted()
                    action = .vmap(
                        VerdictMap(
                            field: .tcpDport,
                            elements: ports.map {
                                VerdictMapElement(
                                    values: [ValueInterval(UInt128($0))],
                                    action: .verdict(
                                        Verdict(kind: verdicts[random.below(verdicts.count)], location: F.here)),
                                    location: F.here)
                            }, location: F.here))
                }
                rules.append(
                    Rule(
                        name: chain.map { "c\($0)/r\(number)" } ?? "r\(number)", match: terms,
                        statements: statements.map { Statement(kind: $0, location: F.here) }, action: action,
                        chain: chain.map { "c\($0)" }, location: F.here))
            }
        }
        return Policy(
            defaultVerdict: random.below(2) == 0 ? .forward : .drop, defaultLocation: F.here, rules: rules,
            chains: (0..<chains).map { Chain(name: "c\($0)", location: F.here) })
    }

    /// The chain's rules written flat under the terms `context` (the jumps that led here).
    static func writtenFlat(_ policy: Policy, chain: String? = nil, context: [MatchTerm] = []) -> [Rule] {
        var flat: [Rule] = []
        var guarded = context
        func negated(_ term: MatchTerm) -> MatchTerm {
            guard case .field(var match) = term else { return term }
            match.negated.toggle()
            return .field(match)
        }
        for rule in policy.rules where rule.chain == chain {
            let match = guarded + rule.match
            switch rule.action {
            case .verdict, .next:
                var copy = rule
                copy.match = match
                copy.chain = nil
                flat.append(copy)
            case .jump(let target):
                flat += writtenFlat(policy, chain: target.name, context: match)
            case .goto(let target):
                flat += writtenFlat(policy, chain: target.name, context: match)
                guarded.append(negated(rule.match[0]))
            case .return:
                guarded.append(negated(rule.match[0]))
            case .vmap(let map):
                for element in map.elements {
                    flat.append(
                        Rule(
                            name: rule.name, match: match + [F.term(map.field, element.values)], action: element.action,
                            location: F.here))
                }
            }
        }
        return flat
    }

    @Test(arguments: [11, 12, 13, 14, 15, 16])
    func chainsDecideAsTheirFlatCopy(seed: UInt64) {
        var random = Random(seed: seed)
        for _ in 0..<150 {
            let chained = Self.flattenable(&random)
            let flat = Policy(
                defaultVerdict: chained.defaultVerdict, defaultLocation: F.here, rules: Self.writtenFlat(chained))
            let chainedCompiled = PolicyCompiler.compile(chained)
            let flatCompiled = PolicyCompiler.compile(flat)
            let chainedPipeline = Pipeline(policy: chainedCompiled)
            let flatPipeline = Pipeline(policy: flatCompiled)
            for _ in 0..<40 {
                let bytes = Self.randomFrame(&random)
                let port = UInt8(random.below(2))
                let a = FrameBox(bytes)
                let b = FrameBox(bytes)
                var effects = NoEffects()
                let got = chainedPipeline.process(&a.frame, port: port, effects: &effects)
                let want = flatPipeline.process(&b.frame, port: port, effects: &effects)
                let gotName = got.rule < 0 ? "default" : chainedCompiled.ruleNames[Int(got.rule)]
                let wantName = want.rule < 0 ? "default" : flatCompiled.ruleNames[Int(want.rule)]
                #expect(
                    got.verdict == want.verdict && gotName == wantName,
                    "\(chained.rules.map { "\($0.name) \($0.match) \($0.action)" })")
                #expect(a.bytes == b.bytes)
                if got.verdict != want.verdict || gotName != wantName || a.bytes != b.bytes { return }
            }
        }
    }

    func kind(_ code: VerdictCode) -> VerdictKind {
        switch code {
        case .forward: return .forward
        case .drop: return .drop
        case .reflect: return .reflect
        case .reflectForward: return .reflectForward
        case .reject: return .reject
        }
    }
}
