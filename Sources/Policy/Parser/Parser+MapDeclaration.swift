/// nft's named verdict map: `map NAME { type TYPE : verdict; flags interval; elements = { VALUE :
/// VERDICT, ... }; comment "C" }`, one item per line or separated by `;`. The resolver checks the
/// key type against each `FIELD vmap @NAME` and resolves the elements as an inline map's.
extension Parser {
    static let mapDeclarationKeywords = ["type", "flags", "elements", "comment", "policy", "size"]

    /// From `map`.
    mutating func parseMapDeclaration() -> SyntaxItem? {
        let keyword = advance()
        guard let name = parseDefinitionName(after: keyword, sigil: "@") else { return nil }
        guard peek.kind == .openBrace, !peek.newlineBefore else {
            fail(
                .unexpectedToken,
                "expected '{' after 'map \(name.text)', as in map \(name.text) { type inet_service : verdict; "
                    + "elements = { 22 : drop } }",
                at: atStatementEnd ? name : peek)
            skipRestOfStatement()
            return nil
        }
        let open = advance()
        var map = SyntaxMap(keyword: keyword, name: name.text, nameToken: name, keyType: nil, elements: [])
        var typeKeyword: Token?
        var elementsKeyword: Token?
        let errorsBefore = sink.errorCount
        items: while nextBlockItem() {
            let token = peek
            if blockEndsUnclosed(open: open, what: "map \(name.text)") { break }
            guard token.kind == .word, Parser.mapDeclarationKeywords.contains(token.text) else {
                fail(
                    .unknownKeyword,
                    "unknown map item \(token.quoted); a map declaration takes type, flags, elements and comment"
                        + (token.kind == .word
                            ? Suggestion.hint(for: token.text, among: Parser.mapDeclarationKeywords) : ""),
                    at: token)
                skipToBlockEnd()
                break
            }
            advance()
            switch token.text {
            case "type":
                typeKeyword = token
                guard let keyType = parseMapType(after: token) else {
                    // The elements would be read against the wrong type: one error is enough.
                    skipToBlockEnd()
                    break items
                }
                map.keyType = keyType
            case "elements":
                guard enterElements(token, of: "a map", example: "{ 22 : drop }", seen: &elementsKeyword) else {
                    continue
                }
                guard let elements = parseMapElements(open: advance()) else { continue }
                map.elements += elements
            case "comment":
                guard expectString("a quoted comment", after: token) != nil else { continue }
            default:
                // flags interval (ranges are always allowed), policy and size: nothing to choose.
                while !atStatementEnd && (peek.kind == .word || peek.kind == .comma) { advance() }
            }
            endStatement(after: "'\(token.text)'")
        }
        if typeKeyword == nil && sink.errorCount == errorsBefore {
            sink.error(
                .unexpectedToken,
                "map \(name.text) needs a type, as in map \(name.text) { type inet_service : verdict; ... }", at: name)
        }
        if elementsKeyword == nil && sink.errorCount == errorsBefore {
            sink.error(
                .unexpectedToken,
                "map \(name.text) needs its elements, as in elements = { 22 : drop, 80 : accept }", at: name)
        }
        endStatement(after: "the map")
        return sink.errorCount == errorsBefore ? .map(map) : nil
    }

    /// `TYPE : verdict` after `type` (the colon may touch either word); the key type's token.
    private mutating func parseMapType(after keyword: Token) -> Token? {
        var words: [Token] = []
        while !atStatementEnd && peek.kind == .word { words.append(advance()) }
        let written = words.map(\.text).joined(separator: " ")
        let parts = written.split(separator: ":", omittingEmptySubsequences: false).map(Self.trimmingSpaces)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(" "), var key = words.first else {
            sink.error(
                .unexpectedToken,
                "expected 'TYPE : verdict' after 'type', as in type inet_service : verdict"
                    + (words.isEmpty ? "" : "; found '\(written)'"),
                at: words.first ?? keyword)
            return nil
        }
        guard parts[1] == "verdict" else {
            sink.error(
                .notSupported,
                "only verdict maps are supported (type \(parts[0]) : verdict), not maps to \(parts[1].isEmpty ? "nothing" : parts[1])",
                at: words.last!)
            return nil
        }
        key.text = parts[0]
        key.length = parts[0].utf8.count
        return key
    }

    private static func trimmingSpaces(_ text: Substring) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
