/// The policy text: header comments, sets, the default, the rules, the chains, the tests.
struct PolicyWriter {
    var lines: [String] = []

    mutating func comment(_ text: String, indent: String = "") {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(indent + "# " + line)
        }
    }

    mutating func blank() {
        if lines.last != "" { lines.append("") }
    }

    /// A named set: `set NAME = { ... }`, or nft's declaration for a concatenated type.
    mutating func set(_ set: NftSet) throws(Untranslatable) {
        let field = PolicyField(
            name: set.type.joined(separator: " . "),
            valueNames: set.type == ["ether_type"] ? PolicyField.etherTypeNames : PolicyField.protocolNumbers)
        var elements: [String] = []
        for element in set.elements { elements.append(try ValueText.element(element, field: field)) }
        let name = PolicySetName.of(set.name)
        if set.isDynamic {
            guard set.type.count == 1 else { throw Untranslatable("a dynamic set of a concatenation") }
            var flags = ["dynamic"]
            if set.flags.contains("timeout") || set.timeout != nil { flags.append("timeout") }
            var body = "type \(set.type[0]); flags \(flags.joined(separator: ","));"
            if let timeout = set.timeout { body += " timeout \(timeout)s;" }
            if let size = set.size { body += " size \(size);" }
            if !elements.isEmpty { body += " elements = { \(elements.joined(separator: ", ")) }" }
            lines.append("set \(name) { \(body) }")
        } else if set.type.count > 1 {
            var body = "type \(set.type.joined(separator: " . "));"
            if !set.flags.isEmpty { body += " flags \(set.flags.joined(separator: ","));" }
            body += " elements = { \(elements.joined(separator: ", ")) }"
            lines.append("set \(name) { \(body) }")
        } else {
            lines.append("set \(name) = { \(elements.joined(separator: ", ")) }")
        }
    }

    /// The items of a chain (indented inside `chain NAME { }`).
    mutating func items(_ items: [ChainItem], indent: String = "") {
        for item in items {
            switch item {
            case .leftOut(let why): comment(why, indent: indent)
            case .rule(let rule): self.rule(rule, indent: indent)
            }
        }
    }

    mutating func rule(_ rule: ImportedRule, indent: String) {
        for note in rule.notes { comment(note, indent: indent) }
        lines.append("\(indent)rule \"\(rule.name)\" {")
        if let comment = rule.comment { lines.append("\(indent)    comment \(ValueText.quoted(comment))") }
        if !rule.terms.isEmpty { lines.append("\(indent)    match " + rule.terms.joined(separator: " ")) }
        for statement in rule.statements { lines.append("\(indent)    \(statement)") }
        if let verdict = rule.verdict { lines.append("\(indent)    \(verdict)") }
        lines.append("\(indent)}")
    }

    mutating func test(rule: String, lines steps: [String]) {
        lines.append("test \"\(TestName.of(rule))\" {")
        for step in steps { lines.append("    " + step) }
        lines.append("}")
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}

/// The test block made for a rule is named after it.
enum TestName {
    static func of(_ rule: String) -> String { "rule \(rule)" }
}
