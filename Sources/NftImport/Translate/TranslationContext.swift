/// What translating a rule needs to know beyond the rule: the ruleset (for named sets), the
/// chain, the port names, and what the policy being written has used so far.
struct TranslationContext: Sendable {
    var ruleset: NftRuleset
    var chain: NftChain
    var ports: PortNames?
    /// The chosen base chain's policy, `forward` or `drop` (a `return` there applies it).
    var defaultVerdict: String
    /// Whether the rule is in the base chain (top level of the policy).
    var inBaseChain: Bool
    /// Named sets the policy must declare, in first-use order.
    var usedSets: [String] = []

    mutating func use(set name: String) {
        if !usedSets.contains(name) { usedSets.append(name) }
    }
}
