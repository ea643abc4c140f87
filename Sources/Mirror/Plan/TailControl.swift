/// What ends a policy rule's nft rules in place of a verdict.
enum TailControl: Hashable {
    /// The rule's own verdict.
    case verdict
    /// No verdict: nft goes on with the next rule, as the policy does.
    case goOn
    /// `jump`, `goto` or `return` (a verdict map's rule jumps to its map's chain).
    case transfer(NftVerdict)

    /// The verdict in nft's text.
    static func word(_ verdict: NftVerdict) -> String {
        switch verdict {
        case .accept: return "accept"
        case .drop: return "drop"
        case .jump(let chain): return "jump \(chain)"
        case .goto(let chain): return "goto \(chain)"
        case .return: return "return"
        }
    }
}

extension NftVerdict {
    /// `goto` and `return`: the chain the rule is in is left.
    var leavesTheChain: Bool {
        switch self {
        case .goto, .return: return true
        case .accept, .drop, .jump: return false
        }
    }
}
