import Policy

/// A `limit` term as compiled: its bucket's shape, whose rule it is, and (for a meter) the
/// fields its key is made of. The pipeline's state keeps the bucket or meter; this says what it is.
public struct CompiledLimit: Sendable, Equatable {
    /// The rule the term belongs to (state is kept across reloads by rule name and position).
    public var ruleName: String
    /// The term's number among the rule's `limit` terms (a rule may have several).
    public var ordinal: Int
    public var rate: Rate
    /// Packets for a packet rate, extra bytes for a byte rate (nft's defaults filled in).
    public var burst: UInt64
    public var over: Bool
    /// Meter key fields (empty: one bucket).
    public var key: [FieldCode]
}

/// A `quota` term as compiled.
public struct CompiledQuota: Sendable, Equatable {
    public var ruleName: String
    public var ordinal: Int
    public var bytes: UInt64
    public var over: Bool
}

extension CompiledAnswer {
    /// The compiled form of a `reject`'s answer.
    public init(_ answer: RejectAnswer) {
        switch answer {
        case .automatic:
            self.init(kind: .automatic, icmpCode: 3, icmpv6Code: 4)
        case .tcpReset:
            self.init(kind: .tcpReset)
        case .icmp(let code):
            self.init(kind: .unreachable, icmpCode: code)
        case .icmpv6(let code):
            self.init(kind: .unreachable, icmpv6Code: code)
        case .icmpx(let reason):
            self.init(kind: .unreachable, icmpCode: reason.icmpCode, icmpv6Code: reason.icmpv6Code)
        }
    }
}
