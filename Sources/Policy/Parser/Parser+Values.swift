/// Values and field names.
extension Parser {
    /// A value: a word (or words joined by `|`), a quoted name, `$define`, and with `allowSets` also `@set` and
    /// `{ ... }`. `after` names what came before, for messages.
    mutating func parseValue(allowSets: Bool, after: String) -> ValueExpression? {
        let token = peek
        switch token.kind {
        case .word:
            guard let first = parseWordValue() else { return nil }
            guard allowSets, peek.kind == .comma, !peek.newlineBefore else { return first }
            return parseCommaList(startingWith: first, at: token)
        case .string:
            // A quoted interface name (`iifname "lan0"`); the checker refuses quotes elsewhere.
            advance()
            return .literal(token)
        case .define:
            advance()
            return .define(token)
        case .setReference where allowSets:
            advance()
            return .setReference(token)
        case .openBrace where allowSets:
            return parseAnonymousSet()
        case .setReference, .openBrace:
            fail(.invalidValue, "\(after) takes a single value, not a set", at: token)
            skipRestOfStatement()
            return nil
        default:
            fail(.unexpectedToken, "expected a value after \(after), found \(token.quoted)", at: token)
            skipRestOfStatement()
            return nil
        }
    }

    /// nft's `established,related`: values joined by commas without braces, one anonymous set.
    private mutating func parseCommaList(startingWith first: ValueExpression, at start: Token) -> ValueExpression? {
        var elements = [first]
        while peek.kind == .comma && !peek.newlineBefore {
            let comma = advance()
            guard peek.kind == .word, !peek.newlineBefore else {
                fail(.unexpectedToken, "expected a value after ','", at: peek.newlineBefore ? comma : peek)
                skipRestOfStatement()
                return nil
            }
            guard let next = parseWordValue() else { return nil }
            elements.append(next)
        }
        return .anonymousSet(elements, open: start)
    }

    /// `word` or `word|word|...`.
    private mutating func parseWordValue() -> ValueExpression? {
        var words = [advance()]
        while peek.kind == .pipe && !peek.newlineBefore {
            let pipe = advance()
            guard peek.kind == .word, !peek.newlineBefore else {
                fail(.unexpectedToken, "expected a value after '|'", at: peek.newlineBefore ? pipe : peek)
                skipRestOfStatement()
                return nil
            }
            words.append(advance())
        }
        return words.count == 1 ? .literal(words[0]) : .flags(words)
    }

    /// `{ a, b-c, $d }`: commas between elements, line breaks allowed, a trailing comma allowed.
    mutating func parseAnonymousSet() -> ValueExpression? {
        let open = advance()
        var elements: [ValueExpression] = []
        var expectElement = true
        while true {
            let token = peek
            switch token.kind {
            case .closeBrace:
                advance()
                return .anonymousSet(elements, open: open)
            case .endOfFile:
                sink.error(.unexpectedToken, "this '{' is missing its closing '}'", at: open)
                return nil
            case .comma where !expectElement:
                advance()
                expectElement = true
            case .word where !expectElement && token.text == "." && !elements.isEmpty:
                guard let joined = parseTupleRest(startingWith: elements.removeLast()) else {
                    skipSetRest()
                    return nil
                }
                elements.append(joined)
            case .word where expectElement && token.text != ".":
                guard let value = parseWordValue() else { return nil }
                elements.append(value)
                expectElement = false
            case .define where expectElement, .string where expectElement:
                advance()
                elements.append(token.kind == .string ? .literal(token) : .define(token))
                expectElement = false
            case .setReference:
                fail(
                    .invalidValue, "a set cannot contain another set (\(token.quoted)); a $define holding a set can",
                    at: token)
                skipSetRest()
                return nil
            case .openBrace:
                fail(.invalidValue, "sets cannot be nested", at: token)
                skipSetRest()
                return nil
            default:
                let wanted = expectElement ? "a set element" : "',' or '}'"
                fail(.unexpectedToken, "expected \(wanted), found \(token.quoted)", at: token)
                skipSetRest()
                return nil
            }
        }
    }

    /// `a . b . c` after its first part: one value of a concatenation, a part per field (a
    /// single part is returned as it is). Nil after reporting an error; the caller skips on.
    mutating func parseTupleRest(startingWith first: ValueExpression) -> ValueExpression? {
        var parts = [first]
        while peek.isWord(".") && !peek.newlineBefore {
            let dot = advance()
            let token = peek
            guard !token.newlineBefore else {
                fail(.unexpectedToken, "expected a value after '.'", at: dot)
                return nil
            }
            switch token.kind {
            case .word where token.text != ".":
                guard let part = parseWordValue() else { return nil }
                parts.append(part)
            case .define:
                advance()
                parts.append(.define(token))
            case .string:
                advance()
                parts.append(.literal(token))
            default:
                fail(.unexpectedToken, "expected a value after '.', found \(token.quoted)", at: token)
                return nil
            }
        }
        return parts.count == 1 ? parts[0] : .tuple(parts)
    }

    /// After an error inside `{ ... }`: skip to its `}`, then to the end of the statement.
    private mutating func skipSetRest() {
        var depth = 1
        while peek.kind != .endOfFile {
            let token = advance()
            if token.kind == .openBrace { depth += 1 }
            if token.kind == .closeBrace {
                depth -= 1
                if depth == 0 { break }
            }
        }
        skipRestOfStatement()
    }

    /// A field name (`iif`, `ip saddr`, ...) starting at the current word. With `allowAliases`
    /// (a match line) also nft's names the language states with another field (``FieldAlias``).
    mutating func parseField(allowAliases: Bool = false) -> SyntaxField? {
        let first = advance()
        if first.text == "iif" { return SyntaxField(field: .iif, first: first, last: first) }
        let second = peek
        if first.text == "tcp", second.isWord("option"), !second.newlineBefore {
            return parseTCPOptionField(tcp: first)
        }
        let twoWords = second.kind == .word && !second.newlineBefore ? first.text + " " + second.text : nil
        let aliasName =
            FieldAlias.byName[first.text] != nil
            ? first.text
            : twoWords.flatMap {
                FieldAlias.byName[$0] != nil ? $0 : nil
            }
        if let aliasName, let alias = FieldAlias.byName[aliasName] {
            let last = aliasName == first.text ? first : advance()
            guard allowAliases else {
                sink.error(
                    .unknownField,
                    "'\(aliasName)' is only for a rule's match line; here write \(alias.elsewhere)",
                    at: first.location, length: last.endColumn - first.location.column)
                return nil
            }
            return SyntaxField(field: alias.base, first: first, last: last, alias: alias)
        }
        guard FieldNames.protocols.contains(first.text) else {
            if let message = NftOnlyConstructs.field(first.text, nil) {
                sink.error(.notSupported, message, at: first)
                return nil
            }
            fail(
                .unknownField,
                "unknown field '\(first.text)'"
                    + Suggestion.hint(
                        for: first.text,
                        among: FieldNames.allNames + ["bpf", "iifname", "oifname"] + FieldNames.protocols.sorted()),
                at: first)
            return nil
        }
        guard second.kind == .word, !second.newlineBefore else {
            let members = FieldNames.members(of: first.text)
            fail(
                .unknownField,
                "'\(first.text)' needs a second word: "
                    + members.map { "\(first.text) \($0)" }.joined(separator: ", "),
                at: first)
            return nil
        }
        advance()
        let name = first.text + " " + second.text
        if let thirds = FieldNames.thirdWords[name] {
            return parseThirdWord(first: first, second: second, among: thirds)
        }
        guard let field = FieldNames.byName[name] else {
            if let message = NftOnlyConstructs.field(first.text, second.text) {
                sink.error(.notSupported, message, at: first.location, length: second.endColumn - first.location.column)
                return nil
            }
            let members = FieldNames.members(of: first.text)
            let hint = Suggestion.closest(to: name, among: FieldNames.allNames + FieldAlias.byName.keys.sorted()).map {
                "; did you mean '\($0)'?"
            }
            sink.error(
                .unknownField,
                "unknown field '\(name)'"
                    + (hint ?? "; \(first.text) fields are "
                        + members.map { "\(first.text) \($0)" }.joined(separator: ", ")),
                at: first.location, length: second.endColumn - first.location.column)
            return nil
        }
        return SyntaxField(field: field, first: first, last: second)
    }

    /// The third word of `arp saddr ip` and its kin; `first second` has been read.
    private mutating func parseThirdWord(first: Token, second: Token, among thirds: [String]) -> SyntaxField? {
        let name = first.text + " " + second.text
        let third = peek
        guard third.kind == .word, !third.newlineBefore, let field = FieldNames.byName[name + " " + third.text] else {
            sink.error(
                .unknownField,
                "'\(name)' needs a third word: " + thirds.map { "\(name) \($0)" }.joined(separator: ", "),
                at: first.location, length: second.endColumn - first.location.column)
            return nil
        }
        advance()
        return SyntaxField(field: field, first: first, last: third)
    }
}
