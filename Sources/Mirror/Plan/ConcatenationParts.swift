import Policy

/// nft holds a concatenation as one lookup in a set with a concatenated key; the mirror writes
/// the same frames out as one copy of the rule per tuple, each tuple's parts as single-field
/// terms, which the kernel then tries in order as it would the set's elements.
///
/// That is exact when a frame can hold at most one tuple (the tuples do not overlap), or when
/// the rule only decides and keeps no state (then a second copy is never reached). Otherwise
/// (and for `!=`, and past ``maximumCopies``) the term stays, and the rule is planned like one
/// with any other term the kernel cannot check.
extension PolicyChains {
    /// The most copies one rule is written out as.
    static let maximumCopies = 256

    /// `rule` with each positive concatenation written out, or `rule` itself.
    static func expandingConcatenations(_ rule: Rule) -> [Rule] {
        var rules = [rule]
        while let index = rules[0].match.firstIndex(where: { isExpandable($0, in: rule) }),
            case .concatenation(let concatenation) = rules[0].match[index],
            rules.count * concatenation.elements.count <= maximumCopies
        {
            rules = rules.flatMap { copy in
                concatenation.elements.map { element in
                    var expanded = copy
                    expanded.match.replaceSubrange(index...index, with: concatenation.terms(of: element))
                    return expanded
                }
            }
        }
        return rules
    }

    /// A positive concatenation whose copies decide exactly what the rule does.
    private static func isExpandable(_ term: MatchTerm, in rule: Rule) -> Bool {
        guard case .concatenation(let concatenation) = term, !concatenation.negated,
            !concatenation.elements.isEmpty
        else { return false }
        let decidesOnly: Bool
        if case .verdict = rule.action {
            decidesOnly = !rule.match.contains(where: \.isStateful)
        } else {
            decidesOnly = false
        }
        return decidesOnly || !overlaps(concatenation.elements)
    }

    /// Whether some frame holds two of the tuples.
    static func overlaps(_ elements: [ConcatenationMatch.Element]) -> Bool {
        for (i, a) in elements.enumerated() {
            for b in elements[(i + 1)...] {
                let shared = zip(a.parts, b.parts).allSatisfy { mine, theirs in
                    mine.contains { x in theirs.contains { y in x.lo <= y.hi && y.lo <= x.hi } }
                }
                if shared { return true }
            }
        }
        return false
    }
}
