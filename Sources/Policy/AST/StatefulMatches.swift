import Answers
import Limits

/// `limit rate [over] RATE [burst N UNIT] [per KEY [. KEY ...]]`.
///
/// A token bucket with nft's semantics (``Limits/RateLimit``): it starts full and holds `burst`
/// packets (5 when not given) for a packet rate, or the rate's bytes plus `burst` bytes for a byte
/// rate. Without `over` the term holds for frames within the rate; with `over` for frames beyond
/// it. With `per`, each key (a source address, say) has its own bucket: a meter.
public struct LimitMatch: Sendable, Hashable {
    /// The bucket, checked against the kernel's arithmetic.
    public var limit: RateLimit
    /// The meter key's fields, in order (empty: one bucket for the rule).
    public var per: [MeterKeyField]
    public var location: SourceLocation

    public init(limit: RateLimit, per: [MeterKeyField] = [], location: SourceLocation) {
        self.limit = limit
        self.per = per
        self.location = location
    }
}

/// `quota [over|until] N bytes|kbytes|mbytes|gbytes`: the rule's frames' bytes are counted;
/// without `over` (or with `until`) the term holds while the count stays within N, with `over`
/// once it has passed N (``Limits/Quota``). The count is kept across reloads while the rule
/// keeps its name.
public struct QuotaMatch: Sendable, Hashable {
    public var amount: QuotaAmount
    public var mode: QuotaMode
    public var location: SourceLocation

    public init(amount: QuotaAmount, mode: QuotaMode, location: SourceLocation) {
        self.amount = amount
        self.mode = mode
        self.location = location
    }
}
