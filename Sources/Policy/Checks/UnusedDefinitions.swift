/// Warns about `define`s and `set`s that nothing refers to (in any file, including other
/// defines and sets).
enum UnusedDefinitions {
    static func warn(items: [LoadedItem], sink: DiagnosticSink) {
        var defines: Set<String> = []
        var sets: Set<String> = []
        func collect(_ value: ValueExpression) {
            switch value {
            case .literal, .flags, .string: break
            case .define(let token): defines.insert(token.text)
            case .setReference(let token): sets.insert(token.text)
            case .anonymousSet(let elements, _): for element in elements { collect(element) }
            case .tuple(let parts): for part in parts { collect(part) }
            }
        }
        for loaded in items {
            for value in references(in: loaded.item) { collect(value) }
        }
        var declaredDefines: Set<String> = []
        var declaredSets: Set<String> = []
        for loaded in items {
            switch loaded.item {
            case .define(let define)
            where !defines.contains(define.name) && declaredDefines.insert(define.name).inserted:
                sink.warning(
                    .unusedDefine, "define '$\(define.name)' is never used", at: define.nameToken.location,
                    length: define.nameToken.length)
            case .set(let set) where !sets.contains(set.name) && declaredSets.insert(set.name).inserted:
                sink.warning(
                    .unusedSet, "set '@\(set.name)' is never used", at: set.nameToken.location,
                    length: set.nameToken.length)
            default:
                break
            }
        }
    }

    /// Every value written in `item`.
    private static func references(in item: SyntaxItem) -> [ValueExpression] {
        switch item {
        case .define(let define): return [define.value]
        case .set(let set): return set.elements
        case .map(let map):
            return map.elements.flatMap { element -> [ValueExpression] in
                guard case .verdict(let verdict) = element.target else { return [element.value] }
                return [element.value] + verdict.options.map(\.value)
            }
        case .defaults(let defaults): return defaults.options.map(\.value)
        case .rule(let rule):
            return references(in: rule)
        case .chain(let chain):
            return chain.rules.flatMap { references(in: $0) }
        case .test(let test):
            return test.steps.flatMap { step in
                step.packet.map(\.value)
                    + (step.expectation.map { $0.fields.map(\.value) + $0.answerFields.map(\.value) } ?? [])
            }
        case .version, .include, .defaultVerdict:
            return []
        }
    }

    private static func references(in rule: SyntaxRule) -> [ValueExpression] {
        var values: [ValueExpression] = []
        for term in rule.match {
            if case .field(_, _, let value) = term { values.append(value) }
            if case .concatenation(_, _, let value) = term { values.append(value) }
            if case .masked(let masked) = term { values += [masked.mask, masked.value] }
            if case .ordered(let ordered) = term { values.append(ordered.value) }
        }
        for statement in rule.statements {
            switch statement.kind {
            case .set(_, let value), .vlanPush(let value): values.append(value)
            case .log(let prefix?, _) where prefix.kind == .define: values.append(.define(prefix))
            case .pcap(let text), .mirror(let text):
                if text.kind == .define { values.append(.define(text)) }
            default: break
            }
        }
        if let comment = rule.commentToken, comment.kind == .define { values.append(.define(comment)) }
        if case .vmap(let map)? = rule.control {
            for element in map.elements {
                values.append(element.value)
                if case .verdict(let verdict) = element.target { values += verdict.options.map(\.value) }
            }
        }
        return values + (rule.verdict?.options.map(\.value) ?? [])
    }
}
