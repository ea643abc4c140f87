/// Which chain of a ruleset becomes the policy: the one named, or the forward filter chain a
/// bridge's frames would pass.
public enum ChainChooser {
    /// The chain `table`/`chain` names, or (when neither is given) the first base chain of type
    /// filter hooked at `forward` in a bridge table, else in an inet table, else in ip or ip6.
    public static func choose(
        in ruleset: NftRuleset, family: String? = nil, table: String? = nil, chain: String? = nil
    ) throws(ImportError) -> NftChain {
        if let chain {
            let found = ruleset.chains.first {
                $0.name == chain && (table == nil || $0.table == table) && (family == nil || $0.family == family)
            }
            guard let found else {
                throw .chainNotFound(family: family ?? "any", table: table ?? "any", chain: chain)
            }
            return found
        }
        let forward = ruleset.chains.filter {
            $0.hook == "forward" && ($0.type ?? "filter") == "filter"
                && (table == nil || $0.table == table) && (family == nil || $0.family == family)
        }
        for preferred in [["bridge"], ["inet"], ["ip", "ip6"]] {
            if let found = forward.first(where: { preferred.contains($0.family) }) { return found }
        }
        throw .noForwardChain(chains: ruleset.chains.map(\.qualifiedName))
    }

    /// Why a base chain other than the chosen one is left out, in a line of the output.
    static func reasonLeftOut(_ chain: NftChain) -> String {
        switch (chain.type, chain.hook) {
        case ("nat", _): return "NAT: a transparent bridge rewrites no addresses for routing"
        case ("route", _): return "a route chain re-routes the host's own packets; a bridge routes nothing"
        case (_, "input"):
            return "input chains filter what is addressed to the host itself, never a bridge's forwarded frames"
        case (_, "output"): return "output chains filter what the host itself sends, never a bridge's forwarded frames"
        case (_, "prerouting"), (_, "postrouting"):
            return "\(chain.hook!) chains run around routing decisions; the policy is the forward path only"
        case (_, "ingress"), (_, "egress"):
            return "\(chain.hook!) chains belong to one device; the policy filters what crosses between the ports"
        default: return "not the chain chosen (name another with --table and --chain)"
        }
    }
}
