/// One match statement of a rule as `nft` sees it before linearising: a dependency or a term,
/// with what `nft`'s payload merge needs to know about it.
struct MatchStatement {
    var expressions: [NftExpression]
    /// Set when the statement is `payload == constant` on whole bytes (nft's merge candidates).
    var payloadEquality: PayloadEquality?
    /// The field names the next protocol (`ether type`, `vlan type`, `ip protocol`, `ip6 nexthdr`).
    var isProtocol: Bool

    struct PayloadEquality {
        var base: NftPayloadBase
        var offset: Int
        var length: Int
        var data: [UInt8]

        var expressions: [NftExpression] {
            [.payload(base, offset: offset, length: length), .compare(.equal, data)]
        }
    }

    init(_ expressions: [NftExpression], isProtocol: Bool = false) {
        self.expressions = expressions
        self.isProtocol = isProtocol
        if expressions.count == 2, case .payload(let base, let offset, let length) = expressions[0],
            case .compare(.equal, let data) = expressions[1], data.count == length
        {
            payloadEquality = PayloadEquality(base: base, offset: offset, length: length, data: data)
        }
    }

    /// A statement that is never merged (a masked field, a prefix, a lookup...).
    static func unmergeable(_ expressions: [NftExpression]) -> MatchStatement {
        var statement = MatchStatement(expressions)
        statement.payloadEquality = nil
        return statement
    }
}

/// `nft`'s merge of adjacent payload equality matches (`stmt_reduce` in nftables' rule.c):
/// `tcp sport 80 tcp dport 22` becomes one 4-byte load and compare. The kernel result is the
/// same either way; the mirror does it so its rules are byte for byte what `nft` makes of the
/// same text.
enum PayloadMerge {
    static func merge(_ statements: [MatchStatement]) -> [MatchStatement] {
        var result = statements.map(Optional.some)
        let candidates = statements.indices.filter { statements[$0].payloadEquality != nil }
        guard candidates.count > 1 else { return statements }
        let sorted = candidates.sorted {
            let a = statements[$0].payloadEquality!
            let b = statements[$1].payloadEquality!
            return (rank(a.base), a.offset, $0) < (rank(b.base), b.offset, $1)
        }
        var last = sorted[0]
        for this in sorted.dropFirst() {
            guard let lastMatch = result[last]?.payloadEquality, let thisMatch = result[this]?.payloadEquality,
                canMerge(lastMatch, thisMatch)
            else {
                last = this
                continue
            }
            let joined = MatchStatement.PayloadEquality(
                base: lastMatch.base, offset: lastMatch.offset, length: lastMatch.length + thisMatch.length,
                data: lastMatch.data + thisMatch.data)
            // The statement that names a protocol keeps its place, so dependencies stay ahead of
            // the matches that need them.
            let (survivor, removed) = result[this]!.isProtocol ? (this, last) : (last, this)
            var merged = MatchStatement(joined.expressions)
            merged.isProtocol = result[survivor]!.isProtocol || result[removed]!.isProtocol
            result[survivor] = merged
            result[removed] = nil
            last = survivor
        }
        return result.compactMap { $0 }
    }

    /// nftables `payload_can_merge`: adjacent whole bytes of one base, at most 16 bytes, and
    /// either at most 4 bytes, or link layer, or one side already longer than 4 bytes.
    private static func canMerge(_ a: MatchStatement.PayloadEquality, _ b: MatchStatement.PayloadEquality) -> Bool {
        guard a.base == b.base, a.offset + a.length == b.offset else { return false }
        let total = a.length + b.length
        guard total <= 16 else { return false }
        return total <= 4 || a.base == .link || a.length > 4 || b.length > 4
    }

    private static func rank(_ base: NftPayloadBase) -> Int {
        switch base {
        case .link: return 1
        case .network: return 2
        case .transport: return 3
        }
    }
}
