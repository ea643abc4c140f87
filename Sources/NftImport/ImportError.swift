/// Why a ruleset could not be imported at all (a rule or chain the importer cannot translate is
/// left out with a comment instead, never an error).
public enum ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input is not JSON.
    case notJSON(JSONSyntaxError)
    /// JSON, but not the shape of `nft -j list ruleset` (`{"nftables": [...]}`).
    case notARuleset(String)
    /// `--table`/`--chain` name a chain that is not there.
    case chainNotFound(family: String, table: String, chain: String)
    /// No chain was named and there is no filter chain hooked at `forward`.
    case noForwardChain(chains: [String])

    /// One line saying what is wrong and, where it helps, what to do.
    public var description: String {
        switch self {
        case .notJSON(let problem): return "the input is not JSON: \(problem)"
        case .notARuleset(let why): return "the input is not the JSON of `nft -j list ruleset`: \(why)"
        case .chainNotFound(let family, let table, let chain):
            return "no chain \(chain) in table \(family) \(table)"
        case .noForwardChain(let chains):
            let known = chains.isEmpty ? "the ruleset has no chains" : "chains: " + chains.joined(separator: ", ")
            return
                "no base chain of type filter hooked at forward (\(known)); name one with --table FAMILY NAME --chain NAME"
        }
    }
}
