/// nft's orderings of a numeric field against one bound (`tcp dport > 1023`, `ip ttl < 5`).
/// The checker turns each into the interval of values it holds for, so it compiles, evaluates
/// and mirrors as the range it is (`tcp dport > 1023` is `tcp dport 1024-65535`).
public enum Ordering: String, Sendable, Hashable, CaseIterable {
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="

    /// nft's words for the orderings (`tcp dport gt 1023`).
    public static let byWord: [String: Ordering] = [
        "lt": .less, "gt": .greater, "le": .lessOrEqual, "ge": .greaterOrEqual,
    ]

    /// The values of a field whose largest value is `maxValue` that hold against `bound`, or nil
    /// when none does (`< 0`, `> max`).
    public func interval(bound: UInt128, maxValue: UInt128) -> ValueInterval? {
        switch self {
        case .less: return bound == 0 ? nil : ValueInterval(lo: 0, hi: min(bound - 1, maxValue))
        case .lessOrEqual: return ValueInterval(lo: 0, hi: min(bound, maxValue))
        case .greater: return bound >= maxValue ? nil : ValueInterval(lo: bound + 1, hi: maxValue)
        case .greaterOrEqual: return bound > maxValue ? nil : ValueInterval(lo: bound, hi: maxValue)
        }
    }
}
