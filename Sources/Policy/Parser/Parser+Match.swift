/// The `match` line. After an error in one term the parser skips to the next term (the next
/// field name, `bpf`, `limit` or `quota` on the line), so every term's problem is reported at
/// its own place.
extension Parser {
    /// The terms of a `match` line, up to the end of the line or `;`. After errors the terms
    /// that parsed are returned too, so the resolver reports their problems as well.
    mutating func parseMatchLine(keyword: Token) -> [SyntaxTerm]? {
        if atStatementEnd {
            sink.error(
                .unexpectedToken, "expected a match term after 'match' (terms go on the same line)", at: keyword)
            skipRestOfStatement()
            return nil
        }
        var terms: [SyntaxTerm] = []
        let outer = recoverAtTerms
        recoverAtTerms = true
        while !atStatementEnd {
            if peek.kind == .invalid {
                // The lexer's error; what follows on the line is likely part of the same mistake.
                fail(.unexpectedCharacter, "unexpected \(peek.quoted)", at: peek)
                recoverAtTerms = outer
                skipRestOfStatement()
                return terms
            }
            if let term = parseMatchTerm() { terms.append(term) }
        }
        recoverAtTerms = outer
        endStatement(after: "the match line")
        return terms
    }

    /// One term; nil after reporting an error and skipping to the next term. Always consumes a
    /// token.
    private mutating func parseMatchTerm() -> SyntaxTerm? {
        let token = peek
        guard token.kind == .word else {
            fail(.unexpectedToken, "expected a field name or 'bpf', found \(token.quoted)", at: token)
            if token.kind == .openBrace { skipBlock() } else { advance() }
            skipToNextTerm()
            return nil
        }
        switch token.text {
        case "bpf":
            advance()
            let negated = parseOperator()
            guard let expression = expectString("a quoted pcap-filter expression", after: token) else { return nil }
            return .bpf(keyword: token, negated: negated, expression: expression)
        case "limit":
            return parseLimit().map { .limit($0) }
        case "quota":
            return parseQuota().map { .quota($0) }
        default:
            break
        }
        guard let field = parseField(allowAliases: true) else {
            if peek.kind == .equal || peek.kind == .notEqual { advance() }
            skipTermValue()
            return nil
        }
        if peek.kind == .ampersand && !peek.newlineBefore {
            return parseMaskedTerm(field).map { .masked($0) }
        }
        if case .ordering(let ordering) = peek.kind, !peek.newlineBefore {
            return parseOrderedTerm(field, ordering).map { .ordered($0) }
        }
        if peek.kind == .word, !peek.newlineBefore, let ordering = Ordering.byWord[peek.text] {
            return parseOrderedTerm(field, ordering).map { .ordered($0) }
        }
        let negatedBeforeDot = parseOperator()
        if peek.isWord(".") && !atStatementEnd {
            return parseConcatenation(first: field, negatedBefore: negatedBeforeDot)
        }
        let negated = negatedBeforeDot
        if peek.isWord("vmap") && !atStatementEnd {
            sink.error(
                .unexpectedToken,
                "a verdict map takes the verdict's place: write '\(field.name) vmap { ... }' on a line of "
                    + "its own after the match line",
                at: peek)
            advance()
            skipTermValue()
            return nil
        }
        if atStatementEnd {
            sink.error(
                .unexpectedToken, "expected a value after '\(field.name)'", at: field.location,
                length: field.length)
            return nil
        }
        guard let value = parseValue(allowSets: true, after: "'\(field.name)'") else { return nil }
        if peek.isWord("/") && !peek.newlineBefore {
            return parseSlashMask(field, negated: negated, value: value).map { .masked($0) }
        }
        return .field(field, negated: negated, value: value)
    }

    /// `FIELD < VALUE` (or nft's `lt`, `gt`, `le`, `ge`): one value (a number or a name), checked
    /// against the field by the resolver.
    private mutating func parseOrderedTerm(_ field: SyntaxField, _ ordering: Ordering) -> SyntaxOrdering? {
        let operatorToken = advance()
        let written = "'\(field.name) \(operatorToken.text)'"
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected a value after \(written)", at: operatorToken)
            return nil
        }
        if peek.kind == .openBrace {
            fail(.unexpectedToken, "\(written) takes one value, not a set", at: peek)
            skipTermValue()
            return nil
        }
        guard let value = parseValue(allowSets: false, after: written) else { return nil }
        return SyntaxOrdering(field: field, ordering: ordering, operatorToken: operatorToken, value: value)
    }

    /// `FIELD . FIELD [. FIELD ...] [!=] VALUE` after its first field: the other fields, the
    /// operator and the value (`a . b`, a `{ ... }` of them, `@set` or `$define`).
    private mutating func parseConcatenation(first: SyntaxField, negatedBefore: Bool) -> SyntaxTerm? {
        var fields = [first]
        while peek.isWord(".") && !atStatementEnd {
            let dot = advance()
            guard !atStatementEnd, peek.kind == .word, !peek.isWord(".") else {
                fail(.unexpectedToken, "expected a field name after '.'", at: atStatementEnd ? dot : peek)
                skipToNextTerm()
                return nil
            }
            guard let field = parseField(allowAliases: true) else {
                skipTermValue()
                return nil
            }
            fields.append(field)
        }
        let name = fields.map(\.name).joined(separator: " . ")
        if negatedBefore {
            sink.error(
                .unexpectedToken, "the operator goes after the last field, as in \(name) != { ... }",
                at: first.location, length: first.length)
            skipTermValue()
            return nil
        }
        let negated = parseOperator()
        guard !atStatementEnd else {
            sink.error(
                .unexpectedToken, "expected a value after '\(name)', as in \(name) { a . b }",
                at: first.location, length: fields[fields.count - 1].last.endColumn - first.location.column)
            return nil
        }
        let value: ValueExpression
        if peek.kind == .openBrace || peek.kind == .setReference {
            guard let set = parseValue(allowSets: true, after: "'\(name)'") else { return nil }
            value = set
        } else {
            guard let part = parseValue(allowSets: false, after: "'\(name)'") else { return nil }
            guard let joined = parseTupleRest(startingWith: part) else {
                skipToNextTerm()
                return nil
            }
            value = joined
        }
        return .concatenation(fields, negated: negated, value: value)
    }

    /// Skips a value that cannot be used (its field was unknown): a word, `$x`, `@x` or a braced
    /// set, then anything else up to the next term.
    private mutating func skipTermValue() {
        if !atStatementEnd && !startsTerm {
            if peek.kind == .openBrace { skipBlock() } else { advance() }
        }
        skipToNextTerm()
    }

    /// Skips tokens (a `{ ... }` with its whole block) up to the end of the statement or the
    /// next token that starts a match term.
    mutating func skipToNextTerm() {
        while !atStatementEnd && !startsTerm {
            if peek.kind == .openBrace { skipBlock() } else { advance() }
        }
    }

    /// The current token starts a match term: `bpf`, `limit`, `quota`, `iif`, a field's first
    /// word followed by one of its second words, or a field nft has and the language does not.
    private var startsTerm: Bool {
        let token = peek
        guard token.kind == .word else { return false }
        switch token.text {
        case "bpf", "limit", "quota", "iif": return true
        default: break
        }
        if FieldAlias.byName[token.text] != nil { return true }
        if NftOnlyConstructs.words[token.text] != nil { return true }
        guard FieldNames.protocols.contains(token.text) else { return false }
        let next = peek(1)
        guard next.kind == .word, !next.newlineBefore else { return false }
        let name = token.text + " " + next.text
        return FieldNames.byName[name] != nil || FieldNames.thirdWords[name] != nil || FieldAlias.byName[name] != nil
            || NftOnlyConstructs.pairs[name] != nil
    }
}
