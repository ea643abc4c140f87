import Testing

@testable import Policy

@Suite("Lexer")
struct LexerTests {
    private func kinds(_ text: String) -> [Token.Kind] { Lexer.tokens(of: text, path: "t").map(\.kind) }
    private func texts(_ text: String) -> [String] { Lexer.tokens(of: text, path: "t").dropLast().map(\.text) }

    @Test func valueWordsStayWhole() {
        #expect(
            texts("ip6 saddr 2001:db8::/32 ::1 fe80::1-fe80::9 02:00:00:00:09:09 10.0.0.1-10.0.0.9 1.5ms af41 0x8100")
                == [
                    "ip6", "saddr", "2001:db8::/32", "::1", "fe80::1-fe80::9", "02:00:00:00:09:09", "10.0.0.1-10.0.0.9",
                    "1.5ms", "af41", "0x8100",
                ])
    }

    @Test func punctuation() {
        #expect(
            kinds("{ a, b }; = == != | $X @s \"q\"") == [
                .openBrace, .word, .comma, .word, .closeBrace, .semicolon, .assign, .equal, .notEqual, .pipe, .define,
                .setReference, .string, .endOfFile,
            ])
        #expect(texts("$LAN @blocked-list") == ["LAN", "blocked-list"])
        #expect(texts("syn|ack") == ["syn", "|", "ack"])
    }

    @Test func commentsAndNewlines() {
        let tokens = Lexer.tokens(of: "a # comment { \"\nb\r\n  c # x\n\n", path: "t")
        #expect(tokens.map(\.text) == ["a", "b", "c", ""])
        #expect(tokens.map(\.newlineBefore) == [false, true, true, true])
        #expect(tokens.map(\.location.line) == [1, 2, 3, 5])
        #expect(tokens.map(\.location.column) == [1, 1, 3, 1])
    }

    @Test func stringsAndEscapes() {
        let tokens = Lexer.tokens(of: #"x "a \"b\" \\ \t \d" y"#, path: "t")
        #expect(tokens[1].kind == .string)
        #expect(tokens[1].text == #"a "b" \ \t \d"#)
        #expect(tokens[1].length == 18)
        #expect(tokens[2].location.column == 22)
    }

    @Test func unterminatedStringStopsAtTheLineEnd() {
        let tokens = Lexer.tokens(of: "log \"abc\nnext", path: "t")
        #expect(tokens.map(\.kind) == [.word, .invalid, .word, .endOfFile])
        #expect(tokens[1].problem?.code == .unterminatedString)
        #expect(tokens[2].text == "next" && tokens[2].newlineBefore)
    }

    @Test func strayCharactersAreOneInvalidToken() {
        let tokens = Lexer.tokens(of: "a %^~ b ! c", path: "t")
        #expect(tokens.map(\.kind) == [.word, .invalid, .word, .invalid, .word, .endOfFile])
        #expect(tokens[1].text == "%^~" && tokens[1].length == 3)
        #expect(tokens[1].problem == TokenProblem(code: .unexpectedCharacter, message: "unexpected characters '%^~'"))
        #expect(tokens[3].problem?.message == "unexpected character '!'")
    }

    /// nft's mask syntax: `&`, `(` and `)` are tokens of their own, also between words.
    @Test func maskPunctuationIsTokens() {
        let tokens = Lexer.tokens(of: "flags &(syn|ack)== syn", path: "t")
        #expect(
            tokens.map(\.kind) == [
                .word, .ampersand, .openParen, .word, .pipe, .word, .closeParen, .equal, .word, .endOfFile,
            ])
        #expect(tokens[1].location.column == 7 && tokens[6].location.column == 16)
    }

    @Test func sigilWithoutName() {
        let tokens = Lexer.tokens(of: "$ x", path: "t")
        #expect(tokens[0].kind == .invalid)
        #expect(tokens[0].problem?.message == "expected a name after '$'")
    }

    @Test func columnsCountUTF8Bytes() {
        let tokens = Lexer.tokens(of: "comment \"é\" x", path: "t")
        #expect(tokens[1].length == 4)
        #expect(tokens[2].location.column == 14)
    }
}
