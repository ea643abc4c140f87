/// The mirror as `nft -f` text, for `bridgekeeper check --print-nft`.
///
/// The text does what a commit does: it creates the table if missing, deletes it, and creates
/// it again with the plan's sets, chains and rules, so `nft -f` of it replaces the table in one
/// transaction. Notes on what was not mirrored come first as `# ` lines, and again beside the
/// rule they concern (where a left-out rule would have been).
public enum NftText {
    /// The plan as `nft -f` input.
    public static func render(_ plan: MirrorPlan) -> String {
        let table = "table bridge \(plan.table)"
        var lines: [String] = []
        lines.append("# nftables mirror of the policy: `nft -f` of this text replaces \(table).")
        for note in plan.notes { lines.append("# " + note.text) }
        lines.append(table)
        lines.append("delete \(table)")
        lines.append(table + " {")
        var blocks: [[String]] = []
        for set in plan.sets where !set.isAnonymous {
            var block = ["\tset \(set.name) {", "\t\ttype \(set.keyType.name)"]
            if set.isInterval { block.append("\t\tflags interval") }
            if !set.elements.isEmpty { block.append("\t\telements = \(set.elementsText)") }
            block.append("\t}")
            blocks.append(block)
        }
        for chain in plan.chains {
            var block = ["\tchain \(chain.name) {"]
            if let base = chain.base {
                let policy = base.policy == .drop ? "drop" : "accept"
                block.append("\t\ttype filter hook forward priority \(base.priority); policy \(policy);")
            }
            if chain.base != nil {
                block += forwardRules(plan)
            } else {
                block += plan.rules(in: chain.name).map { "\t\t" + $0.text }
            }
            block.append("\t}")
            blocks.append(block)
        }
        for (index, block) in blocks.enumerated() {
            if index > 0 { lines.append("") }
            lines += block
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The forward chain's rules in policy order, each preceded by its rule's notes; the notes
    /// of left-out rules stand where the rule would have been.
    private static func forwardRules(_ plan: MirrorPlan) -> [String] {
        var items: [(number: Int, lines: [String])] = []
        for note in plan.notes {
            guard let number = note.ruleNumber else { continue }
            items.append((number, ["\t\t# " + note.text]))
        }
        for rule in plan.rules(in: "forward") {
            var text = "\t\t" + rule.text
            if let comment = rule.comment { text += " comment " + NftValueText.quoted(comment) }
            items.append((rule.origin?.number ?? Int.max, [text]))
        }
        // Stable: notes were added first, so they come before their rule.
        let ordered = items.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        return ordered.flatMap(\.element.lines)
    }
}
