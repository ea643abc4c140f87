/// Resolves values as written (`10.0.0.0/8`, `$LAN`, `@blocked`, `{ a, b }`) against the field
/// that uses them. Defines are macros, typed at each use; a set takes the value kind of the
/// first field it is used with, and using it with a field of another kind is an error.
struct ValueResolver {
    struct SetState {
        var syntax: SyntaxSet
        /// The nft-style declaration's `type` or `typeof` (nil: typed by its first use).
        var declaredType: SetElementType?
        var firstUse: (field: Field, location: SourceLocation)?
        /// Elements resolved for the first use.
        var elements: [ValueInterval] = []
        /// The datapath adds to it (`flags dynamic`, or an `add` or `update` names it).
        var isDynamic = false
    }

    /// Where an error found while resolving is reported, and what is added to its message.
    struct Context {
        /// Errors go here instead of at the offending literal (a `$define` used directly: the
        /// user looks at the use).
        var reportAt: Token?
        var suffix = ""
        /// Defines being expanded, to catch `define A = $A`.
        var defines: [String] = []
        /// The names the values are written with instead of the field's literals (`iifname`,
        /// `meta pkttype`).
        var names: NameTable?
        /// A dynamic set may be named here (a match's `FIELD @SET` on its own).
        var allowsDynamicSets = false
    }

    let sink: DiagnosticSink
    /// The bridge's interface names, for `iifname` and `oifname`; nil when not given.
    var ports: PortInterfaces?
    var defines: [String: SyntaxDefine] = [:]
    var sets: [String: SetState] = [:]
    /// Elements of a set already resolved for a field: a big set used by many rules is read
    /// once, and every rule shares one array of its values.
    private var setCache: [SetUse: [ValueInterval]?] = [:]

    private struct SetUse: Hashable {
        var name: String
        var field: Field
    }

    init(sink: DiagnosticSink) { self.sink = sink }

    func report(_ error: ValueError, at token: Token, length: Int? = nil, _ context: Context) {
        if let at = context.reportAt {
            sink.error(error.code, error.message + context.suffix, at: at)
        } else {
            sink.error(error.code, error.message + context.suffix, at: token.location, length: length ?? token.length)
        }
    }

    /// Follows `$name` one step: the define, or nil after reporting it undefined or recursive.
    func lookUp(_ token: Token, _ context: Context) -> SyntaxDefine? {
        guard let define = defines[token.text] else {
            sink.error(
                .undefinedDefine,
                "undefined define '$\(token.text)'" + Suggestion.hint(for: token.text, among: defines.keys.sorted()),
                at: token)
            return nil
        }
        if let start = context.defines.firstIndex(of: token.text) {
            let chain = (context.defines[start...] + [token.text]).map { "$" + $0 }.joined(separator: " -> ")
            sink.error(.recursiveDefine, "define '$\(token.text)' refers to itself: \(chain)", at: token)
            return nil
        }
        return define
    }

    /// The context for the value of `define`, reached through `token`.
    func entering(_ define: SyntaxDefine, through token: Token, _ context: Context) -> Context {
        var inner = context
        inner.defines.append(define.name)
        if case .anonymousSet = define.value {
            // Elements of a set are reported where they are written.
            inner.reportAt = nil
        } else {
            inner.reportAt = context.reportAt ?? token
            inner.suffix = " (from $\(define.name), defined at \(define.keyword.location))"
        }
        return inner
    }

    // MARK: Sets of values (match terms)

    /// The intervals `expression` stands for as values of `field`, and the set's name when it is
    /// `@name`. Nil after reporting an error.
    mutating func intervals(
        _ expression: ValueExpression, for field: Field, _ context: Context = Context()
    ) -> (values: [ValueInterval], setName: String?)? {
        switch expression {
        case .literal(let token):
            if let names = context.names {
                switch names.values(of: token.text) {
                case .success(let values): return (values, nil)
                case .failure(let error):
                    report(error, at: token, context)
                    return nil
                }
            }
            if let error = Self.quoted(token) {
                report(error, at: token, context)
                return nil
            }
            switch LiteralParser.interval(token.text[...], for: field) {
            case .success(let interval): return ([interval], nil)
            case .failure(let error):
                report(error, at: token, context)
                return nil
            }
        case .flags(let tokens):
            if let names = context.names {
                let error = ValueError(
                    code: .invalidValue, message: "'|' combines tcp flags; list several \(names.what)s as { a, b }")
                report(error, at: tokens[0], length: expression.length, context)
                return nil
            }
            switch LiteralParser.flags(tokens.map { $0.text[...] }, for: field) {
            case .success(let mask): return ([ValueInterval(mask)], nil)
            case .failure(let error):
                report(error, at: tokens[0], length: expression.length, context)
                return nil
            }
        case .define(let token):
            guard let define = lookUp(token, context) else { return nil }
            var inner = entering(define, through: token, context)
            if case .anonymousSet = define.value {
                inner.suffix = " (in $\(define.name), used with \(field.rawValue))"
            }
            guard let resolved = intervals(define.value, for: field, inner) else { return nil }
            return (resolved.values, nil)
        case .setReference(let token):
            guard
                let values = setElements(
                    token, for: field, names: context.names, allowsDynamic: context.allowsDynamicSets)
            else { return nil }
            return (values, token.text)
        case .string(let token):
            report(Self.notAString(for: field), at: token, context)
            return nil
        case .tuple(let parts):
            let error = ValueError(
                code: .invalidValue,
                message: "\(expression.text) joins \(parts.count) values with '.', but \(field.rawValue) takes one; "
                    + "match the fields together, as in \(field.rawValue) . tcp dport { a . b }")
            report(error, at: parts[0].token, length: expression.length, context)
            return nil
        case .anonymousSet(let elements, let open):
            if elements.isEmpty {
                report(
                    ValueError(code: .invalidValue, message: "empty set: a set needs at least one value"), at: open,
                    context)
                return nil
            }
            var values: [ValueInterval] = []
            var failed = false
            for element in elements {
                if let resolved = intervals(element, for: field, context) {
                    values += resolved.values
                } else {
                    failed = true
                }
            }
            return failed ? nil : (values, nil)
        }
    }

    /// The set `token` names (`@name`), or nil after reporting it undefined.
    func setState(_ token: Token) -> SetState? {
        guard let state = sets[token.text] else {
            sink.error(
                .undefinedSet,
                "undefined set '@\(token.text)'" + Suggestion.hint(for: token.text, among: sets.keys.sorted()),
                at: token)
            return nil
        }
        return state
    }

    /// The elements of `@name` as values of `field`, checking the set's value kind.
    private mutating func setElements(
        _ token: Token, for field: Field, names: NameTable?, allowsDynamic: Bool = false
    ) -> [ValueInterval]? {
        guard var state = setState(token) else { return nil }
        if state.isDynamic && !allowsDynamic {
            sink.error(
                .notSupported,
                "set '@\(token.text)' is dynamic (the datapath adds to it), so it is matched on its own, as in "
                    + "\(field.rawValue) @\(token.text) or \(field.rawValue) != @\(token.text)",
                at: token)
            return nil
        }
        if let declared = state.declaredType, !declared.accepts(field) {
            sink.error(
                .setKindConflict,
                "set '@\(token.text)' is declared '\(declared.name)' (at \(state.syntax.keyword.location)), "
                    + "which \(field.rawValue) does not take; it takes " + LiteralParser.kindDescription(field),
                at: token)
            return nil
        }
        if let first = state.firstUse, first.field.valueKind != field.valueKind {
            sink.error(
                .setKindConflict,
                "set '@\(token.text)' holds \(LiteralParser.kindDescription(first.field)) "
                    + "(it is used with \(first.field.rawValue) at \(first.location)), but \(field.rawValue) takes "
                    + LiteralParser.kindDescription(field),
                at: token)
            return nil
        }
        let use = SetUse(name: token.text, field: field)
        if names == nil, let cached = setCache[use] { return cached }
        let context = Context(suffix: " (in set @\(token.text), used with \(field.rawValue))", names: names)
        var values: [ValueInterval] = []
        var failed = false
        for element in state.syntax.elements {
            if let resolved = intervals(element, for: field, context) {
                values += resolved.values
            } else {
                failed = true
            }
        }
        if state.firstUse == nil {
            state.firstUse = (field, token.location)
            state.elements = values
            sets[token.text] = state
        }
        if names == nil { setCache[use] = failed ? nil : values }
        return failed ? nil : values
    }

    /// Resolves the elements of `@name`, which nothing uses, as values of `field` (a field its
    /// declared type serves), and keeps them as the set's elements.
    mutating func checkElements(ofSet name: String, as field: Field) {
        guard var state = sets[name], let declared = state.declaredType else { return }
        let context = Context(suffix: " (in set @\(name), declared '\(declared.name)')")
        var values: [ValueInterval] = []
        for element in state.syntax.elements {
            if let resolved = intervals(element, for: field, context) { values += resolved.values }
        }
        state.elements = values
        sets[name] = state
    }

    // MARK: Single values (rewrites, test packets, vlan push)

    /// One value of `field`; `what` names the construct for "takes a single value" messages.
    mutating func single(
        _ expression: ValueExpression, for field: Field, what: String, _ context: Context = Context()
    ) -> UInt128? {
        switch expression {
        case .literal(let token):
            if let error = Self.quoted(token) {
                report(error, at: token, context)
                return nil
            }
            switch LiteralParser.single(token.text[...], for: field) {
            case .success(let value): return value
            case .failure(let error):
                if case .success(let interval) = LiteralParser.interval(token.text[...], for: field), !interval.isSingle
                {
                    let error = ValueError(
                        code: .invalidValue,
                        message: "\(what) takes a single value; '\(token.text)' is a range or prefix")
                    report(error, at: token, context)
                } else {
                    report(error, at: token, context)
                }
                return nil
            }
        case .flags(let tokens):
            switch LiteralParser.flags(tokens.map { $0.text[...] }, for: field) {
            case .success(let mask): return mask
            case .failure(let error):
                report(error, at: tokens[0], length: expression.length, context)
                return nil
            }
        case .define(let token):
            guard let define = lookUp(token, context) else { return nil }
            var inner = entering(define, through: token, context)
            inner.reportAt = context.reportAt ?? token
            return single(define.value, for: field, what: what, inner)
        case .setReference(let token), .anonymousSet(_, let token):
            let error = ValueError(code: .invalidValue, message: "\(what) takes a single value, not a set")
            report(error, at: token, context)
            return nil
        case .string(let token):
            report(Self.notAString(for: field), at: token, context)
            return nil
        case .tuple(let parts):
            let error = ValueError(
                code: .invalidValue, message: "\(what) takes a single value, not values joined by '.'")
            report(error, at: parts[0].token, length: expression.length, context)
            return nil
        }
    }

    /// The error for a quoted value where the field's values are words (`ip saddr "10.0.0.1"`).
    static func quoted(_ token: Token) -> ValueError? {
        guard token.kind == .string else { return nil }
        return ValueError(
            code: .invalidValue,
            message: "\(token.quoted) is quoted; only interface names are (iifname \"lan0\"): write the value "
                + "without quotes")
    }

    /// The word a single value is written as (a duration, a count), following `$define`s.
    func word(_ expression: ValueExpression, what: String, _ context: Context = Context()) -> (
        text: Substring, report: Token, suffix: String
    )? {
        switch expression {
        case .literal(let token):
            if let error = Self.quoted(token) {
                report(error, at: token, context)
                return nil
            }
            return (token.text[...], context.reportAt ?? token, context.suffix)
        case .define(let token):
            guard let define = lookUp(token, context) else { return nil }
            var inner = entering(define, through: token, context)
            inner.reportAt = context.reportAt ?? token
            return word(define.value, what: what, inner)
        case .flags, .setReference, .anonymousSet, .string, .tuple:
            sink.error(.invalidValue, "\(what) takes a single value", at: context.reportAt ?? expression.token)
            return nil
        }
    }

    private static func notAString(for field: Field) -> ValueError {
        ValueError(
            code: .wrongValueKind,
            message: "\(field.rawValue) takes \(LiteralParser.kindDescription(field)), not a quoted string")
    }

    // MARK: Strings (comments, log prefixes, file and interface names)

    /// The string `token` stands for: the token itself when it is a quoted string, or the string
    /// a `$define` holds, located at the use. Nil after reporting an error; `what` names the
    /// place, for messages.
    func string(_ token: Token, what: String, _ context: Context = Context()) -> Token? {
        guard token.kind == .define else { return token }
        guard let define = lookUp(token, context) else { return nil }
        var inner = context
        inner.defines.append(define.name)
        let use = context.reportAt ?? token
        inner.reportAt = use
        switch define.value {
        case .string(let text):
            var resolved = text
            resolved.location = use.location
            resolved.length = use.length
            return resolved
        case .define(let next):
            return string(next, what: what, inner)
        default:
            sink.error(
                .wrongValueKind,
                "\(what) takes a quoted string, but $\(define.name) (defined at \(define.keyword.location)) holds "
                    + define.value.text,
                at: use)
            return nil
        }
    }
}
