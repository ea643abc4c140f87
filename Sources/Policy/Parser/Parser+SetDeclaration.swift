/// nft's set declaration: `set NAME { type T; flags F; timeout D; size N; elements = { ... };
/// comment "C" }`, one item per line or separated by `;`. The resolver checks the type.
extension Parser {
    static let setDeclarationKeywords = [
        "type", "typeof", "flags", "timeout", "size", "elements", "comment", "policy", "auto-merge",
    ]

    static let setFlags = ["interval", "constant", "timeout", "dynamic"]

    /// From the `{` after `set NAME`.
    mutating func parseSetDeclaration(keyword: Token, name: Token) -> SyntaxSet? {
        let open = advance()
        var declaration = SyntaxSetDeclaration(open: open)
        var elements: [ValueExpression] = []
        var elementsKeyword: Token?
        let errorsBefore = sink.errorCount
        while nextBlockItem() {
            let token = peek
            if blockEndsUnclosed(open: open, what: "set \(name.text)") { break }
            guard token.kind == .word, Parser.setDeclarationKeywords.contains(token.text) else {
                let hint =
                    token.kind == .word ? Suggestion.hint(for: token.text, among: Parser.setDeclarationKeywords) : ""
                let plain = hint.isEmpty ? "; a set of values is written set \(name.text) = { ... }" : ""
                fail(
                    .unknownKeyword,
                    "unknown set item \(token.quoted); a set declaration takes type, typeof, flags, timeout, size, "
                        + "elements and comment" + hint + plain,
                    at: token)
                // What follows is likely more of the same: skip the rest of the block.
                skipToBlockEnd()
                break
            }
            advance()
            switch token.text {
            case "type":
                declaration.typeKeyword = token
                while !atStatementEnd && peek.kind == .word { declaration.typeWords.append(advance()) }
                if declaration.typeWords.isEmpty {
                    fail(.unexpectedToken, "expected a type after 'type', as in type ipv4_addr", at: token)
                    skipRestOfStatement()
                    continue
                }
            case "typeof":
                declaration.typeofKeyword = token
                guard parseTypeofFields(after: token, into: &declaration) else { continue }
            case "flags":
                guard parseSetFlags(after: token, into: &declaration) else { continue }
            case "timeout", "size":
                guard !atStatementEnd, peek.kind == .word else {
                    let example = token.text == "timeout" ? "timeout 1h" : "size 65535"
                    fail(.unexpectedToken, "expected a value after '\(token.text)', as in \(example)", at: token)
                    skipRestOfStatement()
                    continue
                }
                if token.text == "timeout" { declaration.timeout = advance() } else { declaration.size = advance() }
            case "elements":
                guard enterElements(token, of: "a set", example: "{ ... }", seen: &elementsKeyword) else { continue }
                guard case .anonymousSet(let parsed, _)? = parseAnonymousSet() else { continue }
                elements += parsed
            case "comment":
                guard let text = expectString("a quoted comment", after: token) else { continue }
                declaration.comment = text
            case "policy":
                // nft's performance|memory hint for the kernel's set backend: nothing to choose here.
                if !atStatementEnd && peek.kind == .word { advance() }
            default:
                // auto-merge: overlapping intervals are merged anyway.
                break
            }
            endStatement(after: "'\(token.text)'")
        }
        if declaration.typeKeyword == nil && declaration.typeofKeyword == nil && sink.errorCount == errorsBefore {
            sink.error(
                .unexpectedToken, "set \(name.text) needs a type, as in set \(name.text) { type ipv4_addr; ... }",
                at: name)
        }
        endStatement(after: "the set")
        return SyntaxSet(
            name: name.text, nameToken: name, keyword: keyword, elements: elements, declaration: declaration)
    }

    /// Skips to the `}` closing the current block (consumed), or to a top-level keyword at the
    /// start of a line (the `}` is missing).
    mutating func skipToBlockEnd() {
        var depth = 0
        while peek.kind != .endOfFile {
            if peek.newlineBefore && isTopLevelKeyword(peek) { return }
            let token = advance()
            if token.kind == .openBrace { depth += 1 }
            if token.kind == .closeBrace {
                if depth == 0 { return }
                depth -= 1
            }
        }
    }

    /// `typeof FIELD [. FIELD ...]` after `typeof`; false after reporting an error.
    private mutating func parseTypeofFields(after keyword: Token, into declaration: inout SyntaxSetDeclaration)
        -> Bool
    {
        repeat {
            guard !atStatementEnd, peek.kind == .word else {
                fail(.unexpectedToken, "expected a field after 'typeof', as in typeof ip saddr", at: keyword)
                skipRestOfStatement()
                return false
            }
            guard let field = parseField() else {
                skipRestOfStatement()
                return false
            }
            declaration.typeofFields.append(field)
            guard !atStatementEnd, peek.isWord(".") else { return true }
            advance()
        } while true
    }

    /// `flags interval, timeout` after `flags`; false after reporting an error.
    private mutating func parseSetFlags(after keyword: Token, into declaration: inout SyntaxSetDeclaration) -> Bool {
        repeat {
            let token = peek
            guard !atStatementEnd, token.kind == .word else {
                fail(.unexpectedToken, "expected a flag after 'flags', as in flags interval", at: keyword)
                skipRestOfStatement()
                return false
            }
            guard Parser.setFlags.contains(token.text) else {
                fail(
                    .invalidValue,
                    "unknown set flag '\(token.text)'; the flags are interval, constant, timeout and dynamic"
                        + Suggestion.hint(for: token.text, among: Parser.setFlags),
                    at: token)
                skipRestOfStatement()
                return false
            }
            declaration.flags.append(advance())
            guard peek.kind == .comma, !peek.newlineBefore else { return true }
            advance()
        } while true
    }
}

extension Parser {
    /// `elements = {` after the `elements` keyword `token` of a set or map declaration: on
    /// `true` the next token is the `{` (a second `elements` is reported, and read too); on
    /// `false` the missing `= {` was reported and the statement skipped.
    mutating func enterElements(_ token: Token, of what: String, example: String, seen: inout Token?) -> Bool {
        guard peek.kind == .assign, !peek.newlineBefore, peek(1).kind == .openBrace else {
            fail(.unexpectedToken, "expected '= {' after 'elements', as in elements = \(example)", at: token)
            skipRestOfStatement()
            return false
        }
        if seen != nil {
            sink.error(.duplicateDefinition, "\(what) declaration has one 'elements = { ... }'", at: token)
        }
        seen = token
        advance()
        return true
    }
}
