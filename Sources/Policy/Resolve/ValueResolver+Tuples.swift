/// The values of concatenations: tuples such as `198.18.0.1 . 22`, sets of them, and sets
/// declared with a concatenated type (`type ipv4_addr . inet_service`).
extension ValueResolver {
    /// The tuples `expression` stands for as values of `fields` taken together (`names`: the
    /// name table of each field written with one of nft's aliases), and the set's name when it
    /// is `@name`. Nil after reporting an error.
    mutating func tuples(
        _ expression: ValueExpression, for fields: [Field], names: [NameTable?], _ context: Context = Context()
    ) -> (elements: [ConcatenationMatch.Element], setName: String?)? {
        let written = fields.map(\.rawValue).joined(separator: " . ")
        switch expression {
        case .tuple(let parts):
            guard parts.count == fields.count else {
                let error = ValueError(
                    code: .invalidValue,
                    message: "\(expression.text) has \(parts.count) parts, but \(written) takes \(fields.count), "
                        + "one per field")
                report(error, at: parts[0].token, length: expression.length, context)
                return nil
            }
            var resolved: [[ValueInterval]] = []
            var failed = false
            for (index, part) in parts.enumerated() {
                var inner = context
                inner.names = names[index]
                if let values = intervals(part, for: fields[index], inner) {
                    resolved.append(values.values)
                } else {
                    failed = true
                }
            }
            return failed ? nil : ([ConcatenationMatch.Element(parts: resolved)], nil)
        case .anonymousSet(let elements, let open):
            guard !elements.isEmpty else {
                report(
                    ValueError(code: .invalidValue, message: "empty set: a set needs at least one value"), at: open,
                    context)
                return nil
            }
            var all: [ConcatenationMatch.Element] = []
            var failed = false
            for element in elements {
                if let resolved = tuples(element, for: fields, names: names, context) {
                    all += resolved.elements
                } else {
                    failed = true
                }
            }
            return failed ? nil : (all, nil)
        case .define(let token):
            guard let define = lookUp(token, context) else { return nil }
            let inner = entering(define, through: token, context)
            guard let resolved = tuples(define.value, for: fields, names: names, inner) else { return nil }
            return (resolved.elements, nil)
        case .setReference(let token):
            guard let elements = concatenatedSetElements(token, for: fields, names: names) else { return nil }
            return (elements, token.text)
        case .literal, .flags, .string:
            let error = ValueError(
                code: .invalidValue,
                message: "\(written) takes values of \(fields.count) parts joined by '.', as in "
                    + "\(written) { a . b }; found \(expression.text)")
            report(error, at: expression.token, length: expression.length, context)
            return nil
        }
    }

    /// The elements of `@name` as tuples of `fields`, checking a declared concatenated type.
    private mutating func concatenatedSetElements(
        _ token: Token, for fields: [Field], names: [NameTable?]
    ) -> [ConcatenationMatch.Element]? {
        let written = fields.map(\.rawValue).joined(separator: " . ")
        guard let state = setState(token) else { return nil }
        if state.isDynamic {
            sink.error(
                .notSupported,
                "set '@\(token.text)' is dynamic (the datapath adds to it); a dynamic set with a concatenated key "
                    + "is not supported yet",
                at: token)
            return nil
        }
        if let declared = state.declaredType {
            let fits: Bool
            if case .concatenation(let types) = declared {
                fits = types.count == fields.count && zip(types, fields).allSatisfy { $0.accepts($1) }
            } else {
                fits = false
            }
            guard fits else {
                sink.error(
                    .setKindConflict,
                    "set '@\(token.text)' is declared '\(declared.name)' (at \(state.syntax.keyword.location)), "
                        + "which \(written) does not take",
                    at: token)
                return nil
            }
        }
        let context = Context(suffix: " (in set @\(token.text), used with \(written))")
        var all: [ConcatenationMatch.Element] = []
        var failed = false
        for element in state.syntax.elements {
            if let resolved = tuples(element, for: fields, names: names, context) {
                all += resolved.elements
            } else {
                failed = true
            }
        }
        return failed ? nil : all
    }
}

extension Resolver {
    /// `FIELD . FIELD ... [!=] VALUE`: each field once, every value a tuple of as many parts.
    mutating func resolveConcatenation(_ fields: [SyntaxField], negated: Bool, value: ValueExpression)
        -> ConcatenationMatch?
    {
        for (index, field) in fields.enumerated() {
            if let earlier = fields[..<index].first(where: { $0.field == field.field && $0.alias == field.alias }) {
                sink.error(
                    .duplicateMatch,
                    "'\(field.name)' is already in this concatenation (column \(earlier.location.column))",
                    at: field.location, length: field.length)
                return nil
            }
        }
        let names = fields.map { field in field.alias.map { nameTable(for: $0) } }
        guard let resolved = values.tuples(value, for: fields.map(\.field), names: names) else { return nil }
        return ConcatenationMatch(
            fields: fields.map(\.field), negated: negated, elements: resolved.elements, setName: resolved.setName,
            location: fields[0].location)
    }
}
