/// `test` blocks: the frame and the expectation. Running them is the loader's job.
extension Resolver {
    mutating func resolveTest(_ syntax: SyntaxTest) -> TestBlock? {
        let errorsBefore = sink.errorCount
        guard let packetKeyword = syntax.packetKeyword else {
            if !syntax.hadError {
                sink.error(
                    .missingPacket, "test \"\(syntax.name)\" has no 'packet' line describing its frame",
                    at: syntax.keyword)
            }
            return nil
        }
        guard let expectation = syntax.expectation else {
            if !syntax.hadError {
                sink.error(
                    .missingExpect, "test \"\(syntax.name)\" has no 'expect' line", at: syntax.keyword)
            }
            return nil
        }
        var iif = PortName.a
        var packetFields: [FieldValue] = []
        for value in fieldValues(syntax.packet, in: "this packet") {
            if value.field == .iif {
                iif = PortName(rawValue: Int(value.value)) ?? .a
            } else {
                packetFields.append(value)
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
        guard sink.errorCount == errorsBefore, !syntax.hadError else { return nil }
        return TestBlock(
            name: syntax.name,
            packet: TestPacket(iif: iif, fields: packetFields, location: packetKeyword.location),
            expectation: Expectation(
                verdict: expectation.verdict, rule: expectation.rule?.text, byDefault: expectation.byDefault,
                fields: expectedFields, location: expectation.keyword.location),
            location: syntax.keyword.location)
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
