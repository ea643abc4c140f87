import Limits

/// Dynamic sets: sets the datapath adds to (`flags dynamic`, or used by `add` or `update`),
/// the `add` and `update` statements, and membership in such a set.
extension Resolver {
    /// The fields whose value `add` and `update` put into a set.
    static let setUpdateFields: [Field] = [
        .ipSaddr, .ipDaddr, .ip6Saddr, .ip6Daddr, .etherSaddr, .etherDaddr, .tcpSport, .tcpDport, .udpSport,
        .udpDport,
    ]

    /// Marks the sets declared `flags dynamic` and those an `add` or `update` names as dynamic,
    /// before any rule is resolved (a rule may test a set a later rule adds to).
    mutating func markDynamicSets(_ items: [LoadedItem]) {
        var named: Set<String> = []
        for loaded in items {
            let rules: [SyntaxRule]
            switch loaded.item {
            case .rule(let rule): rules = [rule]
            case .chain(let chain): rules = chain.rules
            default: continue
            }
            for rule in rules {
                for statement in rule.statements {
                    if case .setUpdate(_, let set, _, _) = statement.kind { named.insert(set.text) }
                }
            }
        }
        for name in setOrder {
            guard var state = values.sets[name] else { continue }
            let flagged = state.syntax.declaration?.flags.contains { $0.text == "dynamic" } ?? false
            guard flagged || named.contains(name) else { continue }
            state.isDynamic = true
            values.sets[name] = state
        }
    }

    /// `add @SET { FIELD [timeout T] }` or `update ...`.
    mutating func resolveSetUpdate(
        verb: Token, set: Token, field: SyntaxField, timeout: Token?, location: SourceLocation
    ) -> Statement? {
        guard let state = values.setState(set) else { return nil }
        guard let declared = state.declaredType else {
            if state.syntax.declaration == nil {
                sink.error(
                    .notSupported,
                    "'\(verb.text) @\(set.text)' needs the set declared with its type, as in set \(set.text) { type "
                        + "ipv4_addr; flags dynamic,timeout; timeout 60s; }",
                    at: set)
            }
            return nil
        }
        guard Resolver.setUpdateFields.contains(field.field), field.alias == nil else {
            sink.error(
                .notSupported,
                "'\(verb.text)' puts one of " + Resolver.setUpdateFields.map(\.rawValue).joined(separator: ", ")
                    + " into a set, not \(field.name)",
                at: field.location, length: field.length)
            return nil
        }
        guard declared.accepts(field.field) else {
            sink.error(
                .setKindConflict,
                "set '@\(set.text)' is declared '\(declared.name)' (at \(state.syntax.keyword.location)), which "
                    + "\(field.field.rawValue) does not fit",
                at: field.location, length: field.length)
            return nil
        }
        var nanoseconds: UInt64?
        if let timeout {
            guard let parsed = Resolver.nftDuration(timeout.text), parsed > 0 else {
                sink.error(
                    .invalidValue,
                    "'\(timeout.text)' is not a timeout; write it as nft does, as in 30s, 10m, 1h or 1d2h", at: timeout)
                return nil
            }
            guard Resolver.hasTimeouts(state.syntax.declaration) else {
                sink.error(
                    .invalidValue,
                    "set '@\(set.text)' keeps its elements without a timeout; declare it with flags timeout (or a "
                        + "timeout) to give elements one (the kernel refuses it too)",
                    at: timeout)
                return nil
            }
            nanoseconds = parsed
        }
        let operation: SetUpdateOperation = verb.text == "add" ? .add : .update
        return Statement(
            kind: .setUpdate(
                SetUpdate(
                    operation: operation, set: set.text, field: field.field, timeout: nanoseconds, location: location)),
            location: location)
    }

    /// The membership term for `FIELD @SET` / `FIELD != @SET` when the set is dynamic (its kind
    /// checked against the field), nil for any other value; `failed` after an error.
    mutating func dynamicMembership(
        _ field: SyntaxField, negated: Bool, value: ValueExpression
    ) -> (term: MatchTerm?, failed: Bool) {
        guard case .setReference(let token) = value, values.sets[token.text]?.isDynamic == true else {
            return (nil, false)
        }
        var context = ValueResolver.Context()
        context.allowsDynamicSets = true
        guard field.alias == nil, values.intervals(value, for: field.field, context) != nil else { return (nil, true) }
        return (
            .setMembership(
                SetMembershipMatch(field: field.field, negated: negated, set: token.text, location: field.location)),
            false
        )
    }

    /// What a dynamic set is declared as; nil after reporting why it cannot be one.
    func dynamicSpec(_ state: ValueResolver.SetState) -> DynamicSetSpec? {
        guard state.isDynamic, let declaration = state.syntax.declaration, let type = state.declaredType,
            let keyField = type.representativeField, let typeName = Self.nftTypeName(type)
        else {
            // A plain `set NAME = { ... }` named by `add` was reported there.
            if state.isDynamic && state.syntax.declaration != nil {
                sink.error(
                    .notSupported,
                    "a dynamic set holds addresses (ipv4_addr, ipv6_addr, ether_addr) or ports (inet_service); "
                        + "declare set \(state.syntax.name) { type ipv4_addr; ... }",
                    at: state.syntax.nameToken)
            }
            return nil
        }
        if let interval = declaration.flags.first(where: { $0.text == "interval" }) {
            sink.error(
                .notSupported, "a dynamic set holds single values; 'interval' cannot go with 'dynamic'",
                at: interval)
            return nil
        }
        if state.elements.contains(where: { !$0.isSingle }) {
            sink.error(
                .invalidValue,
                "the elements of dynamic set '@\(state.syntax.name)' are single values, not prefixes or ranges",
                at: state.syntax.nameToken)
            return nil
        }
        var size = DynamicSetTable.defaultCapacity
        if let written = declaration.size, case .value(let count) = LiteralParser.number(written.text[...]) {
            guard count <= UInt64(DynamicSetTable.maximumCapacity) else {
                sink.error(
                    .valueOutOfRange,
                    "a dynamic set holds at most \(DynamicSetTable.maximumCapacity) elements, not \(written.text)",
                    at: written)
                return nil
            }
            size = Int(count)
        }
        return DynamicSetSpec(
            size: size, sizeWritten: declaration.size != nil,
            timeout: declaration.timeout.flatMap { Resolver.nftDuration($0.text) },
            hasTimeouts: Self.hasTimeouts(declaration), typeName: typeName, keyField: keyField)
    }

    static func hasTimeouts(_ declaration: SyntaxSetDeclaration?) -> Bool {
        guard let declaration else { return false }
        return declaration.timeout != nil || declaration.flags.contains { $0.text == "timeout" }
    }

    /// nft's name of a type a dynamic set may have.
    static func nftTypeName(_ type: SetElementType) -> String? {
        switch type {
        case .ipv4Address: return "ipv4_addr"
        case .ipv6Address: return "ipv6_addr"
        case .etherAddress: return "ether_addr"
        case .inetService: return "inet_service"
        case .field(let field):
            switch field.valueKind {
            case .ipv4: return "ipv4_addr"
            case .ipv6: return "ipv6_addr"
            case .mac: return "ether_addr"
            default:
                return [.tcpSport, .tcpDport, .udpSport, .udpDport].contains(field) ? "inet_service" : nil
            }
        default: return nil
        }
    }
}
