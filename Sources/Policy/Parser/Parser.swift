/// Turns the tokens of one file into ``SyntaxItem``s. Reports syntax errors to the sink and
/// recovers at the next statement, so one file can show several independent errors.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    let sink: DiagnosticSink
    /// The main file must start with `version`; included files may.
    let isMainFile: Bool
    let path: String
    /// On a match line: after an error, skip to the next term rather than the end of the line,
    /// so each term's problem is reported.
    var recoverAtTerms = false

    /// Words that start a top-level statement; seeing one at the start of a line inside a block
    /// means the block's `}` is missing.
    static let topLevelKeywords = [
        "version", "include", "define", "set", "map", "default", "defaults", "rule", "chain", "test",
    ]

    init(tokens: [Token], path: String, isMainFile: Bool, sink: DiagnosticSink) {
        self.tokens = tokens
        self.path = path
        self.isMainFile = isMainFile
        self.sink = sink
    }

    /// Lexes and parses `text`.
    static func parse(text: String, path: String, isMainFile: Bool, sink: DiagnosticSink) -> [SyntaxItem] {
        let tokens = Lexer.tokens(of: text, path: path)
        var parser = Parser(tokens: tokens, path: path, isMainFile: isMainFile, sink: sink)
        return parser.parseFile()
    }

    // MARK: Token stream

    var peek: Token { tokens[index] }

    func peek(_ ahead: Int) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// The current statement ends before the next token: `;`, `}`, the end of the file, or a
    /// token on a new line.
    var atStatementEnd: Bool {
        let token = peek
        return token.kind == .semicolon || token.kind == .closeBrace || token.kind == .endOfFile
            || token.newlineBefore
    }

    /// Reports an error at `token`; for a token the lexer found invalid, the lexer's own error.
    mutating func fail(_ code: DiagnosticCode, _ message: String, at token: Token) {
        if let problem = token.problem {
            sink.error(problem.code, problem.message, at: token)
        } else {
            sink.error(code, message, at: token)
        }
    }

    /// Skips the rest of the current statement: up to a `;` (consumed), a `}` closing the
    /// enclosing block, the end of the file, or the first token on a new line. A `{` inside is
    /// skipped with its whole block. With `atStart`, the current token belongs to the statement
    /// even when it starts a line.
    mutating func skipRestOfStatement(atStart: Bool = false) {
        if recoverAtTerms {
            skipToNextTerm()
            return
        }
        var consumedAny = !atStart
        while true {
            let token = peek
            switch token.kind {
            case .endOfFile, .closeBrace:
                return
            case .semicolon:
                advance()
                return
            default:
                if consumedAny && token.newlineBefore { return }
                if token.kind == .openBrace { skipBlock() } else { advance() }
                consumedAny = true
            }
        }
    }

    /// Skips from a `{` to its matching `}` (both consumed) or to the end of the file.
    mutating func skipBlock() {
        var depth = 0
        while peek.kind != .endOfFile {
            let token = advance()
            if token.kind == .openBrace { depth += 1 }
            if token.kind == .closeBrace {
                depth -= 1
                if depth <= 0 { return }
            }
        }
    }

    /// After a complete statement: consumes a `;`, or checks that the statement ended at a line
    /// break, `}` or the end of the file.
    mutating func endStatement(after what: String) {
        let token = peek
        if token.kind == .semicolon {
            advance()
            return
        }
        if atStatementEnd { return }
        fail(
            .unexpectedToken, "unexpected \(token.quoted) after \(what); statements end at a newline or ';'", at: token)
        skipRestOfStatement()
    }

    /// A quoted string on the same line, or an error naming what was expected. With
    /// `allowDefine`, a `$define` (holding a string, which the resolver checks) stands for it.
    mutating func expectString(_ what: String, after keyword: Token, allowDefine: Bool = false) -> Token? {
        let token = peek
        if token.kind == .string && !token.newlineBefore { return advance() }
        if allowDefine && token.kind == .define && !token.newlineBefore { return advance() }
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected \(what) after '\(keyword.text)'", at: keyword)
        } else {
            fail(.unexpectedToken, "expected \(what) after '\(keyword.text)', found \(token.quoted)", at: token)
        }
        skipRestOfStatement()
        return nil
    }

    /// `==` (or nothing, or nft's `eq`) gives false, `!=` (or `ne`) gives true.
    mutating func parseOperator() -> Bool {
        switch peek.kind {
        case .equal:
            advance()
            return false
        case .notEqual:
            advance()
            return true
        case .word where !peek.newlineBefore && (peek.text == "eq" || peek.text == "ne"):
            // nft's words for == and !=.
            return advance().text == "ne"
        default:
            return false
        }
    }
}
