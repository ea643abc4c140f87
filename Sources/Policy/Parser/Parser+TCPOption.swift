/// nft's `tcp option maxseg size`: the TCP option field the language has, four words long.
extension Parser {
    /// The field after `tcp option` (the current token is `option`); reported and nil for
    /// another option or member.
    mutating func parseTCPOptionField(tcp first: Token) -> SyntaxField? {
        let option = advance()
        let name = peek
        guard name.kind == .word, !name.newlineBefore else {
            fail(.unknownField, "'tcp option' needs an option and a field, as in tcp option maxseg size", at: option)
            return nil
        }
        advance()
        let span = name.endColumn - first.location.column
        guard name.text == "maxseg" else {
            sink.error(
                .notSupported,
                "'tcp option \(name.text)' is not supported yet; the TCP option the language reads and sets is the "
                    + "maximum segment size: tcp option maxseg size",
                at: first.location, length: span)
            return nil
        }
        let member = peek
        guard member.isWord("size"), !member.newlineBefore else {
            let written = member.kind == .word && !member.newlineBefore ? member.text : nil
            if let written, written == "exists" || written == "missing" {
                advance()
                let equivalent = written == "exists" ? "size 0-65535" : "size != 0-65535"
                sink.error(
                    .notSupported,
                    "'tcp option maxseg \(written)' is not supported yet; write tcp option maxseg \(equivalent), "
                        + "which holds for the same frames",
                    at: first.location, length: member.endColumn - first.location.column)
                return nil
            }
            sink.error(
                .unknownField,
                "expected 'size' after 'tcp option maxseg'" + (written.map { ", found '\($0)'" } ?? "")
                    + "; the field is tcp option maxseg size",
                at: first.location, length: span)
            return nil
        }
        advance()
        return SyntaxField(field: .tcpMSS, first: first, last: member)
    }

    /// `rt mtu` after `tcp option maxseg size set` (the current token is `rt`).
    mutating func parseRouteMTU(keyword: Token) -> SyntaxStatement? {
        let rt = advance()
        guard peek.isWord("mtu"), !peek.newlineBefore else {
            sink.error(
                .unexpectedToken,
                "expected 'mtu' after 'rt': tcp option maxseg size set rt mtu (the MTU of the port the frame "
                    + "leaves by, less the IP and TCP headers)",
                at: rt)
            skipRestOfStatement()
            return nil
        }
        advance()
        endStatement(after: "the rewrite")
        return SyntaxStatement(kind: .segmentSizeToMTU, keyword: keyword)
    }
}
