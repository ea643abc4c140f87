/// Splits a policy file into tokens. `#` starts a comment that runs to the end of the line;
/// spaces, tabs, carriage returns and newlines separate tokens (the parser asks
/// ``Token/newlineBefore`` where a line break ends a `match` line or a statement).
struct Lexer {
    private let bytes: [UInt8]
    private let path: String
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    private var sawNewline = false

    init(text: String, path: String) {
        self.bytes = Array(text.utf8)
        self.path = path
    }

    /// Every token of the file, ending with one ``Token/Kind/endOfFile``. Lexical errors travel
    /// in ``Token/Kind/invalid`` tokens.
    static func tokens(of text: String, path: String) -> [Token] {
        var lexer = Lexer(text: text, path: path)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    private var location: SourceLocation {
        SourceLocation(file: path, line: line, column: offset - lineStart + 1)
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
            UInt8(ascii: "/"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    private mutating func skipSpaceAndComments() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "\n"):
                offset += 1
                line += 1
                lineStart = offset
                sawNewline = true
            case UInt8(ascii: "#"):
                while offset < bytes.count && bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            default:
                return
            }
        }
    }

    private mutating func next() -> Token {
        skipSpaceAndComments()
        let start = location
        let startOffset = offset
        let newline = sawNewline
        sawNewline = false
        func make(_ kind: Token.Kind, _ text: String) -> Token {
            Token(kind: kind, text: text, location: start, length: offset - startOffset, newlineBefore: newline)
        }
        guard offset < bytes.count else { return make(.endOfFile, "") }
        let byte = bytes[offset]
        let following: UInt8? = offset + 1 < bytes.count ? bytes[offset + 1] : nil
        switch byte {
        case UInt8(ascii: "{"):
            offset += 1
            return make(.openBrace, "{")
        case UInt8(ascii: "}"):
            offset += 1
            return make(.closeBrace, "}")
        case UInt8(ascii: ","):
            offset += 1
            return make(.comma, ",")
        case UInt8(ascii: ";"):
            offset += 1
            return make(.semicolon, ";")
        case UInt8(ascii: "|"):
            offset += 1
            return make(.pipe, "|")
        case UInt8(ascii: "&"):
            offset += 1
            return make(.ampersand, "&")
        case UInt8(ascii: "("):
            offset += 1
            return make(.openParen, "(")
        case UInt8(ascii: ")"):
            offset += 1
            return make(.closeParen, ")")
        case UInt8(ascii: "="):
            if following == UInt8(ascii: "=") {
                offset += 2
                return make(.equal, "==")
            }
            offset += 1
            return make(.assign, "=")
        case UInt8(ascii: "!") where following == UInt8(ascii: "="):
            offset += 2
            return make(.notEqual, "!=")
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            let orEqual = following == UInt8(ascii: "=")
            offset += orEqual ? 2 : 1
            let ordering: Ordering =
                byte == UInt8(ascii: "<") ? (orEqual ? .lessOrEqual : .less) : (orEqual ? .greaterOrEqual : .greater)
            return make(.ordering(ordering), ordering.rawValue)
        case UInt8(ascii: "\""):
            return lexString(start: start, newline: newline)
        case UInt8(ascii: "$"), UInt8(ascii: "@"):
            offset += 1
            let nameStart = offset
            while offset < bytes.count && Lexer.isNameByte(bytes[offset]) { offset += 1 }
            let name = String(decoding: bytes[nameStart..<offset], as: UTF8.self)
            let sigil = byte == UInt8(ascii: "$") ? "$" : "@"
            if name.isEmpty {
                var token = make(.invalid, sigil)
                token.problem = TokenProblem(code: .unexpectedCharacter, message: "expected a name after '\(sigil)'")
                return token
            }
            return make(byte == UInt8(ascii: "$") ? .define : .setReference, name)
        default:
            if Lexer.isWordByte(byte) {
                while offset < bytes.count && Lexer.isWordByte(bytes[offset]) { offset += 1 }
                return make(.word, String(decoding: bytes[startOffset..<offset], as: UTF8.self))
            }
            return lexStrayCharacters(start: start, newline: newline)
        }
    }

    /// A run of characters that cannot start any token, reported once.
    private mutating func lexStrayCharacters(start: SourceLocation, newline: Bool) -> Token {
        let startOffset = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            let isStray =
                !Lexer.isWordByte(byte)
                && !"{},;|&()=<>\"$@# \t\r\n".utf8.contains(byte)
                && !(byte == UInt8(ascii: "!") && offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "="))
            guard isStray else { break }
            offset += 1
        }
        let text = String(decoding: bytes[startOffset..<offset], as: UTF8.self)
        let what = text.count == 1 ? "unexpected character '\(text)'" : "unexpected characters '\(text)'"
        return Token(
            kind: .invalid, text: text, location: start, length: offset - startOffset, newlineBefore: newline,
            problem: TokenProblem(code: .unexpectedCharacter, message: what))
    }

    /// `"..."` on one line. `\"` and `\\` are escapes; a backslash before anything else stands
    /// for itself, so pcap-filter's own escapes (`ip proto \tcp`) pass through unchanged.
    private mutating func lexString(start: SourceLocation, newline: Bool) -> Token {
        let startOffset = offset
        offset += 1
        var content: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return Token(
                    kind: .string, text: String(decoding: content, as: UTF8.self), location: start,
                    length: offset - startOffset, newlineBefore: newline)
            }
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: "\\"), offset + 1 < bytes.count,
                bytes[offset + 1] == UInt8(ascii: "\"") || bytes[offset + 1] == UInt8(ascii: "\\")
            {
                content.append(bytes[offset + 1])
                offset += 2
                continue
            }
            content.append(byte)
            offset += 1
        }
        return Token(
            kind: .invalid, text: String(decoding: content, as: UTF8.self), location: start,
            length: offset - startOffset, newlineBefore: newline,
            problem: TokenProblem(
                code: .unterminatedString, message: "unterminated string: a string ends with '\"' on the same line"))
    }
}
