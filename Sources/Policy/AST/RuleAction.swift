/// What a rule does once its match holds and its statements ran.
public enum RuleAction: Sendable, Hashable {
    /// A verdict: the frame's fate is decided.
    case verdict(Verdict)
    /// No verdict: evaluation goes on with the next rule (nft's non-terminal rule).
    case next
    /// `jump NAME`: evaluate the chain's rules; if none decides, go on after this rule.
    case jump(ChainReference)
    /// `goto NAME`: evaluate the chain's rules; if none decides, leave the current chain too.
    case goto(ChainReference)
    /// `return`: leave the current chain (in the base chain: the default verdict applies).
    case `return`(SourceLocation)
    /// `FIELD vmap { VALUE : VERDICT, ... }`: the element holding the field's value acts; no
    /// element holds it (or the frame lacks the field): evaluation goes on.
    case vmap(VerdictMap)
}

extension Rule {
    /// Every verdict the rule may give: its own, or its verdict map's.
    public var verdicts: [Verdict] {
        switch action {
        case .verdict(let verdict): return [verdict]
        case .vmap(let map):
            return map.elements.compactMap { if case .verdict(let verdict) = $0.action { verdict } else { nil } }
        case .next, .jump, .goto, .return: return []
        }
    }

    /// The rule changes the frame: a `set`, `vlan push` or `vlan pop` statement.
    public var hasRewrites: Bool {
        statements.contains {
            switch $0.kind {
            case .set, .vlanPush, .vlanPop, .segmentSizeToMTU: return true
            case .log, .pcap, .mirror, .setUpdate: return false
            }
        }
    }
}

/// A chain named by `jump`, `goto` or a verdict map.
public struct ChainReference: Sendable, Hashable {
    public var name: String
    /// Where the name was written.
    public var location: SourceLocation
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// `FIELD vmap { VALUE : VERDICT, ... }`: its elements' values do not overlap.
public struct VerdictMap: Sendable, Hashable {
    public var field: Field
    public var elements: [VerdictMapElement]
    /// Where the field was written.
    public var location: SourceLocation
    public init(field: Field, elements: [VerdictMapElement], location: SourceLocation) {
        self.field = field
        self.elements = elements
        self.location = location
    }
}

/// One `VALUE : VERDICT` of a verdict map.
public struct VerdictMapElement: Sendable, Hashable {
    /// The values the element holds (a single value, a range or a prefix).
    public var values: [ValueInterval]
    /// A verdict, `jump`, `goto` or `return` (never ``RuleAction/next`` or another map).
    public var action: RuleAction
    public var location: SourceLocation
    public init(values: [ValueInterval], action: RuleAction, location: SourceLocation) {
        self.values = values
        self.action = action
        self.location = location
    }
}

/// `chain NAME { ... }`.
public struct Chain: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}
