/// `rule "NAME" { comment; match; statements; verdict }`.
extension Parser {
    static let ruleKeywords = [
        "comment", "match", "log", "pcap", "mirror", "vlan", "forward", "accept", "drop", "reflect", "reject",
        "counter", "jump", "goto", "return", "add", "update",
    ]

    /// The quoted name after `rule` or `test`. A bare word is reported and used, so the block
    /// still parses.
    mutating func parseBlockName(after keyword: Token) -> Token? {
        let token = peek
        if token.kind == .string && !token.newlineBefore { return advance() }
        if token.kind == .word && !token.newlineBefore {
            advance()
            sink.error(
                .unexpectedToken, "\(keyword.text) names are quoted: \(keyword.text) \"\(token.text)\"", at: token)
            return token
        }
        if atStatementEnd || token.kind == .openBrace {
            sink.error(.unexpectedToken, "expected a quoted name after '\(keyword.text)'", at: keyword)
        } else {
            fail(.unexpectedToken, "expected a quoted name after '\(keyword.text)', found \(token.quoted)", at: token)
        }
        skipRestOfStatement()
        return nil
    }

    /// The `{` opening a rule or test body.
    mutating func expectOpenBrace(after what: String, fallback: Token) -> Token? {
        if peek.kind == .openBrace { return advance() }
        fail(
            .unexpectedToken, "expected '{' after \(what), found \(peek.quoted)",
            at: peek.kind == .endOfFile ? fallback : peek)
        skipRestOfStatement()
        return nil
    }

    /// Skips the `;` between a block's items; at the block's `}` consumes it and returns false,
    /// else true with the next item's first token in `peek`.
    mutating func nextBlockItem() -> Bool {
        while peek.kind == .semicolon { advance() }
        guard peek.kind == .closeBrace else { return true }
        advance()
        return false
    }

    /// True when the block's `}` is missing: reported, and the caller returns without consuming.
    mutating func blockEndsUnclosed(open: Token, what: String) -> Bool {
        let token = peek
        guard token.kind == .endOfFile || (token.newlineBefore && isTopLevelKeyword(token)) else { return false }
        sink.error(.unexpectedToken, "\(what) is missing its closing '}'", at: open)
        return true
    }

    mutating func parseRule() -> SyntaxItem? {
        parseRuleBlock().map { .rule($0) }
    }

    /// One `rule "NAME" { ... }`, at the top level or in a chain.
    mutating func parseRuleBlock() -> SyntaxRule? {
        let keyword = advance()
        let errorsBefore = sink.errorCount
        guard let nameToken = parseBlockName(after: keyword),
            let open = expectOpenBrace(after: "the rule name", fallback: nameToken)
        else { return nil }
        var rule = SyntaxRule(keyword: keyword, name: nameToken.text, nameToken: nameToken)
        var reportedAfterVerdict = false
        while nextBlockItem() {
            let token = peek
            if blockEndsUnclosed(open: open, what: "rule \"\(rule.name)\"") { break }
            guard token.kind == .word else {
                fail(.unexpectedToken, "expected a statement, found \(token.quoted)", at: token)
                skipRestOfStatement(atStart: true)
                continue
            }
            if let ending = rule.ending, token.text != "comment" {
                if !reportedAfterVerdict {
                    reportedAfterVerdict = true
                    sink.error(
                        .statementAfterVerdict,
                        "'\(token.text)' follows the verdict '\(ending.word)' (line "
                            + "\(ending.keyword.location.line)); the verdict must be the rule's last statement",
                        at: token)
                }
                skipRestOfStatement(atStart: true)
                continue
            }
            parseRuleItem(into: &rule)
        }
        rule.hadError = sink.errorCount > errorsBefore
        return rule
    }

    mutating func parseRuleItem(into rule: inout SyntaxRule) {
        let token = peek
        switch token.text {
        case "comment":
            advance()
            guard let text = expectString("a quoted comment", after: token, allowDefine: true) else { return }
            if rule.commentToken != nil {
                sink.error(.duplicateComment, "a rule has at most one comment", at: token)
            }
            rule.comment = text.text
            rule.commentToken = text
            endStatement(after: "the comment")
        case "match":
            advance()
            if rule.matchKeyword != nil {
                sink.error(.duplicateMatch, "a rule has one match line; put all its terms on it", at: token)
                skipRestOfStatement()
            } else if !rule.statements.isEmpty {
                sink.error(
                    .unexpectedToken,
                    "the match line must come before the rule's statements (matching sees the frame as it arrived)",
                    at: token)
                skipRestOfStatement()
            } else {
                rule.matchKeyword = token
                rule.match = parseMatchLine(keyword: token) ?? []
            }
        case "log", "pcap", "mirror":
            if let statement = parseInspection() { rule.statements.append(statement) }
        case "vlan" where peek(1).kind == .word && !peek(1).newlineBefore && ["push", "pop"].contains(peek(1).text):
            if let statement = parseVLANStatement() { rule.statements.append(statement) }
        case "forward", "accept", "drop", "reflect", "reject":
            rule.verdict = parseVerdict()
            parseTrailingComment(into: &rule)
        case "pass":
            fail(
                .unknownKeyword, "unknown statement 'pass'; the verdicts are forward (or accept), drop and reflect",
                at: token)
            skipRestOfStatement(atStart: true)
        case "counter":
            parseCounter(into: &rule)
        case "add" where peek(1).kind == .setReference, "update" where peek(1).kind == .setReference:
            if let statement = parseSetUpdate() { rule.statements.append(statement) }
        case "iif" where peek(1).isWord("vmap"), "iifname" where peek(1).isWord("vmap"),
            "oifname" where peek(1).isWord("vmap"):
            rule.control = parseVerdictMap().map { .vmap($0) }
            parseTrailingComment(into: &rule)
        case "jump", "goto", "return":
            rule.control = parseJump()
            parseTrailingComment(into: &rule)
        default:
            if FieldNames.protocols.contains(token.text) {
                let nameWords = FieldNames.thirdWords[token.text + " " + peek(1).text] == nil ? 2 : 3
                if peek(nameWords).isWord("vmap") {
                    rule.control = parseVerdictMap().map { .vmap($0) }
                    parseTrailingComment(into: &rule)
                    return
                }
                if let statement = parseRewrite() { rule.statements.append(statement) }
                return
            }
            if let message = NftOnlyConstructs.statement(token.text) {
                sink.error(.notSupported, message, at: token)
                skipRestOfStatement(atStart: true)
                return
            }
            fail(
                .unknownKeyword,
                "unknown statement '\(token.text)'" + Suggestion.hint(for: token.text, among: Parser.ruleKeywords),
                at: token)
            skipRestOfStatement(atStart: true)
        }
    }

    /// `FIELD set VALUE`.
    private mutating func parseRewrite() -> SyntaxStatement? {
        let keyword = peek
        guard let field = parseField() else {
            skipRestOfStatement()
            return nil
        }
        guard peek.isWord("set"), !peek.newlineBefore else {
            if peek.isWord("."), !peek.newlineBefore {
                sink.error(
                    .notSupported,
                    "concatenations ('\(field.field.rawValue) . ...') are not supported yet; match each field on its "
                        + "own, or write one rule per combination",
                    at: field.location, length: field.length)
                skipRestOfStatement()
                return nil
            }
            sink.error(
                .unexpectedToken,
                "expected 'set' after '\(field.field.rawValue)'; matches go on the rule's 'match' line",
                at: field.location, length: field.length)
            skipRestOfStatement()
            return nil
        }
        let setWord = advance()
        if field.field == .tcpMSS, peek.isWord("rt"), !peek.newlineBefore {
            return parseRouteMTU(keyword: keyword)
        }
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected a value after '\(field.field.rawValue) set'", at: setWord)
            skipRestOfStatement()
            return nil
        }
        guard let value = parseValue(allowSets: false, after: "'\(field.field.rawValue) set'") else { return nil }
        endStatement(after: "the rewrite")
        return SyntaxStatement(kind: .set(field, value), keyword: keyword)
    }

    /// `vlan push ID` and `vlan pop`.
    private mutating func parseVLANStatement() -> SyntaxStatement? {
        let keyword = advance()
        let verb = advance()
        if verb.text == "pop" {
            endStatement(after: "'vlan pop'")
            return SyntaxStatement(kind: .vlanPop, keyword: keyword)
        }
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected a VLAN id after 'vlan push'", at: verb)
            skipRestOfStatement()
            return nil
        }
        guard let value = parseValue(allowSets: false, after: "'vlan push'") else { return nil }
        endStatement(after: "'vlan push'")
        return SyntaxStatement(kind: .vlanPush(value), keyword: keyword)
    }

    /// `log [prefix "P"]`, `pcap "FILE"`, `mirror "IF"`.
    private mutating func parseInspection() -> SyntaxStatement? {
        let keyword = advance()
        switch keyword.text {
        case "log":
            return parseLog(keyword)
        case "pcap":
            guard let file = expectString("a quoted file name", after: keyword, allowDefine: true) else { return nil }
            endStatement(after: "'pcap'")
            return SyntaxStatement(kind: .pcap(file), keyword: keyword)
        default:
            guard let interface = expectString("a quoted interface name", after: keyword, allowDefine: true) else {
                return nil
            }
            endStatement(after: "'mirror'")
            return SyntaxStatement(kind: .mirror(interface), keyword: keyword)
        }
    }

    /// `forward|drop|reflect [forward] [delay D] [jitter J] [retries N]`. Options are parsed for
    /// every verdict; the checker reports those a verdict does not take.
    mutating func parseVerdict() -> SyntaxVerdict {
        let keyword = advance()
        var kind = keyword.text == "accept" ? .forward : VerdictKind(rawValue: keyword.text) ?? .drop
        if kind == .reflect && !atStatementEnd && peek.isWord("forward") {
            advance()
            kind = .reflectForward
        }
        var options: [SyntaxOption] = []
        if kind == .reject {
            var verdict = SyntaxVerdict(kind: kind, keyword: keyword, options: [])
            if !atStatementEnd && peek.isWord("with") {
                verdict.withKeyword = advance()
                while !atStatementEnd && peek.kind == .word && !peek.isWord("comment") {
                    verdict.rejectWith.append(advance())
                }
            }
            if !atStatementEnd && !peek.isWord("comment") {
                fail(
                    .invalidOption,
                    "unexpected \(peek.quoted) after 'reject'; write reject, reject with tcp reset, "
                        + "or reject with icmp|icmpv6|icmpx type NAME",
                    at: peek)
                skipRestOfStatement()
            }
            if !peek.isWord("comment") { endStatement(after: "the verdict") }
            return verdict
        }
        while !atStatementEnd && !peek.isWord("comment") {
            let token = peek
            guard token.kind == .word, let name = SyntaxOption.Name(rawValue: token.text) else {
                fail(
                    .invalidOption,
                    "unknown verdict option \(token.quoted) after '\(keyword.text)'; the options are delay, jitter "
                        + "and retries, which forward and reflect forward take"
                        + Suggestion.hint(for: token.text, among: SyntaxOption.Name.allCases.map(\.rawValue)),
                    at: token)
                skipRestOfStatement()
                break
            }
            advance()
            guard let option = parseOptionValue(name: name, nameToken: token) else { break }
            options.append(option)
        }
        if !peek.isWord("comment") { endStatement(after: "the verdict") }
        return SyntaxVerdict(kind: kind, keyword: keyword, options: options)
    }
}
