import Policy

/// What every nft rule of one policy rule ends with, whatever framing or alternative it is for:
/// the stateful terms (shared named objects and meters, so the policy rule's frames are counted
/// once), the counter, and the verdict, possibly split by protocol for `reject`.
struct RuleTail {
    /// A stateful term in the order written.
    enum Stateful {
        /// `limit name "N"` or `quota name "N"`.
        case object(NftObjectKind, name: String)
        /// `update @m { KEY limit rate ... }`: the key's loads depend on the framing.
        case meter(set: NftSet, key: [Field], limit: NftLimit)
    }

    /// One way the rule ends: the conditions that select it (a reject's protocol), then the
    /// expressions after the counter.
    struct Ending {
        /// Checked before the stateful terms, so a frame takes tokens from one ending only.
        var conditions: [MatchStatement]
        var conditionWords: [String]
        /// Rewrites and the verdict (or a `jump` to the rule's chain).
        var expressions: [NftExpression]
        var words: [String]
    }

    var stateful: [Stateful]
    /// The endings, tried in order (the last has no conditions).
    var endings: [Ending]
    /// The rule's endings in frames of the tagged framings: the verdict alone (no rewrites,
    /// rejects as drops).
    var taggedEnding: Ending
    /// The kernel drops what the rule matches (drop, reflect, reject): where the kernel cannot
    /// check a term, such a rule takes the frame (the safer verdict); an accepting rule leaves
    /// it to the rules after it.
    var drops: Bool
    /// The regular chain `rule-NAME` the rule jumps to when its rewrites need one, and its rules.
    var chain: NftChain?
    var chainRules: [NftRule] = []

    /// The fields of the meters' keys (their dependencies join the rule's match).
    var meterKeyFields: [Field] {
        stateful.flatMap { part -> [Field] in
            if case .meter(_, let key, _) = part { return key }
            return []
        }
    }

    /// The stateful terms' expressions and words, with a meter's key read by `keyLoads` (the
    /// framing's loads of the key fields, in order; nil when the framing cannot read them).
    func statefulExpressions(keyLoads: ([Field]) -> [NftExpression]?) -> (
        expressions: [NftExpression], words: [String]
    )? {
        var expressions: [NftExpression] = []
        var words: [String] = []
        for part in stateful {
            switch part {
            case .object(let kind, let name):
                expressions.append(.objectReference(kind, name: name))
                words.append("\(kind == .limit ? "limit" : "quota") name \(NftValueText.quoted(name))")
            case .meter(let set, let key, let limit):
                guard let loads = keyLoads(key) else { return nil }
                expressions += loads
                expressions.append(
                    .dynamicSet(
                        NftDynamicSetUpdate(
                            operation: .update, setName: set.name, setID: set.id, expressions: [.limit(limit)])))
                let keyText = key.map { MeterKeyText.selector($0) }.joined(separator: " . ")
                words.append("update @\(set.name) { \(keyText) \(NftLimitText.statement(limit)) }")
            }
        }
        return (expressions, words)
    }
}

/// The meter key fields' selectors in `update @m { ... }` text.
enum MeterKeyText {
    static func selector(_ field: Field) -> String {
        switch field {
        case .vlanID: return "@ll,116,12"
        default: return FieldLayout.of(field)?.selector ?? field.rawValue
        }
    }
}

/// A `limit` in nft text: `limit rate over 10/second burst 5 packets`.
enum NftLimitText {
    static func statement(_ limit: NftLimit) -> String { "limit " + body(limit) }

    /// `rate [over] N/UNIT [burst B packets|bytes]`, as in a named limit's block.
    static func body(_ limit: NftLimit) -> String {
        let unit: String
        switch limit.unit {
        case 60: unit = "minute"
        case 3600: unit = "hour"
        case 86400: unit = "day"
        case 604_800: unit = "week"
        default: unit = "second"
        }
        let over = limit.inverted ? "over " : ""
        if limit.countsBytes {
            let burst = limit.burst == 0 ? "" : " burst \(limit.burst) bytes"
            return "rate \(over)\(limit.rate) bytes/\(unit)\(burst)"
        }
        return "rate \(over)\(limit.rate)/\(unit) burst \(limit.burst) packets"
    }
}
