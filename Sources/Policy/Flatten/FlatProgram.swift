/// A policy's rules in the order they are evaluated, every chain inlined where it is jumped to:
/// one list that the compiler and the nftables mirror read.
///
/// Each rule, when its match holds, runs its statements and then either decides (a verdict) or
/// sends evaluation on to the first matching rule numbered at least ``FlatRule/next``. A `jump`
/// rule is followed by a copy of its chain (a *segment*); rules in a segment are eligible only
/// while evaluation is inside it, which the rule that entered it sets (``FlatRule/enters``), so
/// the jump's match is tested once, on the frame as it is at the jump. A chain jumped to from
/// several places is copied at each.
public struct FlatProgram: Sendable, Hashable {
    public var rules: [FlatRule]

    /// The program for `policy` (checked: every chain exists, no loops).
    public init(_ policy: Policy) {
        var builder = FlatProgramBuilder(policy: policy)
        rules = builder.build()
    }
}

/// One rule of a ``FlatProgram``.
public struct FlatRule: Sendable, Hashable {
    /// The rule's index in ``Policy/rules`` (its name and counters); nil for a rule the
    /// inlining added (the end of a `goto` segment).
    public var source: Int?
    public var match: [MatchTerm]
    public var statements: [Statement]
    /// The verdict, or nil when evaluation goes on at ``next``.
    public var verdict: Verdict?
    /// Where evaluation goes on when the rule matches without deciding.
    public var next: Int
    /// The rule counts the frames it matches (false for a verdict map's elements, counted by
    /// the map's rule, and for added rules).
    public var counts: Bool
    /// The segment the rule lies in: it is eligible only while evaluation is in this segment
    /// (or one inside it).
    public var segment: Range<Int>
    /// For a `jump`, `goto` or verdict map rule: the segment evaluation enters (starting at
    /// ``next``).
    public var enters: Range<Int>?
}

/// Emits rules chain by chain; continuations that point past segments not yet laid out are
/// labels, resolved at the end.
private struct FlatProgramBuilder {
    let policy: Policy
    private var rulesByChain: [String?: [Int]] = [:]
    private var out: [PendingRule] = []
    private var labels: [Int] = []
    private var segments: [Range<Int>] = []

    struct PendingRule {
        var rule: FlatRule
        var nextLabel: Int
        var segment: Int
        var enters: Int?
    }

    init(policy: Policy) {
        self.policy = policy
        for (index, rule) in policy.rules.enumerated() { rulesByChain[rule.chain, default: []].append(index) }
    }

    mutating func build() -> [FlatRule] {
        let base = newSegment()
        let end = newLabel()
        emit(chain: nil, segment: base, returnTo: end)
        labels[end] = out.count
        segments[base] = 0..<out.count
        return out.map { pending in
            var rule = pending.rule
            rule.next = labels[pending.nextLabel]
            rule.segment = segments[pending.segment]
            // An empty segment is never inside: the rule then simply goes on.
            rule.enters = pending.enters.map { segments[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            return rule
        }
    }

    private mutating func newLabel(at position: Int = -1) -> Int {
        labels.append(position)
        return labels.count - 1
    }

    private mutating func newSegment() -> Int {
        segments.append(0..<0)
        return segments.count - 1
    }

    @discardableResult
    private mutating func append(
        source: Int?, match: [MatchTerm], statements: [Statement], verdict: Verdict?, counts: Bool, segment: Int,
        nextLabel: Int? = nil
    ) -> Int {
        let label = nextLabel ?? newLabel(at: out.count + 1)
        out.append(
            PendingRule(
                rule: FlatRule(
                    source: source, match: match, statements: statements, verdict: verdict, next: 0, counts: counts,
                    segment: 0..<0),
                nextLabel: label, segment: segment))
        return out.count - 1
    }

    /// Lays out `chain`'s rules in `segment`; `return` goes to `returnTo`.
    private mutating func emit(chain: String?, segment: Int, returnTo: Int) {
        for index in rulesByChain[chain] ?? [] {
            let rule = policy.rules[index]
            if rule.match.contains(where: \.isConcatenation) {
                emitConcatenated(index, rule, segment: segment, returnTo: returnTo)
            } else {
                emitRule(index, rule, segment: segment, returnTo: returnTo)
            }
        }
    }

    /// A rule with concatenations. First, per element of each `!=` one, a rule that skips the
    /// whole rule when the frame holds that tuple; then, per element of the first `==` one, a
    /// rule that enters a segment holding the rest of the rule (the next `==` one nested the
    /// same way inside), so the rest (its other terms, statements, counter and verdict) is
    /// tried at most once per frame, whichever element matched.
    private mutating func emitConcatenated(_ index: Int, _ rule: Rule, segment: Int, returnTo: Int) {
        let after = newLabel()
        var rest = rule
        rest.match = rule.match.filter { !$0.isConcatenation }
        let concatenations = rule.match.compactMap { term -> ConcatenationMatch? in
            if case .concatenation(let match) = term { match } else { nil }
        }
        for skip in concatenations where skip.negated {
            for element in skip.elements {
                append(
                    source: index, match: skip.terms(of: element), statements: [], verdict: nil, counts: false,
                    segment: segment, nextLabel: after)
            }
        }
        emitEntered(concatenations.filter { !$0.negated }[...], index, rest, segment: segment, returnTo: returnTo)
        labels[after] = out.count
    }

    /// The element rules of the first of `pending`, each entering one segment with the rest.
    private mutating func emitEntered(
        _ pending: ArraySlice<ConcatenationMatch>, _ index: Int, _ rest: Rule, segment: Int, returnTo: Int
    ) {
        guard let first = pending.first else {
            emitRule(index, rest, segment: segment, returnTo: returnTo)
            return
        }
        let inner = newSegment()
        let innerStart = newLabel()
        var entries: [Int] = []
        for element in first.elements {
            entries.append(
                append(
                    source: index, match: first.terms(of: element), statements: [], verdict: nil, counts: false,
                    segment: segment, nextLabel: innerStart))
        }
        labels[innerStart] = out.count
        let start = out.count
        emitEntered(pending.dropFirst(), index, rest, segment: inner, returnTo: returnTo)
        segments[inner] = start..<out.count
        for entry in entries { out[entry].enters = inner }
    }

    /// Lays out one rule (a verdict, a continuation, a jump or a verdict map) in `segment`.
    private mutating func emitRule(_ index: Int, _ rule: Rule, segment: Int, returnTo: Int) {
        switch rule.action {
        case .verdict(let verdict):
            append(
                source: index, match: rule.match, statements: rule.statements, verdict: verdict, counts: true,
                segment: segment)
        case .next:
            append(
                source: index, match: rule.match, statements: rule.statements, verdict: nil, counts: true,
                segment: segment)
        case .return:
            append(
                source: index, match: rule.match, statements: rule.statements, verdict: nil, counts: true,
                segment: segment, nextLabel: returnTo)
        case .jump(let target), .goto(let target):
            let at = append(
                source: index, match: rule.match, statements: rule.statements, verdict: nil, counts: true,
                segment: segment)
            let isGoto = if case .goto = rule.action { true } else { false }
            out[at].enters = enter(target.name, returnTo: isGoto ? returnTo : nil)
        case .vmap(let map):
            let at = append(
                source: index, match: rule.match, statements: rule.statements, verdict: nil, counts: true,
                segment: segment)
            let elements = newSegment()
            let start = out.count
            let after = newLabel()
            for element in map.elements {
                let term = MatchTerm.field(
                    FieldMatch(field: map.field, values: element.values, location: element.location))
                switch element.action {
                case .verdict(let verdict):
                    append(
                        source: index, match: [term], statements: [], verdict: verdict, counts: false,
                        segment: elements)
                case .return:
                    append(
                        source: index, match: [term], statements: [], verdict: nil, counts: false,
                        segment: elements, nextLabel: returnTo)
                case .jump(let target), .goto(let target):
                    let entry = append(
                        source: index, match: [term], statements: [], verdict: nil, counts: false,
                        segment: elements)
                    let isGoto = if case .goto = element.action { true } else { false }
                    out[entry].enters = enter(target.name, returnTo: isGoto ? returnTo : after)
                case .next, .vmap:
                    break
                }
            }
            labels[after] = out.count
            segments[elements] = start..<out.count
            out[at].enters = elements
        }
    }

    /// Lays out a copy of `chain` as a new segment right here. When it ends undecided,
    /// evaluation falls through to what follows (a jump), or goes to `returnTo` (a goto, or a
    /// jump from a verdict map, which goes on after the map) through one added rule.
    private mutating func enter(_ chain: String, returnTo: Int?) -> Int {
        let segment = newSegment()
        let start = out.count
        let end = newLabel()
        emit(chain: chain, segment: segment, returnTo: returnTo ?? end)
        if let returnTo {
            append(
                source: nil, match: [], statements: [], verdict: nil, counts: false, segment: segment,
                nextLabel: returnTo)
        }
        labels[end] = out.count
        segments[segment] = start..<out.count
        return segment
    }
}
