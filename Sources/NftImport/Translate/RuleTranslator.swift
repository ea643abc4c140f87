/// One rule of the policy being written.
public struct ImportedRule: Sendable, Hashable {
    /// Unique over the policy, `[a-z0-9][a-z0-9-]{0,47}`.
    public var name: String
    /// The nft rule's comment, kept as the rule's `comment`.
    public var comment: String?
    /// The match terms as the policy writes them, ANDed on one `match` line.
    public var terms: [String]
    /// Statements, in nft's order, run before the verdict.
    public var statements: [String]
    /// nil: the rule acts and goes on (a non-terminal rule).
    public var verdict: String?
    /// `#` lines written above the rule.
    public var notes: [String]
}

/// A rule, or the comment that stands where a rule was left out.
public enum ChainItem: Sendable, Hashable {
    case rule(ImportedRule)
    case leftOut(String)
}

/// Translates a chain's rules, naming each rule uniquely.
struct RuleTranslator {
    var context: TranslationContext
    /// Names given so far (over the whole policy).
    var names: RuleNames
    /// Constructs used that this Bridgekeeper does not have yet.
    var needs: Set<String> = []
    /// Chains jumped or gone to, in first-use order.
    var targets: [String] = []

    /// The items of `chain`'s rules, in order.
    mutating func translate(_ rules: [NftRule], chainName: String) -> [ChainItem] {
        var items: [ChainItem] = []
        for rule in rules {
            let label = "rule \(rule.handle.map(String.init) ?? "?") of chain \(chainName)"
            var draft = RuleDraft()
            let setsBefore = context.usedSets
            do throws(Untranslatable) {
                for expression in rule.expressions {
                    guard let member = expression.single else {
                        throw Untranslatable("an expression \(expression.text)")
                    }
                    if member.key == "match" {
                        guard draft.verdict == nil else { throw Untranslatable("a match after the verdict") }
                        try draft.translateMatch(member.value, context: &context)
                    } else {
                        try draft.translateStatement(member.key, member.value, context: &context)
                    }
                }
            } catch {
                context.usedSets = setsBefore
                items.append(.leftOut("\(label) left out: \(error.reason)"))
                continue
            }
            let base = names.base(comment: rule.comment, chain: chainName, handle: rule.handle)
            if let map = draft.verdictMap {
                items += expand(map, draft: draft, base: base, comment: rule.comment)
            } else if draft.verdict == nil && draft.statements.isEmpty {
                let counts = draft.terms.isEmpty ? "" : " when it matches"
                items.append(.leftOut("\(label) left out: it only counts\(counts), and every rule counts already"))
                continue
            } else {
                if draft.verdict == nil { needs.insert("non-terminal rules") }
                items.append(
                    .rule(
                        ImportedRule(
                            name: names.unique(base), comment: rule.comment, terms: draft.matchTerms(),
                            statements: draft.statements, verdict: draft.verdict, notes: draft.notes)))
            }
            needs.formUnion(draft.needs)
            for target in draft.targets where !targets.contains(target) { targets.append(target) }
        }
        return items
    }

    /// A vmap rule as one rule per element, each matching its element's value.
    private mutating func expand(
        _ map: RuleDraft.VerdictMap, draft: RuleDraft, base: String, comment: String?
    ) -> [ChainItem] {
        var items: [ChainItem] = []
        let notes =
            draft.notes + [
                "one rule per element of: \(map.field) vmap { \(map.elements.map { "\($0.value) : \($0.verdict)" }.joined(separator: ", ")) }"
            ]
        for (index, element) in map.elements.enumerated() {
            var terms = draft.matchTerms()
            terms.append("\(map.field) \(element.value)")
            items.append(
                .rule(
                    ImportedRule(
                        name: names.unique("\(base.prefix(44))-\(index + 1)"), comment: comment, terms: terms,
                        statements: draft.statements, verdict: element.verdict, notes: index == 0 ? notes : [])))
        }
        return items
    }
}

/// Rule names: from the nft comment (slugified), else `CHAIN-HANDLE`; unique over the policy.
struct RuleNames: Sendable {
    private(set) var taken: Set<String> = []

    /// The name a rule would get before it is made unique.
    func base(comment: String?, chain: String, handle: Int?) -> String {
        if let comment, let slug = Self.slug(comment) { return slug }
        let chainSlug = Self.slug(chain) ?? "rule"
        return "\(chainSlug.prefix(40))-\(handle.map(String.init) ?? "0")"
    }

    /// `base`, or `base-2`, `base-3`... when taken.
    mutating func unique(_ base: String) -> String {
        var candidate = base
        var counter = 2
        while taken.contains(candidate) {
            let suffix = "-\(counter)"
            candidate = String(base.prefix(48 - suffix.count)) + suffix
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Lower case, `a-z0-9` and single `-`, at most 48 characters; nil when nothing is left.
    static func slug(_ text: String) -> String? {
        var out = ""
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                out.append(character)
            } else if !out.isEmpty && out.last != "-" {
                out.append("-")
            }
            if out.count >= 48 { break }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? nil : out
    }
}
