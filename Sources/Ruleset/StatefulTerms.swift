import Limits
import Policy

/// A `limit` term as compiled: its bucket, whose rule it is, and (for a meter) the fields its key
/// is made of. The pipeline's state keeps the bucket or the meter's table; this says what it is.
public struct CompiledLimit: Sendable, Equatable {
    /// The rule the term belongs to (state is kept across reloads by rule name and position).
    public var ruleName: String
    /// The term's number among the rule's `limit` terms (a rule may have several).
    public var ordinal: Int
    public var limit: RateLimit
    /// Meter key fields (empty: one bucket for the rule).
    public var key: [MeterKeyField]

    public init(ruleName: String, ordinal: Int, limit: RateLimit, key: [MeterKeyField]) {
        self.ruleName = ruleName
        self.ordinal = ordinal
        self.limit = limit
        self.key = key
    }

    /// The policy fields a meter's key reads (they must be in the field vector).
    public var keyFields: [FieldCode] {
        key.compactMap { field in Field(rawValue: field.name).map(FieldCode.init) }
    }
}

/// A `quota` term as compiled.
public struct CompiledQuota: Sendable, Equatable {
    public var ruleName: String
    public var ordinal: Int
    public var amount: QuotaAmount
    public var mode: QuotaMode

    public init(ruleName: String, ordinal: Int, amount: QuotaAmount, mode: QuotaMode) {
        self.ruleName = ruleName
        self.ordinal = ordinal
        self.amount = amount
        self.mode = mode
    }
}

/// A dynamic set as compiled: what the pipeline's shared state builds its table from, and keeps
/// it by across reloads (an equal declaration with equal elements keeps the elements held).
public struct CompiledDynamicSet: Sendable, Hashable {
    public var name: String
    public var spec: DynamicSetSpec
    /// The initial elements (`elements = { ... }`), as the field values the table holds.
    public var elements: [UInt128]

    public init(name: String, spec: DynamicSetSpec, elements: [UInt128]) {
        self.name = name
        self.spec = spec
        self.elements = elements
    }
}
