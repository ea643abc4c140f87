/// The whole policy, before it is written: the base chain's items, the chains it reaches, the
/// sets they use, and what was left out.
struct PolicyAssembly: Sendable {
    let ruleset: NftRuleset
    let base: NftChain
    let defaultVerdict: String
    let ports: PortNames?
    private(set) var baseItems: [ChainItem] = []
    /// Chains jumped to, in the order first reached, with their items.
    private(set) var chains: [(name: String, items: [ChainItem])] = []
    private(set) var usedSets: [String] = []
    private(set) var needs: Set<String> = []
    /// Header lines: chains left out and why.
    private(set) var chainNotes: [String] = []

    init(ruleset: NftRuleset, base: NftChain, ports: PortNames?) {
        self.ruleset = ruleset
        self.base = base
        self.ports = ports
        defaultVerdict = base.policy == "drop" ? "drop" : "forward"
    }

    /// Every rule and chain left out, with why.
    var leftOut: [String] {
        var all = chainNotes
        for item in baseItems + chains.flatMap(\.items) {
            if case .leftOut(let why) = item { all.append(why) }
        }
        return all
    }

    /// Rules at the top level (the base chain), the only ones tests are made for.
    var topLevelRules: [ImportedRule] {
        baseItems.compactMap { item in
            if case .rule(let rule) = item { return rule }
            return nil
        }
    }

    mutating func translate() {
        var context = TranslationContext(
            ruleset: ruleset, chain: base, ports: ports, defaultVerdict: defaultVerdict, inBaseChain: true)
        var translator = RuleTranslator(context: context, names: RuleNames())
        baseItems = translator.translate(ruleset.rules(of: base), chainName: base.name)
        var queue = translator.targets
        var done: Set<String> = []
        while let next = queue.first {
            queue.removeFirst()
            guard !done.contains(next) else { continue }
            done.insert(next)
            guard let chain = ruleset.chain(named: next, besides: base) else {
                chains.append((next, [.leftOut("chain \(next) is jumped to but not in the ruleset")]))
                continue
            }
            context = translator.context
            context.chain = chain
            context.inBaseChain = false
            translator.context = context
            translator.targets = []
            // Rule names inside a chain are the chain's own (the policy prefixes them).
            let saved = translator.names
            translator.names = RuleNames()
            let items = translator.translate(ruleset.rules(of: chain), chainName: chain.name)
            translator.names = saved
            chains.append((chain.name, items))
            queue += translator.targets
        }
        usedSets = translator.context.usedSets
        needs = translator.needs
        for chain in ruleset.chains where chain != base {
            let sameTable = chain.family == base.family && chain.table == base.table
            if sameTable && done.contains(chain.name) { continue }
            let why: String
            if chain.isBase {
                why = ChainChooser.reasonLeftOut(chain)
            } else if sameTable {
                why = "never jumped to from \(base.name)"
            } else {
                why = "in another table, never reached from \(base.name)"
            }
            chainNotes.append("chain \(chain.qualifiedName) left out: \(why)")
        }
    }

    /// The policy text with the given test blocks (and comments for rules without one).
    func text(tests: [TestText]) -> String {
        var writer = PolicyWriter()
        writer.comment(
            "Imported by bridgekeeper import-nft from chain \(base.qualifiedName)"
                + (base.hook.map { " (hook \($0), policy \(base.policy ?? "accept"))" } ?? "") + ".")
        if !needs.isEmpty {
            writer.comment(
                "Uses constructs this Bridgekeeper may not check yet: \(needs.sorted().joined(separator: ", ")).")
        }
        for note in chainNotes { writer.comment(note) }
        writer.lines.append("version 1")
        writer.blank()
        for name in usedSets {
            guard let set = ruleset.set(named: name, in: base) else { continue }
            do { try writer.set(set) } catch { writer.comment("set \(name) left out: \(error.reason)") }
        }
        writer.blank()
        writer.lines.append("default \(defaultVerdict)")
        writer.blank()
        writer.items(baseItems)
        for chain in chains {
            writer.blank()
            writer.lines.append("chain \(ChainName.text(chain.name)) {")
            writer.items(chain.items, indent: "    ")
            writer.lines.append("}")
        }
        if !tests.isEmpty { writer.blank() }
        for test in tests {
            switch test {
            case .block(let rule, let lines): writer.test(rule: rule, lines: lines)
            case .none(let rule, let why): writer.comment("no test for rule \"\(rule)\": \(why)")
            }
        }
        return writer.text
    }
}

/// A test block for a rule, or the comment that says why it has none.
enum TestText: Sendable, Hashable {
    /// Its lines: `packet ...` and `expect ...`, in turn.
    case block(rule: String, lines: [String])
    case none(rule: String, why: String)
}
