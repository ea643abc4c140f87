import Flow

/// Top-level statements: `version`, `include`, `define`, `set`, `default`, `defaults`, `rule`,
/// `test`.
extension Parser {
    mutating func parseFile() -> [SyntaxItem] {
        var items: [SyntaxItem] = []
        var statementCount = 0
        while peek.kind != .endOfFile {
            if peek.kind == .semicolon {
                advance()
                continue
            }
            let token = peek
            let isFirst = statementCount == 0
            statementCount += 1
            if isFirst && isMainFile && !token.isWord("version") && !looksLikeVersion(token) {
                fail(.missingVersion, "a policy must start with 'version 1'", at: token)
            }
            if let item = parseTopLevel(isFirst: isFirst) { items.append(item) }
        }
        if statementCount == 0 && isMainFile {
            sink.error(
                .missingVersion, "a policy must start with 'version 1'",
                at: SourceLocation(file: path, line: 1, column: 1))
        }
        return items
    }

    /// A misspelt `version` gets its own "did you mean" and no second message about it missing.
    private func looksLikeVersion(_ token: Token) -> Bool {
        token.kind == .word && Suggestion.closest(to: token.text, among: Parser.topLevelKeywords) == "version"
    }

    private mutating func parseTopLevel(isFirst: Bool) -> SyntaxItem? {
        let token = peek
        guard token.kind == .word else {
            fail(.unexpectedToken, "expected a statement, found \(token.quoted)", at: token)
            // A stray `}` closes no block here: skipping stops at it, so consume it, or the
            // statement loop would meet it again forever.
            if token.kind == .closeBrace { advance() } else { skipRestOfStatement(atStart: true) }
            return nil
        }
        switch token.text {
        case "version": return parseVersion(isFirst: isFirst)
        case "include": return parseInclude()
        case "define": return parseDefine()
        case "set": return parseSet()
        case "map": return parseMapDeclaration()
        case "default": return parseDefault()
        case "defaults": return parseDefaults()
        case "rule": return parseRule()
        case "chain": return parseChain()
        case "test": return parseTest()
        default:
            fail(
                .unknownKeyword,
                "unknown keyword '\(token.text)'; expected version, include, define, set, map, default, defaults, rule, chain "
                    + "or test"
                    + Suggestion.hint(for: token.text, among: Parser.topLevelKeywords),
                at: token)
            skipRestOfStatement(atStart: true)
            return nil
        }
    }

    private mutating func parseVersion(isFirst: Bool) -> SyntaxItem? {
        let keyword = advance()
        let token = peek
        guard token.kind == .word, !atStatementEnd else {
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected a version number after 'version'", at: keyword)
            } else {
                fail(.unexpectedToken, "expected a version number after 'version', found \(token.quoted)", at: token)
            }
            skipRestOfStatement()
            return nil
        }
        advance()
        guard let number = Int(token.text) else {
            fail(.invalidValue, "'\(token.text)' is not a version number", at: token)
            skipRestOfStatement()
            return nil
        }
        if !isFirst {
            sink.error(.unexpectedToken, "'version' must be the first statement of a file", at: keyword)
        } else if number != 1 {
            sink.error(
                .unsupportedVersion, "unsupported policy version \(number); this Bridgekeeper reads version 1",
                at: token)
        }
        endStatement(after: "'version \(token.text)'")
        return .version(SyntaxVersion(number: number, numberToken: token))
    }

    private mutating func parseInclude() -> SyntaxItem? {
        let keyword = advance()
        guard let pattern = expectString("a quoted file name or glob", after: keyword) else { return nil }
        if pattern.text.isEmpty {
            sink.error(.invalidValue, "include needs a file name or glob", at: pattern)
        }
        endStatement(after: "the include")
        return pattern.text.isEmpty ? nil : .include(SyntaxInclude(pattern: pattern.text, patternToken: pattern))
    }

    /// A define or set name: a word of letters, digits, `_` and `-`, starting with a letter or `_`.
    mutating func parseDefinitionName(after keyword: Token, sigil: String) -> Token? {
        let token = peek
        if (token.kind == .define || token.kind == .setReference) && !token.newlineBefore {
            advance()
            sink.error(
                .invalidName, "write the name without '\(sigil)': \(keyword.text) \(token.text) = ...", at: token)
            return Token(
                kind: .word, text: token.text, location: token.location, length: token.length,
                newlineBefore: false)
        }
        guard token.kind == .word, !atStatementEnd else {
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected a name after '\(keyword.text)'", at: keyword)
            } else {
                fail(.unexpectedToken, "expected a name after '\(keyword.text)', found \(token.quoted)", at: token)
            }
            skipRestOfStatement()
            return nil
        }
        advance()
        if !Parser.isDefinitionName(token.text) {
            sink.error(
                .invalidName,
                "invalid name '\(token.text)': use letters, digits, '_' and '-', starting with a letter or '_'",
                at: token)
        }
        return token
    }

    static func isDefinitionName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        let startsWell =
            (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"))
            || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")) || first == UInt8(ascii: "_")
        return startsWell && name.utf8.allSatisfy(Lexer.isNameByte)
    }

    private mutating func expectAssign(after name: Token) -> Bool {
        if peek.kind == .assign && !peek.newlineBefore {
            advance()
            return true
        }
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected '=' after '\(name.text)'", at: name)
        } else {
            fail(.unexpectedToken, "expected '=' after '\(name.text)', found \(peek.quoted)", at: peek)
        }
        skipRestOfStatement()
        return false
    }

    private mutating func parseDefine() -> SyntaxItem? {
        let keyword = advance()
        guard let name = parseDefinitionName(after: keyword, sigil: "$"), expectAssign(after: name) else { return nil }
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected a value after 'define \(name.text) ='", at: name)
            skipRestOfStatement()
            return nil
        }
        if peek.kind == .setReference {
            fail(.unexpectedToken, "a define cannot name a set; use @\(peek.text) where it is needed", at: peek)
            skipRestOfStatement()
            return nil
        }
        if peek.kind == .string {
            let text = advance()
            endStatement(after: "the define")
            return .define(SyntaxDefine(name: name.text, nameToken: name, keyword: keyword, value: .string(text)))
        }
        guard let value = parseValue(allowSets: true, after: "'define \(name.text) ='") else { return nil }
        endStatement(after: "the define")
        return .define(SyntaxDefine(name: name.text, nameToken: name, keyword: keyword, value: value))
    }

    private mutating func parseSet() -> SyntaxItem? {
        let keyword = advance()
        guard let name = parseDefinitionName(after: keyword, sigil: "@") else { return nil }
        if peek.kind == .openBrace && !peek.newlineBefore {
            return parseSetDeclaration(keyword: keyword, name: name).map { .set($0) }
        }
        guard expectAssign(after: name) else { return nil }
        guard peek.kind == .openBrace, !peek.newlineBefore else {
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected '{' after 'set \(name.text) ='", at: name)
            } else {
                fail(
                    .unexpectedToken,
                    "expected '{' after 'set \(name.text) =', found \(peek.quoted); "
                        + "a set's elements go in braces: set \(name.text) = { ... }", at: peek)
            }
            skipRestOfStatement()
            return nil
        }
        guard case .anonymousSet(let elements, _)? = parseAnonymousSet() else { return nil }
        endStatement(after: "the set")
        return .set(SyntaxSet(name: name.text, nameToken: name, keyword: keyword, elements: elements))
    }

    private mutating func parseDefault() -> SyntaxItem? {
        let keyword = advance()
        let token = peek
        guard token.kind == .word, !atStatementEnd, let verdict = DefaultVerdict(rawValue: token.text) else {
            if atStatementEnd {
                sink.error(.unexpectedToken, "expected 'forward' or 'drop' after 'default'", at: keyword)
            } else {
                fail(.unexpectedToken, "default takes 'forward' or 'drop', not \(token.quoted)", at: token)
            }
            skipRestOfStatement()
            return nil
        }
        advance()
        if !atStatementEnd && peek.kind == .word && SyntaxOption.Name(rawValue: peek.text) != nil {
            fail(
                .invalidOption, "'default' takes no options; put them in 'defaults { \(peek.text) ...; }'",
                at: peek)
            skipRestOfStatement()
        } else {
            endStatement(after: "'default \(token.text)'")
        }
        return .defaultVerdict(verdict, keyword: keyword)
    }

    private mutating func parseDefaults() -> SyntaxItem? {
        let keyword = advance()
        guard peek.kind == .openBrace else {
            fail(.unexpectedToken, "expected '{' after 'defaults'", at: atStatementEnd ? keyword : peek)
            skipRestOfStatement()
            return nil
        }
        let open = advance()
        var options: [SyntaxOption] = []
        var stateOptions: [SyntaxStateOption] = []
        while nextBlockItem() {
            let token = peek
            if token.kind == .endOfFile || (token.newlineBefore && isTopLevelKeyword(token)) {
                sink.error(.unexpectedToken, "'defaults' is missing its closing '}'", at: open)
                return .defaults(SyntaxDefaults(keyword: keyword, options: options, stateOptions: stateOptions))
            }
            if token.kind == .word, Parser.stateOptionNames.contains(token.text) {
                advance()
                var words: [Token] = []
                while !atStatementEnd { words.append(advance()) }
                stateOptions.append(SyntaxStateOption(nameToken: token, words: words))
                endStatement(after: "'\(token.text)'")
                continue
            }
            guard token.kind == .word, let name = SyntaxOption.Name(rawValue: token.text) else {
                let known = SyntaxOption.Name.allCases.map(\.rawValue) + Parser.stateOptionNames.sorted()
                fail(
                    .unknownKeyword,
                    "unknown option \(token.quoted) in defaults; expected delay, jitter, retries, flow-timeout, "
                        + "flow-pickup, flows-full, answer-rate or meter-size"
                        + Suggestion.hint(for: token.text, among: known),
                    at: token)
                skipRestOfStatement(atStart: true)
                continue
            }
            advance()
            guard let option = parseOptionValue(name: name, nameToken: token) else { continue }
            options.append(option)
            endStatement(after: "'\(token.text)'")
        }
        endStatement(after: "'defaults { ... }'")
        return .defaults(SyntaxDefaults(keyword: keyword, options: options, stateOptions: stateOptions))
    }

    /// The value after `delay`, `jitter` or `retries` (already consumed).
    mutating func parseOptionValue(name: SyntaxOption.Name, nameToken: Token) -> SyntaxOption? {
        if atStatementEnd {
            sink.error(.unexpectedToken, "expected a value after '\(nameToken.text)'", at: nameToken)
            skipRestOfStatement()
            return nil
        }
        guard let value = parseValue(allowSets: false, after: "'\(nameToken.text)'") else { return nil }
        return SyntaxOption(name: name, nameToken: nameToken, value: value)
    }

    /// The `defaults` settings for flows, answers and meters (each timeout name may also stand
    /// alone, as in `defaults { tcp-established 2h; }`).
    static let stateOptionNames: Set<String> = Set(
        ["flow-timeout", "tcp-closing", "flow-pickup", "flows-full", "answer-rate", "meter-size"]
            + FlowTimeoutName.allCases.map(\.rawValue))

    func isTopLevelKeyword(_ token: Token) -> Bool {
        token.kind == .word && Parser.topLevelKeywords.contains(token.text) && token.text != "set"
    }
}
