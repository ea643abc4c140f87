/// `chain NAME { rule "..." { ... } ... }`.
extension Parser {
    mutating func parseChain() -> SyntaxItem? {
        let keyword = advance()
        guard let nameToken = parseChainName(after: keyword),
            let open = expectOpenBrace(after: "the chain name", fallback: nameToken)
        else { return nil }
        var chain = SyntaxChain(keyword: keyword, name: nameToken.text, nameToken: nameToken, rules: [])
        while nextBlockItem() {
            let token = peek
            if token.kind == .endOfFile || (token.newlineBefore && isTopLevelKeyword(token) && token.text != "rule") {
                sink.error(.unexpectedToken, "chain \(nameToken.text) is missing its closing '}'", at: open)
                break
            }
            guard token.isWord("rule") else {
                fail(.unexpectedToken, "a chain holds rules: expected 'rule', found \(token.quoted)", at: token)
                skipRestOfStatement(atStart: true)
                continue
            }
            if var rule = parseRuleBlock() {
                rule.chain = chain.name
                chain.rules.append(rule)
            }
        }
        return .chain(chain)
    }
}
