/// Rules: the match line, the statements and the verdict.
extension Resolver {
    mutating func resolveRule(_ syntax: SyntaxRule, path: String) -> Rule? {
        let errorsBefore = sink.errorCount
        let match = resolveMatch(syntax.match)
        var statements: [Statement] = []
        for statement in syntax.statements {
            if let resolved = resolveStatement(statement, path: path) { statements.append(resolved) }
        }
        let name = Resolver.fullName(of: syntax)
        var comment = syntax.comment
        if let token = syntax.commentToken { comment = values.string(token, what: "a comment")?.text }
        guard let verdictSyntax = syntax.verdict else {
            let isEmpty = syntax.matchKeyword == nil && syntax.statements.isEmpty && syntax.counters.isEmpty
            if syntax.control == nil && isEmpty && !syntax.hadError {
                sink.error(
                    .missingVerdict,
                    "rule \"\(name)\" is empty; give it a match line, a statement or a verdict", at: syntax.keyword)
                return nil
            }
            let action = syntax.control.flatMap { resolveControl($0) } ?? .next
            guard sink.errorCount == errorsBefore, !syntax.hadError else { return nil }
            return Rule(
                name: name, comment: comment, match: match, statements: statements, action: action,
                chain: syntax.chain, location: syntax.keyword.location)
        }
        let verdict = resolveVerdict(verdictSyntax)
        if verdict?.kind == .reject {
            for statement in syntax.statements {
                switch statement.kind {
                case .set, .vlanPush, .vlanPop, .segmentSizeToMTU:
                    sink.error(
                        .invalidOption,
                        "a rejected frame goes nowhere, so rewriting it has no effect; the answer is built from the "
                            + "frame as it arrived",
                        at: statement.keyword)
                default: break
                }
            }
        }
        guard sink.errorCount == errorsBefore, !syntax.hadError, let verdict else { return nil }
        return Rule(
            name: name, comment: comment,
            match: match + Self.implicitTerms(for: verdict, at: syntax.keyword.location), statements: statements,
            action: .verdict(verdict), chain: syntax.chain, location: syntax.keyword.location)
    }

    private mutating func resolveMatch(_ terms: [SyntaxTerm]) -> [MatchTerm] {
        var resolved: [MatchTerm] = []
        var positive: [String: SyntaxField] = [:]
        for term in terms {
            switch term {
            case .field(let field, let negated, let value):
                if !negated, let first = positive[field.name] {
                    sink.error(
                        .duplicateMatch,
                        "'\(field.name)' is already matched on this line (column \(first.location.column)); "
                            + "list several values in one set, as in \(field.name) { a, b }",
                        at: field.location, length: field.length)
                    continue
                }
                if !negated { positive[field.name] = field }
                let membership = dynamicMembership(field, negated: negated, value: value)
                if let term = membership.term { resolved.append(term) }
                if membership.term != nil || membership.failed { continue }
                let context = ValueResolver.Context(names: field.alias.map { nameTable(for: $0) })
                guard let values = values.intervals(value, for: field.field, context) else { continue }
                resolved.append(
                    .field(
                        FieldMatch(
                            field: field.field, negated: negated, values: values.values, setName: values.setName,
                            location: field.location)))
            case .concatenation(let fields, let negated, let value):
                if let match = resolveConcatenation(fields, negated: negated, value: value) {
                    resolved.append(.concatenation(match))
                }
            case .masked(let masked):
                if let match = resolveMasked(masked) { resolved.append(.field(match)) }
            case .ordered(let ordered):
                if let match = resolveOrdered(ordered) { resolved.append(.field(match)) }
            case .limit(let limit):
                if let resolvedLimit = resolveLimit(limit) { resolved.append(.limit(resolvedLimit)) }
            case .quota(let quota):
                if let resolvedQuota = resolveQuota(quota) { resolved.append(.quota(resolvedQuota)) }
            case .bpf(let keyword, let negated, let expression):
                guard !expression.text.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                    sink.error(.badBPF, "empty bpf expression", at: expression)
                    continue
                }
                switch compileBPF(expression.text) {
                case .success(let program):
                    resolved.append(
                        .bpf(
                            BPFMatch(
                                expression: expression.text, negated: negated, program: program,
                                location: keyword.location)))
                case .failure(let error):
                    sink.error(.badBPF, "bad bpf expression: \(error.message)", at: expression)
                }
            }
        }
        return resolved
    }

    /// `tcp flags & MASK ==|!= VALUE`: every flags byte it holds for, never negated (see
    /// ``MaskedMatch``).
    private mutating func resolveMasked(_ syntax: SyntaxMask) -> FieldMatch? {
        let field = syntax.field
        guard field.field.isBitmask, field.alias == nil else {
            sink.error(
                .invalidValue, "a mask ('&' or '/') applies to tcp flags only, not to \(field.name)",
                at: field.location, length: field.length)
            return nil
        }
        guard let mask = values.single(syntax.mask, for: field.field, what: "a mask"),
            let value = values.single(syntax.value, for: field.field, what: "a masked comparison")
        else { return nil }
        let op = syntax.negated ? "!=" : "=="
        let written = "\(field.name) & \(field.field.format(mask)) \(op) \(field.field.format(value))"
        guard value & ~mask == 0 else {
            sink.error(
                .invalidValue,
                "\(written) compares bits the mask clears (\(field.field.format(value & ~mask))): it is "
                    + (syntax.negated ? "true for every TCP frame" : "never true"),
                at: syntax.value.token.location, length: syntax.value.length)
            return nil
        }
        let comparison = MaskedMatch(mask: mask, value: value, notEqual: syntax.negated)
        let matching = comparison.matchingValues(bitWidth: field.field.bitWidth)
        guard !matching.isEmpty else {
            sink.error(.invalidValue, "\(written) is never true", at: field.location, length: field.length)
            return nil
        }
        return FieldMatch(field: field.field, values: matching, location: field.location, masked: comparison)
    }

    /// `FIELD < VALUE` and its kin: the interval of values it holds for, on numeric fields only.
    /// Several on one field (`tcp dport >= 1024 tcp dport <= 2000`) all hold, as in nft.
    private mutating func resolveOrdered(_ syntax: SyntaxOrdering) -> FieldMatch? {
        let field = syntax.field
        let written = "\(field.name) \(syntax.operatorToken.text)"
        let numeric = !field.field.isBitmask && !field.field.isConnectionTracking && field.alias == nil
        guard field.field.valueKind == .integer, numeric else {
            let kind: String
            switch field.field.valueKind {
            case .mac: kind = "a MAC address"
            case .ipv4, .ipv6: kind = "an address"
            case .port: kind = "a port (a or b)"
            case .integer:
                kind = field.field.isBitmask ? "a set of flags" : field.alias != nil ? "a name" : "a flow's state"
            }
            sink.error(
                .invalidValue,
                "'\(syntax.operatorToken.text)' compares numbers, and \(field.name) is \(kind): write a value, a "
                    + "set, a prefix or a range",
                at: syntax.operatorToken)
            return nil
        }
        guard let bound = values.single(syntax.value, for: field.field, what: "'\(written)'") else { return nil }
        guard let interval = syntax.ordering.interval(bound: bound, maxValue: field.field.maxValue) else {
            sink.error(
                .invalidValue,
                "\(written) \(field.field.format(bound)) is never true: \(field.name) is 0 to "
                    + "\(field.field.maxValue)",
                at: syntax.value.token.location, length: syntax.value.length)
            return nil
        }
        return FieldMatch(field: field.field, values: [interval], location: field.location)
    }

    private mutating func resolveStatement(_ statement: SyntaxStatement, path: String) -> Statement? {
        let location = statement.keyword.location
        switch statement.kind {
        case .set(let field, let value):
            guard field.field.isRewritable else {
                sink.error(
                    .notRewritable,
                    "'\(field.field.rawValue)' cannot be rewritten; rewritable fields are "
                        + Field.allCases.filter(\.isRewritable).map(\.rawValue).joined(separator: ", "),
                    at: field.location, length: field.length)
                return nil
            }
            guard let resolved = values.single(value, for: field.field, what: "'\(field.field.rawValue) set'") else {
                return nil
            }
            return Statement(kind: .set(field.field, resolved), location: location)
        case .vlanPush(let value):
            guard let id = values.single(value, for: .vlanID, what: "'vlan push'") else { return nil }
            return Statement(kind: .vlanPush(UInt16(id)), location: location)
        case .vlanPop:
            return Statement(kind: .vlanPop, location: location)
        case .segmentSizeToMTU:
            return Statement(kind: .segmentSizeToMTU, location: location)
        case .log(let written, let level):
            var prefix: Token?
            if let written {
                guard let resolved = values.string(written, what: "a log prefix") else { return nil }
                prefix = resolved
            }
            if let prefix {
                if prefix.text.isEmpty || prefix.text.utf8.count > 127
                    || prefix.text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
                {
                    sink.error(
                        .invalidValue, "a log prefix is 1 to 127 bytes of printable text", at: prefix)
                    return nil
                }
            }
            return Statement(
                kind: .log(prefix: prefix?.text, level: level.flatMap { LogLevel(rawValue: $0.text) }),
                location: location)
        case .pcap(let written):
            guard let file = values.string(written, what: "pcap") else { return nil }
            guard !file.text.isEmpty else {
                sink.error(.invalidValue, "pcap needs a file name", at: file)
                return nil
            }
            let resolved = PathText.absolute(PathText.join(PathText.directory(of: path), file.text))
            return Statement(kind: .pcap(path: resolved), location: location)
        case .mirror(let written):
            guard let interface = values.string(written, what: "mirror") else { return nil }
            guard Resolver.isInterfaceName(interface.text) else {
                sink.error(
                    .invalidValue,
                    "invalid interface name \"\(interface.text)\": 1 to 15 bytes, no '/', ':' or whitespace, "
                        + "not '.' or '..'",
                    at: interface)
                return nil
            }
            return Statement(kind: .mirror(interface: interface.text), location: location)
        case .setUpdate(let verb, let set, let field, let timeout):
            return resolveSetUpdate(verb: verb, set: set, field: field, timeout: timeout, location: location)
        }
    }

    /// The terms nft adds to a rule for its reject: `reject with tcp reset` only matches TCP,
    /// `reject with icmp` only IPv4 and `reject with icmpv6` only IPv6 (nft's implicit
    /// `meta l4proto tcp` and `meta nfproto` dependencies), so such a rule never matches a frame
    /// it could not answer.
    static func implicitTerms(for verdict: Verdict, at location: SourceLocation) -> [MatchTerm] {
        guard verdict.kind == .reject, let answer = verdict.answer else { return [] }
        func term(_ field: Field, _ value: UInt128) -> MatchTerm {
            .field(FieldMatch(field: field, values: [ValueInterval(value)], location: location))
        }
        switch answer {
        case .tcpReset: return [term(.metaL4proto, 6)]
        case .icmp: return [term(.etherType, 0x0800)]
        case .icmpv6: return [term(.etherType, 0x86dd)]
        case .automatic, .icmpx: return []
        }
    }

    /// What Linux accepts as an interface name (`dev_valid_name`).
    static func isInterfaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), name != ".", name != ".." else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f }
    }
}
