import Loader
import Policy

/// `bridgekeeper import-nft`: an nft ruleset (the JSON of `nft -j list ruleset`) as a policy.
public enum NftImporter {
    /// What to import and how.
    public struct Options: Sendable, Hashable {
        /// `--table FAMILY NAME`: the table of the chain to import.
        public var family: String?
        /// With `family`, the table of the chain.
        public var table: String?
        /// `--chain NAME`; nil: the first forward filter chain (bridge, else inet, else ip/ip6).
        public var chain: String?
        /// `--port-a`/`--port-b`: interface names of the ports, to write `iif a|b`.
        public var ports: PortNames?
        /// Make a `test` block per rule and keep those the policy's own evaluation confirms.
        public var tests: Bool

        /// Options; by default the forward chain is found, interface names are kept and tests are made.
        public init(
            family: String? = nil, table: String? = nil, chain: String? = nil, ports: PortNames? = nil,
            tests: Bool = true
        ) {
            self.family = family
            self.table = table
            self.chain = chain
            self.ports = ports
            self.tests = tests
        }
    }

    /// The imported policy and what the importer has to say about it.
    public struct Result: Sendable, Hashable {
        /// The policy text.
        public var policy: String
        /// The chain imported.
        public var chain: NftChain
        /// Language constructs the policy uses that this Bridgekeeper cannot check yet (empty:
        /// it checks today).
        public var needs: [String]
        /// Rules and chains left out, each with why (also `#` comments in the policy).
        public var leftOut: [String]
        /// Test blocks kept, and rules that got none (with why).
        public var testsKept: Int
        /// Rules that got no test, each with why.
        public var testsDropped: [String]
    }

    /// Imports from the text of `nft -j list ruleset`.
    public static func importRuleset(json text: String, options: Options = Options()) throws(ImportError) -> Result {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw .notJSON(error) }
        return try importRuleset(NftRuleset(json: json), options: options)
    }

    /// Imports from a parsed ruleset.
    public static func importRuleset(_ ruleset: NftRuleset, options: Options = Options()) throws(ImportError) -> Result
    {
        let base = try ChainChooser.choose(
            in: ruleset, family: options.family, table: options.table, chain: options.chain)
        var assembly = PolicyAssembly(ruleset: ruleset, base: base, ports: options.ports)
        assembly.translate()
        var result = Result(
            policy: assembly.text(tests: []), chain: base, needs: assembly.needs.sorted(), leftOut: assembly.leftOut,
            testsKept: 0, testsDropped: [])
        guard options.tests else { return result }
        TestVerification.addTests(to: &result, assembly: assembly)
        return result
    }
}
