/// `test` blocks: the frame and the expectation. Running them is the loader's job.
extension Resolver {
    mutating func resolveTest(_ syntax: SyntaxTest) -> TestBlock? {
        let errorsBefore = sink.errorCount
        guard !syntax.steps.isEmpty else {
            if !syntax.hadError {
                sink.error(
                    .missingPacket, "test \"\(syntax.name)\" has no 'packet' line describing its frame",
                    at: syntax.keyword)
            }
            return nil
        }
        var steps: [TestStep] = []
        for step in syntax.steps {
            if let resolved = resolveStep(step, test: syntax) { steps.append(resolved) }
        }
        guard sink.errorCount == errorsBefore, !syntax.hadError, steps.count == syntax.steps.count else { return nil }
        return TestBlock(name: syntax.name, steps: steps, location: syntax.keyword.location)
    }

    /// Longest `wait` in a test: 30 days (longer than any flow timeout).
    static let maximumWait: UInt64 = 2_592_000_000_000_000

    private mutating func resolveStep(_ step: SyntaxTestStep, test: SyntaxTest) -> TestStep? {
        guard let expectation = step.expectation else {
            if !test.hadError {
                let what =
                    test.steps.count == 1
                    ? "test \"\(test.name)\" has no 'expect' line" : "this packet has no 'expect' line"
                sink.error(.missingExpect, what, at: test.steps.count == 1 ? test.keyword : step.packetKeyword)
            }
            return nil
        }
        var iif = PortName.a
        var packetFields: [FieldValue] = []
        for item in step.packet where item.field.field.isConnectionTracking {
            sink.error(
                .invalidValue,
                "a test packet's \(item.field.field.rawValue) comes from the flow table: send the packets that open "
                    + "the flow first, in the same test",
                at: item.field.location, length: item.field.length)
        }
        for value in fieldValues(step.packet.filter { !$0.field.field.isConnectionTracking }, in: "this packet") {
            if value.field == .iif {
                iif = PortName(rawValue: Int(value.value)) ?? .a
            } else {
                packetFields.append(value)
            }
        }
        var repeatCount = 1
        if let token = step.repeatCount {
            if let count = AmountText.number(token.text[...]), (1...100_000).contains(count) {
                repeatCount = Int(count)
            } else {
                sink.error(.valueOutOfRange, "repeat takes a count from 1 to 100000", at: token)
            }
        }
        var after: UInt64 = 0
        for wait in step.waits {
            switch DurationText.parseChecked(wait.text[...]) {
            case .success(let nanoseconds) where nanoseconds <= Resolver.maximumWait:
                after += nanoseconds
            case .success, .failure(.tooLarge):
                sink.error(.valueOutOfRange, "wait \(wait.text) is out of range (at most 30d)", at: wait)
            case .failure:
                sink.error(
                    .invalidValue, "'\(wait.text)' is not a duration; write it with a unit, as in 100ms, 31s or 2h",
                    at: wait)
            }
        }
        if let rule = expectation.rule, ruleNames[rule.text] == nil {
            sink.error(
                .unknownRule,
                "no rule named \"\(rule.text)\"" + Suggestion.hint(for: rule.text, among: ruleNames.keys.sorted()),
                at: rule)
        }
        for with in expectation.fields where with.field.field == .iif {
            sink.error(
                .invalidValue, "'with' checks header fields; the verdict already says where the frame goes",
                at: with.field.first)
        }
        let expectedFields = fieldValues(expectation.fields.filter { $0.field.field != .iif }, in: "'with'")
        var answer: AnswerExpectation?
        if let keyword = expectation.answerKeyword {
            if expectation.verdict != .reject {
                sink.error(.invalidValue, "only 'expect reject' has an answer to check", at: keyword)
            }
            for item in expectation.answerFields where item.field.field == .iif || item.field.field.isConnectionTracking
            {
                sink.error(
                    .invalidValue,
                    "an answer is checked by its header fields; it goes back out of the port the frame came in on",
                    at: item.field.location, length: item.field.length)
            }
            answer =
                expectation.answerNone
                ? AnswerExpectation.none
                : .fields(
                    fieldValues(
                        expectation.answerFields.filter {
                            $0.field.field != .iif && !$0.field.field.isConnectionTracking
                        }, in: "'answer'"))
        }
        return TestStep(
            packet: TestPacket(iif: iif, fields: packetFields, location: step.packetKeyword.location),
            expectation: Expectation(
                verdict: expectation.verdict, rule: expectation.rule?.text, byDefault: expectation.byDefault,
                fields: expectedFields, answer: answer, location: expectation.keyword.location),
            repeatCount: repeatCount, after: after)
    }

    /// Single values for `packet` and `with`; a field given twice is an error.
    private mutating func fieldValues(_ list: [SyntaxFieldValue], in what: String) -> [FieldValue] {
        var seen: Set<Field> = []
        var resolved: [FieldValue] = []
        for item in list {
            let field = item.field.field
            guard seen.insert(field).inserted else {
                sink.error(
                    .duplicateMatch, "'\(field.rawValue)' is given twice in \(what)", at: item.field.location,
                    length: item.field.length)
                continue
            }
            guard let value = values.single(item.value, for: field, what: "'\(field.rawValue)' in \(what)") else {
                continue
            }
            resolved.append(FieldValue(field: field, value: value, location: item.field.location))
        }
        return resolved
    }
}
