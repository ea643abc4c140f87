/// `add @SET { FIELD [timeout T] }` and `update @SET { FIELD [timeout T] }` in a rule's body.
extension Parser {
    /// From `add` or `update`, with the `@SET` after it.
    mutating func parseSetUpdate() -> SyntaxStatement? {
        let verb = advance()
        let set = advance()
        guard peek.kind == .openBrace, !peek.newlineBefore else {
            fail(
                .unexpectedToken,
                "expected '{' after '\(verb.text) @\(set.text)', as in \(verb.text) @\(set.text) { ip saddr }",
                at: peek.newlineBefore ? set : peek)
            skipRestOfStatement()
            return nil
        }
        let open = advance()
        guard peek.kind == .word, !peek.newlineBefore, let field = parseField() else {
            if peek.kind != .word || peek.newlineBefore {
                fail(
                    .unexpectedToken, "expected the field whose value goes into @\(set.text), as in { ip saddr }",
                    at: peek.newlineBefore ? open : peek)
            }
            skipRestOfStatement()
            return nil
        }
        if peek.isWord("."), !peek.newlineBefore {
            sink.error(
                .notSupported,
                "concatenations ('\(field.field.rawValue) . ...') in a set's elements are not supported yet; "
                    + "add one field",
                at: peek)
            skipRestOfStatement()
            return nil
        }
        var timeout: Token?
        if peek.isWord("timeout"), !peek.newlineBefore {
            let keyword = advance()
            guard peek.kind == .word, !peek.newlineBefore else {
                fail(.unexpectedToken, "expected a duration after 'timeout', as in timeout 30s", at: keyword)
                skipRestOfStatement()
                return nil
            }
            timeout = advance()
        }
        guard peek.kind == .closeBrace, !peek.newlineBefore else {
            let hint =
                peek.kind == .word && ["counter", "limit", "expires"].contains(peek.text)
                ? "; '\(peek.text)' in a set element is not supported" : ""
            fail(
                .unexpectedToken,
                "expected '}' after the element of '\(verb.text) @\(set.text)', found \(peek.quoted)" + hint,
                at: peek.newlineBefore ? open : peek)
            skipRestOfStatement()
            return nil
        }
        advance()
        endStatement(after: "'\(verb.text) @\(set.text) { ... }'")
        return SyntaxStatement(kind: .setUpdate(verb: verb, set: set, field: field, timeout: timeout), keyword: verb)
    }
}
