import Policy

/// The policy's chains in the mirror: each `chain NAME` is an nft regular chain `chain-NAME`
/// (and a copy `tags-N.chain-NAME` per tagged framing), so `jump`, `goto` and `return` are
/// nft's own and mean exactly what they mean in the policy. A verdict map's rule jumps to a
/// chain of its own, `map-RULE`, holding one rule per element; an element that jumps is a
/// `goto` there (when the chain it names ends, evaluation goes on after the map's rule, as in
/// the policy).
enum PolicyChains {
    /// One nft-planned part of a policy rule: the rule itself, or an element of its map.
    struct Part {
        var rule: Rule
        /// The native nft chain it goes to.
        var chain: String
        var control: TailControl
        /// Why the kernel's version differs, when it does.
        var inexact: String?
    }

    static func chainName(_ chain: String) -> String { "chain-" + chain }

    static func mapName(_ rule: Rule) -> String { "map-" + rule.name }

    /// The chain `name` in a tagged framing.
    static func copy(_ name: String, in framing: Framing) -> String { framing.chainName + "." + name }

    /// The regular chains the policy's chains and maps need, in policy order.
    static func names(_ policy: Policy) -> [String] {
        policy.chains.map { chainName($0.name) }
            + policy.rules.compactMap { if case .vmap = $0.action { mapName($0) } else { nil } }
    }

    /// The nft rules' parts of `rule`: a concatenation that can be written out becomes one
    /// copy of the rule per tuple (``expandingConcatenations(_:)``).
    static func parts(of rule: Rule) -> [Part] {
        expandingConcatenations(rule).flatMap(partsOfOne)
    }

    private static func partsOfOne(_ rule: Rule) -> [Part] {
        let chain = rule.chain.map(chainName) ?? "forward"
        switch rule.action {
        case .verdict: return [Part(rule: rule, chain: chain, control: .verdict)]
        case .next: return [Part(rule: rule, chain: chain, control: .goOn)]
        case .jump(let target):
            return [Part(rule: rule, chain: chain, control: .transfer(.jump(chainName(target.name))))]
        case .goto(let target):
            return [Part(rule: rule, chain: chain, control: .transfer(.goto(chainName(target.name))))]
        case .return: return [Part(rule: rule, chain: chain, control: .transfer(.return))]
        case .vmap(let map):
            var head = rule
            head.action = .next
            var parts = [Part(rule: head, chain: chain, control: .transfer(.jump(mapName(rule))))]
            for element in map.elements {
                let term = MatchTerm.field(
                    FieldMatch(field: map.field, values: element.values, location: element.location))
                var part = Part(
                    rule: Rule(
                        name: rule.name, match: [term], action: element.action, chain: rule.chain,
                        location: rule.location),
                    chain: mapName(rule), control: .verdict)
                switch element.action {
                case .verdict: break
                case .jump(let target): part.control = .transfer(.goto(chainName(target.name)))
                case .goto, .return, .next, .vmap:
                    part.rule.action = .verdict(Verdict(kind: .drop, location: element.location))
                    part.inexact =
                        "its map's `goto` and `return` elements become `drop` in the kernel (nft's map chain cannot "
                        + "leave the rule's chain for it)"
                }
                parts.append(part)
            }
            return parts
        }
    }

    /// The rule jumps (or maps) into chains where some rule may drop, reject or reflect.
    static func mayDrop(_ rule: Rule, in policy: Policy) -> Bool {
        var seen: Set<String> = []
        func drops(_ action: RuleAction) -> Bool {
            switch action {
            case .verdict(let verdict): return !verdict.kind.forwards
            case .next, .return: return false
            case .jump(let target), .goto(let target):
                guard seen.insert(target.name).inserted else { return false }
                return policy.rules.contains { $0.chain == target.name && drops($0.action) }
            case .vmap(let map): return map.elements.contains { drops($0.action) }
            }
        }
        switch rule.action {
        case .jump, .goto, .vmap: return drops(rule.action)
        case .verdict, .next, .return: return false
        }
    }

    /// A tagged framing's copy of a rule planned into `framing.chainName`: moved to its chain's
    /// copy, and its jumps pointed at the copies.
    static func retarget(_ rule: NftRule, chain: String, framing: Framing, chains: [String]) -> NftRule {
        var copy = rule
        copy.chain = chain == "forward" ? framing.chainName : Self.copy(chain, in: framing)
        copy.expressions = rule.expressions.map { expression in
            switch expression {
            case .verdict(.jump(let target)) where chains.contains(target):
                return .verdict(.jump(Self.copy(target, in: framing)))
            case .verdict(.goto(let target)) where chains.contains(target):
                return .verdict(.goto(Self.copy(target, in: framing)))
            default:
                return expression
            }
        }
        for target in chains {
            for word in ["jump", "goto"] where copy.text.hasSuffix("\(word) \(target)") {
                copy.text = String(copy.text.dropLast(target.utf8.count)) + Self.copy(target, in: framing)
            }
        }
        return copy
    }
}
