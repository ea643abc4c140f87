/// Finds rules that can never match because an earlier rule matches every frame they match
/// (first match wins, so the later rule is dead).
///
/// A later rule L is covered by an earlier rule E when every term of E holds for every frame L
/// matches. Terms of L only narrow what L matches, so E's terms are checked one by one:
/// - `f == S1` holds when L has `f == S2` and S2, minus L's `f != ...` exceptions, lies in S1.
/// - `f != S1` holds when L has `f == S2` (less exceptions) disjoint from S1, or when L has only
///   `f != T` terms whose union contains S1 (a frame without `f` satisfies both).
/// - `tcp flags` (a bit mask: "has all these bits") is compared mask by mask: `flags == M1` holds
///   when each mask of L's `flags == M2` contains all the bits of some mask of M1; `flags != M1`
///   holds when each mask of M1 contains all the bits of some mask of L's `flags != ...`.
/// - `bpf` terms hold only when L has the identical term.
/// The check is conservative: a rule it reports is truly dead; it cannot see through relations
/// between different fields (`tcp dport 22` implies `meta l4proto tcp`), so it misses some.
enum ShadowAnalysis {
    /// One term of a match line, with its values prepared for comparisons.
    enum Term {
        /// A field's values; `field` is the index in `Field.allCases`.
        case values(field: Int, negated: Bool, IntervalSet)
        case masks(Field, negated: Bool, [UInt128])
        case bpf(BPFKey)
    }

    struct BPFKey: Hashable {
        var expression: String
        var negated: Bool
    }

    struct SetKey: Hashable {
        var name: String
        var field: Field
    }

    /// What one rule's match line says about each field (a class: the pairwise comparison
    /// passes summaries around millions of times for big policies, and must not copy them).
    final class Summary {
        var terms: [Term] = []
        /// Bit `i` set: the rule has a positive term on `Field.allCases[i]`. An earlier rule
        /// requiring a field the later rule does not require cannot cover it.
        var requiredFields: UInt64 = 0
        /// The values a field must have (positive terms intersected, exceptions removed), by
        /// field index (arrays, not dictionaries: this is read millions of times).
        var required: [IntervalSet?] = Array(repeating: nil, count: Field.allCases.count)
        /// The smallest interval holding `required`, for a quick rejection.
        var requiredHull: [ValueInterval?] = Array(repeating: nil, count: Field.allCases.count)
        /// The union of the negated terms per field index.
        var excluded: [IntervalSet?] = Array(repeating: nil, count: Field.allCases.count)
        /// `tcp flags` masks of each positive term, and of all negated terms.
        var positiveMasks: [Field: [[UInt128]]] = [:]
        var negativeMasks: [Field: [UInt128]] = [:]
        var bpf: Set<BPFKey> = []

        /// `sets` caches the values of named sets, which many rules may use.
        init(_ rule: Rule, sets: inout [SetKey: IntervalSet]) {
            var positive: [Field: IntervalSet] = [:]
            for term in rule.match {
                switch term {
                case .bpf(let match):
                    let key = BPFKey(expression: match.expression, negated: match.negated)
                    terms.append(.bpf(key))
                    bpf.insert(key)
                case .concatenation(let match):
                    // Opaque: implied only by the same concatenation with the same elements.
                    let key = BPFKey(
                        expression: "concatenation \(match.fields) \(match.elements)", negated: match.negated)
                    terms.append(.bpf(key))
                    bpf.insert(key)
                    if !match.negated {
                        for field in match.fields { requiredFields |= ShadowAnalysis.bit(field) }
                    }
                case .limit, .quota:
                    // A bucket or a byte count of this rule's own: no other term implies it, so
                    // a rule with one shadows nothing (it may not match), as an opaque term.
                    let key = BPFKey(expression: "stateful term at \(term.location)", negated: false)
                    terms.append(.bpf(key))
                    bpf.insert(key)
                case .setMembership(let match):
                    // What the set holds changes frame by frame: the same test implies itself only.
                    let written = "\(match.field.rawValue) \(match.negated ? "!=" : "==") @\(match.set)"
                    let key = BPFKey(expression: "dynamic set: " + written, negated: false)
                    terms.append(.bpf(key))
                    bpf.insert(key)
                case .field(let match) where match.field.isBitmask && match.masked == nil:
                    let masks = match.values.map(\.lo)
                    terms.append(.masks(match.field, negated: match.negated, masks))
                    if match.negated {
                        negativeMasks[match.field, default: []] += masks
                    } else {
                        positiveMasks[match.field, default: []].append(masks)
                        requiredFields |= ShadowAnalysis.bit(match.field)
                    }
                case .field(let match):
                    let values: IntervalSet
                    if let name = match.setName {
                        let key = SetKey(name: name, field: match.field)
                        if let cached = sets[key] {
                            values = cached
                        } else {
                            values = IntervalSet(match.values)
                            sets[key] = values
                        }
                    } else {
                        values = IntervalSet(match.values)
                    }
                    let index = ShadowAnalysis.fieldIndex[match.field] ?? 0
                    terms.append(.values(field: index, negated: match.negated, values))
                    if match.negated {
                        excluded[index] = (excluded[index] ?? IntervalSet([])).union(values)
                    } else if let existing = positive[match.field] {
                        positive[match.field] = existing.subtracting(existing.subtracting(values))
                    } else {
                        positive[match.field] = values
                        requiredFields |= ShadowAnalysis.bit(match.field)
                    }
                }
            }
            for statement in rule.statements {
                // An add to a full set stops the rule: it may not match, as a stateful term.
                guard case .setUpdate = statement.kind else { continue }
                let key = BPFKey(expression: "set update at \(statement.location)", negated: false)
                terms.append(.bpf(key))
                bpf.insert(key)
            }
            for (field, values) in positive {
                let index = ShadowAnalysis.fieldIndex[field] ?? 0
                let remaining = excluded[index].map { values.subtracting($0) } ?? values
                required[index] = remaining
                if let first = remaining.intervals.first, let last = remaining.intervals.last {
                    requiredHull[index] = ValueInterval(lo: first.lo, hi: last.hi)
                }
            }
        }
    }

    static let fieldIndex: [Field: Int] = Dictionary(
        uniqueKeysWithValues: Field.allCases.enumerated().map { ($0.element, $0.offset) })

    static func bit(_ field: Field) -> UInt64 { 1 << UInt64(fieldIndex[field] ?? 0) }

    /// True when every frame `later` matches is matched by `earlier`.
    static func covers(_ earlier: Summary, _ later: Summary) -> Bool {
        guard earlier.requiredFields & ~later.requiredFields == 0 else { return false }
        for term in earlier.terms where !implied(term, by: later) { return false }
        return true
    }

    private static func implied(_ term: Term, by later: Summary) -> Bool {
        switch term {
        case .bpf(let key):
            return later.bpf.contains(key)
        case .masks(let field, let negated, let masks):
            if negated {
                let theirs = later.negativeMasks[field] ?? []
                return masks.allSatisfy { mine in theirs.contains { $0 & ~mine == 0 } }
            }
            guard let positives = later.positiveMasks[field] else { return false }
            return positives.contains { theirs in
                theirs.allSatisfy { their in masks.contains { $0 & ~their == 0 } }
            }
        case .values(let field, let negated, let values):
            if !negated {
                guard let required = later.required[field] else { return false }
                // Most pairs differ: reject on the bounds before comparing interval by interval.
                if let hull = later.requiredHull[field], let first = values.intervals.first,
                    let last = values.intervals.last, hull.lo < first.lo || hull.hi > last.hi
                {
                    return false
                }
                return required.isSubset(of: values)
            }
            if let required = later.required[field] { return !required.intersects(values) }
            if values.isEmpty { return true }
            guard let excluded = later.excluded[field] else { return false }
            return values.isSubset(of: excluded)
        }
    }

    /// For each rule that can never match, the index of the first earlier rule covering it.
    static func shadowed(_ rules: [Rule], canShadow: [Bool]? = nil) -> [(rule: Int, by: Int)] {
        let canShadow = canShadow ?? rules.map { _ in true }
        var sets: [SetKey: IntervalSet] = [:]
        let summaries = rules.map { Summary($0, sets: &sets) }
        // The pairwise test is quadratic; two necessary conditions, kept in flat arrays, reject
        // almost every pair in a few instructions (a 10,000-rule policy: 50 million pairs):
        // the earlier rule requires no field the later one lacks, and on the earlier rule's
        // first required field the later rule's values lie within the earlier one's bounds.
        let fieldCount = Field.allCases.count
        let masks = summaries.map(\.requiredFields)
        var firstField = [Int](repeating: -1, count: summaries.count)
        var bounds = [ValueInterval](
            repeating: ValueInterval(lo: 0, hi: UInt128.max), count: summaries.count * fieldCount)
        for (number, summary) in summaries.enumerated() {
            for field in 0..<fieldCount {
                guard let hull = summary.requiredHull[field] else { continue }
                bounds[number * fieldCount + field] = hull
                if firstField[number] < 0 { firstField[number] = field }
            }
        }
        var result: [(rule: Int, by: Int)] = []
        masks.withUnsafeBufferPointer { masks in
            firstField.withUnsafeBufferPointer { firstField in
                bounds.withUnsafeBufferPointer { bounds in
                    for later in summaries.indices {
                        let mask = masks[later]
                        for earlier in 0..<later {
                            guard masks[earlier] & ~mask == 0, canShadow[earlier] else { continue }
                            let field = firstField[earlier]
                            if field >= 0 {
                                let theirs = bounds[earlier &* fieldCount &+ field]
                                let mine = bounds[later &* fieldCount &+ field]
                                guard theirs.lo <= mine.lo, mine.hi <= theirs.hi else { continue }
                            }
                            if covers(summaries[earlier], summaries[later]) {
                                result.append((later, earlier))
                                break
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Compares rules within each chain, and only across a stretch in which no rule may change
    /// the frame (a rule that rewrites and goes on, or jumps, ends the stretch: later rules match
    /// a frame the earlier ones never saw); only a rule with a verdict shadows.
    static func warn(rules: [Rule], chains: [Chain] = [], sink: DiagnosticSink) {
        var stretches: [[Int]] = []
        for chain in [nil] + chains.map(\.name) {
            var stretch: [Int] = []
            for (index, rule) in rules.enumerated() where rule.chain == chain {
                stretch.append(index)
                if rule.verdict == nil && (rule.hasRewrites || Resolver.targets(of: rule.action).count > 0) {
                    stretches.append(stretch)
                    stretch = []
                }
            }
            stretches.append(stretch)
        }
        for stretch in stretches where stretch.count > 1 {
            warn(stretch: stretch.map { rules[$0] }, sink: sink)
        }
    }

    private static func warn(stretch rules: [Rule], sink: DiagnosticSink) {
        for (index, by) in shadowed(rules, canShadow: rules.map { $0.verdict != nil }) {
            let rule = rules[index]
            let earlier = rules[by]
            sink.warning(
                .shadowedRule,
                "rule \"\(rule.name)\" can never match: rule \"\(earlier.name)\" (\(earlier.location)) "
                    + "comes first and matches every frame it matches",
                at: rule.location, length: 4)
        }
    }
}
