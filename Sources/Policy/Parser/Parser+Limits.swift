/// `limit` and `quota` terms on a match line. Their words are checked by the resolver; the
/// parser only finds where each part is.
extension Parser {
    /// Words that end a `limit` or `quota` term and start the next term on the line.
    private var nextTermStarts: Bool {
        atStatementEnd || peek.kind != .word || peek.text == "limit" || peek.text == "quota" || peek.text == "bpf"
            || FieldNames.protocols.contains(peek.text)
    }

    /// `limit rate [over] RATE [burst N UNIT] [per FIELD [. FIELD ...]]`.
    mutating func parseLimit() -> SyntaxLimit? {
        let keyword = advance()
        guard !atStatementEnd, peek.isWord("rate") else {
            fail(
                .unexpectedToken, "expected 'rate' after 'limit', as in limit rate 10/second",
                at: atStatementEnd ? keyword : peek)
            skipRestOfStatement()
            return nil
        }
        let rateWord = advance()
        var limit = SyntaxLimit(keyword: keyword, over: false, rate: [], burst: [], burstKeyword: nil, per: [])
        if !atStatementEnd && peek.isWord("over") {
            advance()
            limit.over = true
        }
        guard !atStatementEnd, peek.kind == .word else {
            fail(
                .unexpectedToken, "expected a rate after 'limit rate', as in 10/second",
                at: peek.newlineBefore || atStatementEnd ? rateWord : peek)
            skipRestOfStatement()
            return nil
        }
        limit.rate.append(advance())
        // `10 mbytes/second`: the unit is a word of its own.
        if !atStatementEnd, peek.kind == .word, peek.text.contains("/"), !limit.rate[0].text.contains("/") {
            limit.rate.append(advance())
        }
        if !atStatementEnd && peek.isWord("burst") {
            let burst = advance()
            limit.burstKeyword = burst
            while limit.burst.count < 2 && !atStatementEnd && peek.kind == .word && !peek.isWord("per") {
                limit.burst.append(advance())
            }
            if limit.burst.isEmpty {
                sink.error(.unexpectedToken, "expected a number after 'burst', as in burst 5 packets", at: burst)
                skipRestOfStatement()
                return nil
            }
        }
        if !atStatementEnd && peek.isWord("per") {
            let per = advance()
            repeat {
                guard !atStatementEnd, peek.kind == .word else {
                    sink.error(.unexpectedToken, "expected a field after 'per', as in per ip saddr", at: per)
                    skipRestOfStatement()
                    return nil
                }
                guard let field = parseField() else {
                    skipRestOfStatement()
                    return nil
                }
                limit.per.append(field)
                guard !atStatementEnd, peek.isWord(".") else { break }
                advance()
            } while true
        }
        return limit
    }

    /// `quota [over|until] N bytes|kbytes|mbytes|gbytes`.
    mutating func parseQuota() -> SyntaxQuota? {
        let keyword = advance()
        var over = false
        if !atStatementEnd && (peek.isWord("over") || peek.isWord("until")) {
            over = advance().text == "over"
        }
        guard !atStatementEnd, peek.kind == .word else {
            fail(
                .unexpectedToken, "expected an amount after 'quota', as in quota over 10 mbytes",
                at: atStatementEnd ? keyword : peek)
            skipRestOfStatement()
            return nil
        }
        let amount = advance()
        guard !nextTermStarts else {
            fail(
                .unexpectedToken, "expected a unit after the quota's amount: bytes, kbytes, mbytes or gbytes",
                at: amount)
            skipRestOfStatement()
            return nil
        }
        return SyntaxQuota(keyword: keyword, over: over, amount: amount, unit: advance())
    }
}
