/// `test "NAME" { packet FIELD VALUE ...; expect VERDICT [by "RULE" | by default] [with FIELD VALUE ...] }`.
extension Parser {
    mutating func parseTest() -> SyntaxItem? {
        let keyword = advance()
        let errorsBefore = sink.errorCount
        guard let nameToken = parseBlockName(after: keyword),
            let open = expectOpenBrace(after: "the test name", fallback: nameToken)
        else { return nil }
        var test = SyntaxTest(keyword: keyword, name: nameToken.text, nameToken: nameToken)
        var waits: [Token] = []
        while nextBlockItem() {
            let token = peek
            if blockEndsUnclosed(open: open, what: "test \"\(test.name)\"") { break }
            switch token.kind == .word ? token.text : "" {
            case "packet":
                advance()
                if let last = test.steps.last, last.expectation == nil {
                    sink.error(
                        .missingExpect,
                        "the packet on line \(last.packetKeyword.location.line) has no 'expect' line before the next packet",
                        at: last.packetKeyword)
                }
                var step = SyntaxTestStep(packetKeyword: token, packet: [], waits: waits)
                waits = []
                step.packet = parseFieldValues(after: "'packet'", stoppingAt: "repeat") ?? []
                if !atStatementEnd && peek.isWord("repeat") {
                    let repeatWord = advance()
                    guard !atStatementEnd, peek.kind == .word else {
                        sink.error(.unexpectedToken, "expected a count after 'repeat'", at: repeatWord)
                        skipRestOfStatement()
                        continue
                    }
                    step.repeatCount = advance()
                    endStatement(after: "'repeat'")
                }
                test.steps.append(step)
            case "expect":
                advance()
                guard let last = test.steps.last else {
                    // Without any packet the test is reported as having none.
                    skipRestOfStatement()
                    continue
                }
                if last.expectation != nil {
                    sink.error(
                        .unexpectedToken,
                        "the packet on line \(last.packetKeyword.location.line) already has an 'expect' line",
                        at: token)
                    skipRestOfStatement()
                    continue
                }
                test.steps[test.steps.count - 1].expectation = parseExpectation(keyword: token)
            case "wait":
                advance()
                guard !atStatementEnd, peek.kind == .word else {
                    sink.error(.unexpectedToken, "expected a duration after 'wait', as in wait 2s", at: token)
                    skipRestOfStatement()
                    continue
                }
                waits.append(advance())
                endStatement(after: "'wait'")
            default:
                fail(
                    .unknownKeyword,
                    "expected 'packet', 'expect' or 'wait' in a test, found \(token.quoted)"
                        + (token.kind == .word
                            ? Suggestion.hint(for: token.text, among: ["packet", "expect", "wait"]) : ""),
                    at: token)
                skipRestOfStatement(atStart: true)
            }
        }
        if let wait = waits.first {
            sink.error(.unexpectedToken, "'wait' must come before a packet", at: wait)
        }
        test.hadError = sink.errorCount > errorsBefore
        return .test(test)
    }

    /// `FIELD VALUE ...` up to the end of the line (or the word `stop`).
    private mutating func parseFieldValues(after what: String, stoppingAt stop: String? = nil) -> [SyntaxFieldValue]? {
        var values: [SyntaxFieldValue] = []
        while !atStatementEnd {
            let token = peek
            if let stop, token.isWord(stop) { return values }
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
                sink.error(.unexpectedToken, "expected forward, drop, reflect or reject after 'expect'", at: keyword)
            } else {
                fail(
                    .unexpectedToken,
                    "expected forward, drop, reflect or reject after 'expect', found \(token.quoted)", at: token)
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
            guard let fields = parseFieldValues(after: "'with'", stoppingAt: "answer") else { return nil }
            expectation.fields = fields
            // The list ended the statement unless it stopped at `answer`.
            guard peek.isWord("answer") else { return expectation }
        }
        if !atStatementEnd && peek.isWord("answer") {
            let answer = advance()
            expectation.answerKeyword = answer
            if !atStatementEnd && peek.isWord("none") {
                advance()
                expectation.answerNone = true
            } else {
                if atStatementEnd {
                    sink.error(
                        .unexpectedToken, "expected 'none' or a field and value after 'answer'", at: answer)
                    skipRestOfStatement()
                    return nil
                }
                guard let fields = parseFieldValues(after: "'answer'") else { return nil }
                expectation.answerFields = fields
                return expectation
            }
        }
        if !atStatementEnd {
            fail(
                .unexpectedToken,
                "expected 'by', 'with' or 'answer' after the expected verdict, found \(peek.quoted)", at: peek)
            skipRestOfStatement()
            return nil
        }
        endStatement(after: "the expectation")
        return expectation
    }
}
