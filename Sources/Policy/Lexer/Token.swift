/// One lexical unit of a policy file.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A bare word: keywords, field names and every literal (numbers, addresses, prefixes,
        /// ranges, durations, named values). Lexed greedily over `[A-Za-z0-9_.:/-]`, so IPv6 and
        /// MAC literals stay whole.
        case word
        /// `"..."`; `text` holds the contents with escapes applied.
        case string
        /// `$NAME`; `text` holds the name.
        case define
        /// `@NAME`; `text` holds the name.
        case setReference
        case openBrace
        case closeBrace
        case comma
        case semicolon
        /// `=`
        case assign
        /// `==`
        case equal
        /// `!=`
        case notEqual
        /// `<`, `>`, `<=`, `>=` (nft's orderings on numbers: `tcp dport > 1023`)
        case ordering(Ordering)
        /// `|`
        case pipe
        /// `&` (nft's mask: `tcp flags & (syn|ack) == syn`)
        case ampersand
        /// `(` and `)` around a mask
        case openParen
        case closeParen
        case endOfFile
        /// Text the lexer already reported (an unterminated string, a stray character); the
        /// parser skips the statement holding it without a second message.
        case invalid
    }

    var kind: Kind
    var text: String
    var location: SourceLocation
    /// Bytes the token spans in its line, for the caret underline.
    var length: Int
    /// A line break (or comment) separates this token from the previous one.
    var newlineBefore: Bool
    /// For ``Kind/invalid``: what is wrong. The parser reports it when it reaches the token, so a
    /// statement already abandoned for an earlier error adds no second message.
    var problem: TokenProblem?

    /// The token's text as it would be quoted in a message.
    var quoted: String {
        switch kind {
        case .word: return "'\(text)'"
        case .string: return "\"\(text)\""
        case .define: return "'$\(text)'"
        case .setReference: return "'@\(text)'"
        case .openBrace: return "'{'"
        case .closeBrace: return "'}'"
        case .comma: return "','"
        case .semicolon: return "';'"
        case .assign: return "'='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .ordering(let ordering): return "'\(ordering.rawValue)'"
        case .pipe: return "'|'"
        case .ampersand: return "'&'"
        case .openParen: return "'('"
        case .closeParen: return "')'"
        case .endOfFile: return "the end of the file"
        case .invalid: return "'\(text)'"
        }
    }

    /// True for the word `keyword`.
    func isWord(_ keyword: String) -> Bool { kind == .word && text == keyword }

    /// The column just past the token.
    var endColumn: Int { location.column + length }
}

/// A lexical error carried by an invalid token.
struct TokenProblem: Sendable, Hashable {
    var code: DiagnosticCode
    var message: String
}
