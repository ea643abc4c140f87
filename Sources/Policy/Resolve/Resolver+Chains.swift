/// Chains: their names, `jump`/`goto`/`return`, verdict maps, and the checks over the chain
/// graph (unknown chains, loops, chains nothing reaches).
extension Resolver {
    /// `CHAIN/RULE` for a rule in a chain, the rule's own name at the top level.
    static func fullName(of rule: SyntaxRule) -> String {
        rule.chain.map { "\($0)/\(rule.name)" } ?? rule.name
    }

    /// A bare chain name: letters, digits, `_` and `-`; a quoted one: 1 to 64 printable
    /// characters without `/` (which separates a chain from its rule in names).
    static func isChainName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return !bytes.contains { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\"") }
    }

    mutating func declareChain(_ chain: SyntaxChain) {
        if !Resolver.isChainName(chain.name) {
            sink.error(
                .invalidName,
                "invalid chain name \"\(chain.name)\": use 1 to 64 letters, digits, '_' and '-' (no '/')",
                at: chain.nameToken)
        } else if let first = chainNames[chain.name] {
            sink.error(
                .duplicateChain, "chain \(chain.name) is already defined at \(first)", at: chain.nameToken)
        } else {
            chainNames[chain.name] = chain.keyword.location
        }
        for rule in chain.rules { declareRule(rule) }
    }

    /// The action of a rule ending in `jump`, `goto`, `return` or a verdict map.
    mutating func resolveControl(_ control: SyntaxControl) -> RuleAction? {
        switch control {
        case .jump(_, let chain):
            return reference(chain).map { .jump($0) }
        case .goto(_, let chain):
            return reference(chain).map { .goto($0) }
        case .return(let keyword):
            return .return(keyword.location)
        case .vmap(let map):
            return resolveVerdictMap(map).map { .vmap($0) }
        }
    }

    private func reference(_ chain: Token) -> ChainReference? {
        guard chainNames[chain.text] != nil else {
            sink.error(
                .unknownChain,
                "unknown chain '\(chain.text)'" + Suggestion.hint(for: chain.text, among: chainNames.keys.sorted()),
                at: chain)
            return nil
        }
        return ChainReference(name: chain.text, location: chain.location)
    }

    private mutating func resolveVerdictMap(_ map: SyntaxVerdictMap) -> VerdictMap? {
        if let reference = map.reference { return resolveNamedVerdictMap(map.field, reference) }
        return resolveMapElements(map.elements, field: map.field)
    }

    /// A verdict map's elements for `field`: values that do not overlap, each with its verdict,
    /// jump, goto or return; nil after reporting an error.
    mutating func resolveMapElements(_ syntaxElements: [SyntaxMapElement], field: SyntaxField) -> VerdictMap? {
        let errorsBefore = sink.errorCount
        var elements: [VerdictMapElement] = []
        var taken: [(interval: ValueInterval, at: SourceLocation)] = []
        let context = ValueResolver.Context(names: field.alias.map { nameTable(for: $0) })
        for element in syntaxElements {
            guard let resolved = values.intervals(element.value, for: field.field, context) else { continue }
            let location = element.value.token.location
            for interval in resolved.values {
                if let clash = taken.first(where: { $0.interval.lo <= interval.hi && interval.lo <= $0.interval.hi }) {
                    sink.error(
                        .overlappingElements,
                        "\(element.value.text) overlaps the element at \(clash.at); a verdict map's values must not "
                            + "overlap",
                        at: element.value.token)
                }
                taken.append((interval, location))
            }
            let action: RuleAction?
            switch element.target {
            case .verdict(let syntax):
                if syntax.kind == .reject && syntax.withKeyword != nil {
                    sink.error(
                        .invalidOption, "'reject with ...' cannot be a map element; write it as a rule of its own",
                        at: syntax.withKeyword!)
                    action = nil
                } else {
                    action = resolveVerdict(syntax).map { .verdict($0) }
                }
            case .control(let control):
                action = resolveControl(control)
            }
            if let action {
                elements.append(VerdictMapElement(values: resolved.values, action: action, location: location))
            }
        }
        guard sink.errorCount == errorsBefore else { return nil }
        return VerdictMap(field: field.field, elements: elements, location: field.location)
    }

    /// Loops are errors (`jump a` in chain `a`, or through others); a chain the top-level rules
    /// never reach and a `return` among the top-level rules are warnings.
    func checkChains(rules: [Rule], chains: [Chain]) {
        var edges: [String?: [ChainReference]] = [:]
        for rule in rules {
            edges[rule.chain, default: []] += Resolver.targets(of: rule.action)
            if rule.chain == nil {
                for location in Resolver.returns(in: rule.action) {
                    sink.warning(
                        .returnAtBase,
                        "'return' in a top-level rule leaves the base chain: the default verdict applies", at: location,
                        length: 6)
                }
            }
        }
        // Depth-first over the chain graph; a reference to a chain on the current path closes a loop.
        var finished: Set<String> = []
        var path: [String] = []
        func visit(_ chain: String) {
            path.append(chain)
            defer {
                path.removeLast()
                finished.insert(chain)
            }
            for target in edges[chain] ?? [] {
                if let start = path.firstIndex(of: target.name) {
                    let loop = path[start...] + [target.name]
                    sink.error(
                        .chainLoop, "chain loop: " + loop.joined(separator: " -> "), at: target.location,
                        length: target.name.utf8.count)
                } else if !finished.contains(target.name) {
                    visit(target.name)
                }
            }
        }
        for chain in chains where !finished.contains(chain.name) { visit(chain.name) }
        var reached: Set<String> = []
        var pending = (edges[nil] ?? []).map(\.name)
        while let next = pending.popLast() {
            guard reached.insert(next).inserted else { continue }
            pending += (edges[next] ?? []).map(\.name)
        }
        for chain in chains where !reached.contains(chain.name) {
            sink.warning(
                .unusedChain, "chain \(chain.name) is never used: no top-level rule reaches it", at: chain.location,
                length: 5)
        }
    }

    static func targets(of action: RuleAction) -> [ChainReference] {
        switch action {
        case .jump(let reference), .goto(let reference): return [reference]
        case .vmap(let map): return map.elements.flatMap { targets(of: $0.action) }
        case .verdict, .next, .return: return []
        }
    }

    private static func returns(in action: RuleAction) -> [SourceLocation] {
        switch action {
        case .return(let location): return [location]
        case .vmap(let map): return map.elements.flatMap { returns(in: $0.action) }
        case .verdict, .next, .jump, .goto: return []
        }
    }

    /// One note for all `counter` statements: they change nothing.
    static func noteCounters(_ counters: [Token], sink: DiagnosticSink) {
        guard let first = counters.first else { return }
        let others = counters.count > 1 ? " (and \(counters.count - 1) more)" : ""
        sink.note(
            .counterImplicit,
            "'counter' does nothing here\(others): every rule counts its packets and bytes already", at: first)
    }
}
