/// Checks the statements of every file together and builds the ``Policy``: declarations first
/// (so `$define`s, `@set`s and rules may be used before they are written), then rules and tests,
/// then the warnings.
struct Resolver {
    let sink: DiagnosticSink
    var values: ValueResolver
    /// Rule name -> where `rule` was written, for duplicates and `expect ... by "NAME"`.
    var ruleNames: [String: SourceLocation] = [:]
    var testNames: [String: SourceLocation] = [:]
    /// Chain name -> where `chain` was written.
    var chainNames: [String: SourceLocation] = [:]
    var setOrder: [String] = []
    /// Named verdict maps (`map NAME { ... }`), their key types, and which `vmap @NAME` used.
    var maps: [String: DeclaredMap] = [:]
    var mapOrder: [String] = []
    var defaultVerdict: (verdict: DefaultVerdict, keyword: Token)?
    var defaultsSyntax: SyntaxDefaults?
    var defaults = VerdictOptions()
    var stateDefaults = StateDefaults()
    var bpfCache: [String: Result<[BPFInstruction], BPFCompileError>] = [:]

    init(sink: DiagnosticSink, ports: PortInterfaces? = nil) {
        self.sink = sink
        self.values = ValueResolver(sink: sink)
        self.values.ports = ports
    }

    /// The policy, or nil when any error was reported.
    mutating func resolve(items: [LoadedItem], sources: [SourceFile], mainPath: String) -> Policy? {
        declare(items)
        markDynamicSets(items)
        if let defaultsSyntax {
            defaults = resolveDefaults(defaultsSyntax)
            stateDefaults = resolveStateDefaults(defaultsSyntax.stateOptions)
        }
        var rules: [Rule] = []
        var chains: [Chain] = []
        var tests: [TestBlock] = []
        var counters: [Token] = []
        for loaded in items {
            switch loaded.item {
            case .rule(let syntax):
                counters += syntax.counters
                if let rule = resolveRule(syntax, path: loaded.path) { rules.append(rule) }
            case .chain(let chain):
                chains.append(Chain(name: chain.name, location: chain.keyword.location))
                for syntax in chain.rules {
                    counters += syntax.counters
                    if let rule = resolveRule(syntax, path: loaded.path) { rules.append(rule) }
                }
            case .test(let syntax):
                if let test = resolveTest(syntax) { tests.append(test) }
            default:
                break
            }
        }
        checkUnusedDeclaredSets()
        checkUnusedMaps()
        if defaultVerdict == nil {
            sink.error(
                .missingDefault, "the policy has no default verdict; add 'default forward' or 'default drop'",
                at: SourceLocation(file: mainPath, line: 1, column: 1))
        }
        if !sink.hasErrors { checkChains(rules: rules, chains: chains) }
        guard !sink.hasErrors, let defaultVerdict else { return nil }
        UnusedDefinitions.warn(items: items, sink: sink)
        ShadowAnalysis.warn(rules: rules, chains: chains, sink: sink)
        Resolver.noteCounters(counters, sink: sink)
        let sets = setOrder.compactMap { name -> NamedSet? in
            guard let state = values.sets[name] else { return nil }
            return NamedSet(
                name: name, elements: state.elements,
                valueKind: state.firstUse?.field.valueKind ?? state.declaredType?.valueKind,
                location: state.syntax.keyword.location, dynamic: dynamicSpec(state))
        }
        guard !sink.hasErrors else { return nil }
        return Policy(
            version: 1, defaultVerdict: defaultVerdict.verdict, defaultLocation: defaultVerdict.keyword.location,
            defaults: defaults, stateDefaults: stateDefaults, sets: sets, rules: rules, chains: chains, tests: tests,
            sources: sources)
    }

    /// Collects defines, sets, the default, defaults and rule and test names over all files.
    private mutating func declare(_ items: [LoadedItem]) {
        for loaded in items {
            switch loaded.item {
            case .define(let define):
                if let first = values.defines[define.name] {
                    sink.error(
                        .duplicateDefinition,
                        "define '$\(define.name)' is already defined at \(first.keyword.location)", at: define.nameToken
                    )
                } else {
                    values.defines[define.name] = define
                }
            case .set(let set):
                if let first = values.sets[set.name] {
                    sink.error(
                        .duplicateDefinition,
                        "set '@\(set.name)' is already defined at \(first.syntax.keyword.location)", at: set.nameToken)
                } else if let map = maps[set.name] {
                    sink.error(
                        .duplicateDefinition,
                        "'@\(set.name)' is already defined as a map at \(map.syntax.keyword.location)",
                        at: set.nameToken)
                } else {
                    values.sets[set.name] = ValueResolver.SetState(syntax: set, declaredType: declaredType(of: set))
                    setOrder.append(set.name)
                }
            case .map(let map):
                declareMap(map)
            case .defaultVerdict(let verdict, let keyword):
                if let first = defaultVerdict {
                    sink.error(
                        .duplicateDefault,
                        "'default' is given twice; the first is at \(first.keyword.location)", at: keyword)
                } else {
                    defaultVerdict = (verdict, keyword)
                }
            case .defaults(let syntax):
                if let first = defaultsSyntax {
                    sink.error(
                        .duplicateDefinition,
                        "'defaults' is given twice; the first is at \(first.keyword.location)", at: syntax.keyword)
                } else {
                    defaultsSyntax = syntax
                }
            case .rule(let rule):
                declareRule(rule)
            case .chain(let chain):
                declareChain(chain)
            case .test(let test):
                if test.name.isEmpty {
                    sink.error(.invalidName, "a test needs a name", at: test.nameToken)
                } else if let first = testNames[test.name] {
                    sink.error(
                        .duplicateTest, "test \"\(test.name)\" is already defined at \(first)", at: test.nameToken)
                } else {
                    testNames[test.name] = test.keyword.location
                }
            case .version, .include:
                break
            }
        }
    }

    mutating func declareRule(_ rule: SyntaxRule) {
        if !Resolver.isRuleName(rule.name) {
            sink.error(
                .invalidName,
                "invalid rule name \"\(rule.name)\": use 1 to 48 of a-z, 0-9 and '-', starting with a letter or digit",
                at: rule.nameToken)
        }
        let name = Resolver.fullName(of: rule)
        if let first = ruleNames[name] {
            sink.error(.duplicateRule, "rule \"\(name)\" is already defined at \(first)", at: rule.nameToken)
        } else {
            ruleNames[name] = rule.keyword.location
        }
    }

    /// `[a-z0-9][a-z0-9-]{0,47}`.
    static func isRuleName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...48).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        return isAlphanumeric(bytes[0]) && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// The program for a `bpf` expression, compiled once per read.
    mutating func compileBPF(_ expression: String) -> Result<[BPFInstruction], BPFCompileError> {
        if let cached = bpfCache[expression] { return cached }
        let result = BPFCompiler.compile(expression)
        bpfCache[expression] = result
        return result
    }
}
