/// `log [prefix "P"] [level LEVEL] [flags FLAGS]`, in any order, as nft writes it.
extension Parser {
    mutating func parseLog(_ keyword: Token) -> SyntaxStatement? {
        var prefix: Token?
        var level: Token?
        var seen: Set<String> = []
        while !atStatementEnd && peek.kind == .word && !peek.isWord("comment") {
            let option = peek
            guard ["prefix", "level", "flags"].contains(option.text) else {
                let hint =
                    ["group", "snaplen", "queue-threshold"].contains(option.text)
                    ? "; Bridgekeeper writes log lines to its own log, there is no NFLOG group" : ""
                fail(
                    .unexpectedToken,
                    "unknown log option '\(option.text)'; log takes prefix \"TEXT\", level LEVEL and flags FLAGS"
                        + hint,
                    at: option)
                skipRestOfStatement()
                return nil
            }
            advance()
            if !seen.insert(option.text).inserted {
                fail(.invalidOption, "'\(option.text)' is given twice in this log statement", at: option)
                skipRestOfStatement()
                return nil
            }
            switch option.text {
            case "prefix":
                guard let text = expectString("a quoted prefix", after: option, allowDefine: true) else { return nil }
                prefix = text
            case "level":
                guard !atStatementEnd, peek.kind == .word, LogLevel(rawValue: peek.text) != nil else {
                    let found = atStatementEnd ? option : peek
                    fail(
                        .invalidValue,
                        "expected a log level after 'level': "
                            + LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                            + (peek.isWord("audit") ? " (audit records go to the kernel's audit log, not here)" : ""),
                        at: found)
                    skipRestOfStatement()
                    return nil
                }
                level = advance()
            default:
                guard parseLogFlags(after: option) else { return nil }
            }
        }
        endStatement(after: "'log'")
        return SyntaxStatement(kind: .log(prefix: prefix, level: level), keyword: keyword)
    }

    /// `all`, `ether`, `skuid`, `tcp sequence[,options]`, `ip options`, several joined by `,`.
    private mutating func parseLogFlags(after option: Token) -> Bool {
        let usage = "log flags are all, ether, skuid, tcp sequence, tcp options and ip options"
        repeat {
            if peek.kind == .comma { advance() }
            let token = peek
            guard !atStatementEnd, token.kind == .word, let flag = LogFlag(rawValue: token.text) else {
                fail(
                    .invalidValue, "expected a log flag after '\(option.text)'; \(usage)",
                    at: atStatementEnd ? option : token)
                skipRestOfStatement()
                return false
            }
            advance()
            if flag == .tcp || flag == .ip {
                let allowed = flag == .tcp ? ["sequence", "options"] : ["options"]
                repeat {
                    if peek.kind == .comma { advance() }
                    guard !atStatementEnd, peek.kind == .word, allowed.contains(peek.text) else {
                        fail(
                            .invalidValue,
                            "expected \(allowed.joined(separator: " or ")) after '\(token.text)'; \(usage)",
                            at: atStatementEnd ? token : peek)
                        skipRestOfStatement()
                        return false
                    }
                    advance()
                } while peek.kind == .comma && !peek.newlineBefore && allowed.contains(peek(1).text)
            }
        } while peek.kind == .comma && !peek.newlineBefore
        return true
    }
}
