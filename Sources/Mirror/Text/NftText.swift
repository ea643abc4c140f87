/// The mirror as `nft -f` text, for `bridgekeeper check --print-nft`.
///
/// The text does what a commit does: it creates the table if missing, deletes it, and creates
/// it again with the plan's objects, sets, chains and rules, so `nft -f` of it replaces the table
/// in one transaction; the flow emulation's table (when the plan has one) is created if missing
/// and only its chains' rules are replaced, so its flows stay. Notes on what was not mirrored
/// come first as `# ` lines, and again beside the rule they concern (where a left-out rule would
/// have been). A plan made without asking a kernel says what it assumed the kernel can do.
public enum NftText {
    /// The plan as `nft -f` input.
    public static func render(_ plan: MirrorPlan) -> String {
        let table = "table bridge \(plan.table)"
        var lines: [String] = []
        lines.append("# nftables mirror of the policy: `nft -f` of this text replaces \(table).")
        if !plan.capabilities.probed {
            lines.append(
                "# This plan assumes a kernel like the one it was developed on (not probed): \(plan.capabilities).")
        }
        for note in plan.notes { lines.append("# " + note.text) }
        if let flows = plan.flows { lines += render(flows) }
        lines.append(table)
        lines.append("delete \(table)")
        lines.append(table + " {")
        var blocks: [[String]] = plan.objects.map(objectBlock)
        blocks += plan.sets.filter { !$0.isAnonymous }.map(setBlock)
        for chain in plan.chains {
            var block = ["\tchain \(chain.name) {"]
            if let base = chain.base { block.append(baseLine(base)) }
            if chain.name == "forward" {
                block += forwardRules(plan)
            } else {
                block += plan.rules(in: chain.name).map { "\t\t" + line($0) }
            }
            block.append("\t}")
            blocks.append(block)
        }
        lines += joined(blocks)
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The flow table: created with its sets and empty chains when missing, its chains flushed,
    /// then filled.
    private static func render(_ flows: FlowTablePlan) -> [String] {
        let table = "table bridge \(flows.table)"
        var lines = [table + " {"]
        var blocks = flows.sets.filter { !$0.isAnonymous }.map(setBlock)
        for chain in flows.chains {
            guard let base = chain.base else { continue }
            blocks.append(["\tchain \(chain.name) {", baseLine(base), "\t}"])
        }
        lines += joined(blocks)
        lines.append("}")
        for chain in flows.chains { lines.append("flush chain bridge \(flows.table) \(chain.name)") }
        lines.append(table + " {")
        lines += joined(
            flows.chains.map { chain in
                ["\tchain \(chain.name) {"] + flows.rules(in: chain.name).map { "\t\t" + line($0) } + ["\t}"]
            })
        lines.append("}")
        return lines
    }

    private static func joined(_ blocks: [[String]]) -> [String] {
        var lines: [String] = []
        for (index, block) in blocks.enumerated() {
            if index > 0 { lines.append("") }
            lines += block
        }
        return lines
    }

    private static func baseLine(_ base: NftBaseChain) -> String {
        let policy = base.policy == .drop ? "drop" : "accept"
        return "\t\ttype filter hook \(base.hookName) priority \(base.priority); policy \(policy);"
    }

    private static func objectBlock(_ object: NftObject) -> [String] {
        switch object.kind {
        case .limit(let limit):
            return ["\tlimit \(object.name) {", "\t\t" + NftLimitText.body(limit), "\t}"]
        case .quota(let bytes, let over):
            return ["\tquota \(object.name) {", "\t\t\(over ? "over" : "until") \(bytes) bytes", "\t}"]
        }
    }

    private static func setBlock(_ set: NftSet) -> [String] {
        var block = ["\tset \(set.name) {"]
        if let typeofText = set.typeofText {
            block.append("\t\ttypeof \(typeofText)")
        } else {
            block.append("\t\ttype \(set.keyType.name)")
        }
        if let dynamic = set.dynamic {
            if dynamic.size > 0 { block.append("\t\tsize \(dynamic.size)") }
            block.append(dynamic.timeouts ? "\t\tflags dynamic,timeout" : "\t\tflags dynamic")
            if let timeout = dynamic.timeout { block.append("\t\ttimeout \(DurationText.nft(milliseconds: timeout))") }
        } else if set.isInterval {
            block.append("\t\tflags interval")
        }
        if !set.elements.isEmpty { block.append("\t\telements = \(set.elementsText)") }
        block.append("\t}")
        return block
    }

    /// One rule: its text and its comment.
    private static func line(_ rule: NftRule) -> String {
        guard let comment = rule.comment else { return rule.text }
        return rule.text + " comment " + NftValueText.quoted(comment)
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
            items.append((rule.origin?.number ?? 0, ["\t\t" + line(rule)]))
        }
        // Stable: notes were added first, so they come before their rule.
        let ordered = items.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        return ordered.flatMap(\.element.lines)
    }
}
