/// `test "NAME" { packet FIELD VALUE ...; expect VERDICT [by "RULE" | by default] [with FIELD VALUE ...] }`.
extension Parser {
    mutating func parseTest() -> SyntaxItem? {
        let keyword = advance()
        let errorsBefore = sink.errorCount
        guard let nameToken = parseBlockName(after: keyword),
            let open = expectOpenBrace(after: "the test name", fallback: nameToken)
        else { return nil }
        var test = SyntaxTest(keyword: keyword, name: nameToken.text, nameToken: nameToken)
        while true {
            let token = peek
            if token.kind == .closeBrace {
                advance()
                break
            }
            if token.kind == .semicolon {
                advance()
                continue
            }
            if blockEndsUnclosed(open: open, what: "test \"\(test.name)\"") { break }
            switch token.kind == .word ? token.text : "" {
            case "packet":
                advance()
                if test.packetKeyword != nil {
                    sink.error(.unexpectedToken, "a test has one packet line; put all its fields on it", at: token)
                    skipRestOfStatement()
                    continue
                }
                test.packetKeyword = token
                test.packet = parseFieldValues(after: "'packet'") ?? []
            case "expect":
                advance()
                if test.expectation != nil {
                    sink.error(.unexpectedToken, "a test has one expect line", at: token)
                    skipRestOfStatement()
                    continue
                }
                test.expectation = parseExpectation(keyword: token)
            default:
                fail(
                    .unknownKeyword,
                    "expected 'packet' or 'expect' in a test, found \(token.quoted)"
                        + (token.kind == .word ? Suggestion.hint(for: token.text, among: ["packet", "expect"]) : ""),
                    at: token)
                skipRestOfStatement(atStart: true)
            }
        }
        test.hadError = sink.errorCount > errorsBefore
        return .test(test)
    }

    /// `FIELD VALUE ...` up to the end of the line.
    private mutating func parseFieldValues(after what: String) -> [SyntaxFieldValue]? {
        var values: [SyntaxFieldValue] = []
        while !atStatementEnd {
            let token = peek
            guard token.kind == .word else {
                fail(.unexpectedToken, "expected a field name after \(what), found \(token.quoted)", at: token)
                skipRestOfStatement()
                return nil
            }
            if token.text == "bpf" {
                fail(.unexpectedToken, "a test frame is described by fields, not bpf", at: token)
                skipRestOfStatement()
                return nil
            }
            guard let field = parseField() else {
                skipRestOfStatement()
                return nil
            }
            if atStatementEnd {
                sink.error(
                    .unexpectedToken, "expected a value after '\(field.field.rawValue)'", at: field.location,
                    length: field.length)
                skipRestOfStatement()
                return nil
            }
            if peek.kind == .equal || peek.kind == .notEqual {
                fail(.unexpectedToken, "write '\(field.field.rawValue) VALUE' without an operator", at: peek)
                skipRestOfStatement()
                return nil
            }
            guard let value = parseValue(allowSets: false, after: "'\(field.field.rawValue)'") else { return nil }
            values.append(SyntaxFieldValue(field: field, value: value))
        }
        endStatement(after: what)
        return values
    }

    private mutating func parseExpectation(keyword: Token) -> SyntaxExpectation? {
        let token = peek
        guard token.kind == .word, !atStatementEnd, var verdict = VerdictKind(rawValue: token.text) else {
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected forward, drop or reflect after 'expect'", at: keyword)
            } else {
                fail(
                    .unexpectedToken, "expected forward, drop or reflect after 'expect', found \(token.quoted)",
                    at: token)
            }
            skipRestOfStatement()
            return nil
        }
        advance()
        if verdict == .reflect && !atStatementEnd && peek.isWord("forward") {
            advance()
            verdict = .reflectForward
        }
        var expectation = SyntaxExpectation(
            keyword: keyword, verdict: verdict, rule: nil, byDefault: false, fields: [])
        if !atStatementEnd && peek.isWord("by") {
            let by = advance()
            if !atStatementEnd && peek.isWord("default") {
                advance()
                expectation.byDefault = true
            } else {
                guard let rule = expectString("a quoted rule name or 'default'", after: by) else { return nil }
                expectation.rule = rule
            }
        }
        if !atStatementEnd && peek.isWord("with") {
            let with = advance()
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected a field and value after 'with'", at: with)
                skipRestOfStatement()
                return nil
            }
            guard let fields = parseFieldValues(after: "'with'") else { return nil }
            expectation.fields = fields
            return expectation
        }
        if !atStatementEnd {
            fail(.unexpectedToken, "expected 'by' or 'with' after the expected verdict, found \(peek.quoted)", at: peek)
            skipRestOfStatement()
            return nil
        }
        endStatement(after: "the expectation")
        return expectation
    }
}
