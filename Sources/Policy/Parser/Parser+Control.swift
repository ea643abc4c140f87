/// What nft writes in a verdict's place or next to it: `jump NAME`, `goto NAME`, `return`,
/// `FIELD vmap { VALUE : VERDICT, ... }`, `counter`, and `comment "..."` after the verdict.
extension Parser {
    /// `comment "TEXT"` on the verdict's line (nft prints it last).
    mutating func parseTrailingComment(into rule: inout SyntaxRule) {
        guard peek.isWord("comment"), !peek.newlineBefore else { return }
        parseRuleItem(into: &rule)
    }

    /// `counter`, or `counter packets N bytes M` as `nft list ruleset` prints it (the numbers
    /// are ignored: every rule counts).
    mutating func parseCounter(into rule: inout SyntaxRule) {
        let keyword = advance()
        var words: [Token] = []
        while !atStatementEnd && peek.kind == .word { words.append(advance()) }
        let wellFormed =
            words.isEmpty
            || (words.count == 4 && words[0].text == "packets" && words[2].text == "bytes"
                && Self.isCount(words[1].text) && Self.isCount(words[3].text))
        if !wellFormed {
            sink.error(
                .unexpectedToken, "write 'counter' alone, or 'counter packets N bytes M' as nft prints it",
                at: words.first ?? keyword)
            skipRestOfStatement()
            return
        }
        rule.counters.append(keyword)
        endStatement(after: "'counter'")
    }

    private static func isCount(_ text: String) -> Bool {
        if case .value = LiteralParser.number(Substring(text)) { return true }
        return false
    }

    /// `jump NAME`, `goto NAME` or `return`.
    mutating func parseJump() -> SyntaxControl? {
        let keyword = advance()
        if keyword.text == "return" {
            if !peek.isWord("comment") { endStatement(after: "'return'") }
            return .return(keyword: keyword)
        }
        guard let chain = parseChainName(after: keyword) else { return nil }
        if !peek.isWord("comment") { endStatement(after: "'\(keyword.text) \(chain.text)'") }
        return keyword.text == "jump" ? .jump(keyword: keyword, chain: chain) : .goto(keyword: keyword, chain: chain)
    }

    /// A chain's name after `chain`, `jump` or `goto`: a bare word or a quoted string, on the
    /// same line.
    mutating func parseChainName(after keyword: Token) -> Token? {
        let token = peek
        if (token.kind == .word || token.kind == .string) && !token.newlineBefore {
            advance()
            return token
        }
        if atStatementEnd || token.kind == .openBrace {
            sink.error(.unexpectedToken, "expected a chain name after '\(keyword.text)'", at: keyword)
        } else {
            fail(.unexpectedToken, "expected a chain name after '\(keyword.text)', found \(token.quoted)", at: token)
        }
        skipRestOfStatement()
        return nil
    }

    /// `FIELD vmap { VALUE : VERDICT, ... }` or `FIELD vmap @NAME` (a `map` declared at the top
    /// level); line breaks inside the braces are free. The field may be one of nft's aliases
    /// (`iifname vmap { "lan0" : accept }`), whose names the checker resolves as on a match line.
    mutating func parseVerdictMap() -> SyntaxVerdictMap? {
        guard let field = parseField(allowAliases: true) else {
            skipRestOfStatement()
            return nil
        }
        let keyword = advance()
        if peek.kind == .setReference, !peek.newlineBefore {
            let reference = advance()
            if !peek.isWord("comment") { endStatement(after: "'vmap @\(reference.text)'") }
            return SyntaxVerdictMap(field: field, keyword: keyword, elements: [], reference: reference)
        }
        guard peek.kind == .openBrace, !peek.newlineBefore else {
            fail(.unexpectedToken, "expected '{' or '@NAME' after 'vmap', found \(peek.quoted)", at: peek)
            skipRestOfStatement()
            return nil
        }
        guard let elements = parseMapElements(open: advance()) else { return nil }
        if !peek.isWord("comment") { endStatement(after: "the verdict map") }
        return SyntaxVerdictMap(field: field, keyword: keyword, elements: elements)
    }

    /// The `VALUE : VERDICT, ...` of a verdict map, from after its `{` through its `}`; nil
    /// after reporting an error (the map skipped).
    mutating func parseMapElements(open: Token) -> [SyntaxMapElement]? {
        var elements: [SyntaxMapElement] = []
        while true {
            if peek.kind == .closeBrace {
                advance()
                break
            }
            if peek.kind == .comma && !elements.isEmpty {
                advance()
                continue
            }
            if peek.kind == .endOfFile || peek.kind == .semicolon {
                sink.error(.unexpectedToken, "the verdict map is missing its closing '}'", at: open)
                return nil
            }
            guard let element = parseMapElement() else {
                skipMapRest()
                return nil
            }
            elements.append(element)
            if peek.kind != .comma && peek.kind != .closeBrace {
                fail(
                    .unexpectedToken, "expected ',' or '}' after a verdict map element, found \(peek.quoted)", at: peek)
                skipMapRest()
                return nil
            }
        }
        if elements.isEmpty {
            sink.error(.unexpectedToken, "a verdict map needs at least one 'VALUE : VERDICT' element", at: open)
            return nil
        }
        return elements
    }

    /// `VALUE : VERDICT` (the colon may be written against the value, as in `22: accept`).
    private mutating func parseMapElement() -> SyntaxMapElement? {
        var value: ValueExpression
        let token = peek
        if token.kind == .word, token.text.count > 1, token.text.hasSuffix(":"), !token.text.hasSuffix("::") {
            advance()
            var trimmed = token
            trimmed.text = String(token.text.dropLast())
            trimmed.length -= 1
            value = .literal(trimmed)
        } else {
            guard token.kind == .word || token.kind == .define || token.kind == .string else {
                fail(.unexpectedToken, "expected a value in the verdict map, found \(token.quoted)", at: token)
                return nil
            }
            guard let parsed = parseValue(allowSets: false, after: "'vmap {'") else { return nil }
            value = parsed
            guard peek.isWord(":") else {
                fail(
                    .unexpectedToken, "expected ':' after \(value.text) in the verdict map, found \(peek.quoted)",
                    at: peek)
                return nil
            }
            advance()
        }
        let target = peek
        guard target.kind == .word else {
            fail(.unexpectedToken, "expected a verdict after ':', found \(target.quoted)", at: target)
            return nil
        }
        switch target.text {
        case "accept", "forward", "drop", "reflect", "reject":
            return SyntaxMapElement(value: value, target: .verdict(parseMapVerdict()))
        case "jump", "goto":
            let keyword = advance()
            guard let chain = parseChainName(after: keyword) else { return nil }
            let control: SyntaxControl =
                keyword.text == "jump" ? .jump(keyword: keyword, chain: chain) : .goto(keyword: keyword, chain: chain)
            return SyntaxMapElement(value: value, target: .control(control))
        case "return":
            return SyntaxMapElement(value: value, target: .control(.return(keyword: advance())))
        default:
            fail(
                .unknownKeyword,
                "unknown verdict '\(target.text)' in the verdict map; use accept, forward, drop, reflect, reject, "
                    + "jump, goto or return",
                at: target)
            return nil
        }
    }

    /// A verdict inside a map: its words run up to the next `,` or `}`, so options are parsed
    /// here rather than by the statement-level ``parseVerdict()``.
    private mutating func parseMapVerdict() -> SyntaxVerdict {
        let keyword = advance()
        var kind = keyword.text == "accept" ? .forward : VerdictKind(rawValue: keyword.text) ?? .drop
        if kind == .reflect && peek.isWord("forward") {
            advance()
            kind = .reflectForward
        }
        var verdict = SyntaxVerdict(kind: kind, keyword: keyword, options: [])
        if kind == .reject && peek.isWord("with") {
            verdict.withKeyword = advance()
            while peek.kind == .word { verdict.rejectWith.append(advance()) }
            return verdict
        }
        while peek.kind == .word, let name = SyntaxOption.Name(rawValue: peek.text) {
            let nameToken = advance()
            guard peek.kind == .word || peek.kind == .define,
                let value = parseValue(allowSets: false, after: "'\(nameToken.text)'")
            else { break }
            verdict.options.append(SyntaxOption(name: name, nameToken: nameToken, value: value))
        }
        return verdict
    }

    /// After an error inside a verdict map: skips to its closing `}`.
    private mutating func skipMapRest() {
        while peek.kind != .endOfFile && peek.kind != .closeBrace { advance() }
        if peek.kind == .closeBrace { advance() }
    }
}
