/// nft's masked comparisons on a match line: `tcp flags & (fin|syn|rst|ack) == syn`,
/// `tcp flags & (syn|ack) != 0`, and nft 1.0's `tcp flags syn / fin,syn,rst,ack`.
extension Parser {
    /// `FIELD & MASK ==|!= VALUE`, at the `&`. `MASK` is a value or `( ... )` around flags joined
    /// by `|` or `,`.
    mutating func parseMaskedTerm(_ field: SyntaxField) -> SyntaxMask? {
        let ampersand = advance()
        let mask: ValueExpression
        if peek.kind == .openParen && !peek.newlineBefore {
            let open = advance()
            guard let inner = parseMaskValue(after: "'('") else { return nil }
            guard peek.kind == .closeParen && !peek.newlineBefore else {
                fail(.unexpectedToken, "expected ')' to close the mask opened here", at: open)
                skipRestOfStatement()
                return nil
            }
            advance()
            mask = inner
        } else {
            guard let value = parseMaskValue(after: "'&'") else { return nil }
            mask = value
        }
        guard (peek.kind == .equal || peek.kind == .notEqual) && !peek.newlineBefore else {
            let found = atStatementEnd ? "nothing" : peek.quoted
            fail(
                .unexpectedToken,
                "expected '==' or '!=' after '\(field.name) & \(mask.text)', found \(found), as in "
                    + "\(field.name) & (syn|ack) == syn",
                at: atStatementEnd ? ampersand : peek)
            skipRestOfStatement()
            return nil
        }
        let negated = parseOperator()
        guard let value = parseMaskValue(after: "'\(field.name) & \(mask.text) \(negated ? "!=" : "==")'") else {
            return nil
        }
        return SyntaxMask(field: field, mask: mask, negated: negated, value: value)
    }

    /// nft 1.0's `FIELD [!=] VALUE / MASK`, at the `/`, after `VALUE` was read as an ordinary value.
    mutating func parseSlashMask(_ field: SyntaxField, negated: Bool, value: ValueExpression) -> SyntaxMask? {
        let slash = advance()
        guard let mask = parseMaskValue(after: "'/'") else { return nil }
        guard let bits = Self.flagWords(value) else {
            fail(.invalidValue, "the value before '/' is flags (syn or syn,ack), not \(value.text)", at: slash)
            return nil
        }
        return SyntaxMask(field: field, mask: mask, negated: negated, value: bits)
    }

    /// A mask or a masked value: a word, `a|b`, `a,b` (nft joins flags with either) or `$define`.
    private mutating func parseMaskValue(after: String) -> ValueExpression? {
        let token = peek
        guard !atStatementEnd, token.kind == .word || token.kind == .define else {
            fail(
                .unexpectedToken,
                "expected flags or a number after \(after), found \(atStatementEnd ? "nothing" : token.quoted)",
                at: token)
            skipRestOfStatement()
            return nil
        }
        guard let value = parseValue(allowSets: true, after: after) else { return nil }
        guard let flags = Self.flagWords(value) else {
            fail(.invalidValue, "\(value.text) is not flags: write them joined by '|' or ','", at: token)
            skipRestOfStatement()
            return nil
        }
        return flags
    }

    /// `a,b` (an anonymous set of words, as the comma list parses) as `a|b`; other values as they are.
    static func flagWords(_ value: ValueExpression) -> ValueExpression? {
        guard case .anonymousSet(let elements, _) = value else { return value }
        var tokens: [Token] = []
        for element in elements {
            switch element {
            case .literal(let token): tokens.append(token)
            case .flags(let words): tokens += words
            default: return nil
            }
        }
        return tokens.isEmpty ? nil : (tokens.count == 1 ? .literal(tokens[0]) : .flags(tokens))
    }
}
