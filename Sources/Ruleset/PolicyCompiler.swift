import CPcap
import Frame
import Policy

/// Compiles a checked ``Policy`` into a ``CompiledPolicy``.
///
/// Compilation cannot fail: everything that could be wrong with a policy was reported by the
/// checker. It sorts each rule's terms cheapest first, hoists `mirror` statements to the front
/// (the copy is of the frame as received), fills verdict options from `defaults`, and builds the
/// ``RuleIndex`` when the policy is large enough for one to pay.
public enum PolicyCompiler {
    /// Tuning knobs, exposed for tests and benchmarks.
    public struct Options: Sendable {
        /// Policies with at most this many rules are scanned linearly.
        public var linearScanLimit: Int = 16
        /// A term is a usable anchor only when it covers at most this fraction of its field.
        public var maximumAnchorCoverage: Double = 1.0 / 16
        /// Sets with more exact values than this become hash sets.
        public var hashSetThreshold: Int = 8
        public init() {}
    }

    public static func compile(_ policy: Policy, options: Options = Options()) -> CompiledPolicy {
        var builder = ProgramBuilder()
        builder.dynamicSets = policy.sets.compactMap { set in
            set.dynamic.map { CompiledDynamicSet(name: set.name, spec: $0, elements: set.elements.map(\.lo)) }
        }
        let program = FlatProgram(policy)
        for rule in program.rules {
            builder.addRule(
                rule, name: rule.source.map { policy.rules[$0].name } ?? "", defaults: policy.defaults, options: options
            )
        }
        // Rules inside chains' segments are rejected by the scan with two compares unless
        // evaluation is in them, so they count little towards the size where an index pays:
        // up to three times the limit of them are not counted.
        var indexOptions = options
        let inSegments = program.rules.filter { $0.segment != 0..<program.rules.count }.count
        indexOptions.linearScanLimit += min(inSegments, 3 * options.linearScanLimit)
        let index = RuleIndexBuilder.build(
            matches: program.rules.map(\.match), required: builder.rules.map(\.requiredFields),
            options: indexOptions)
        let defaultOptions = policy.defaults
        let defaultRule = CompiledRule(
            terms: .empty, actions: .empty, verdict: policy.defaultVerdict == .forward ? .forward : .drop,
            retries: UInt8(clamping: defaultOptions.retries ?? 0), hasEffects: false,
            delayNanoseconds: defaultOptions.delay ?? 0, jitterNanoseconds: defaultOptions.jitter ?? 0)
        return CompiledPolicy(
            policy: policy, rules: builder.rules, terms: builder.terms, actions: builder.actions,
            intervalPool: builder.intervalPool, narrowPool: builder.narrowPool, hashSets: builder.hashSets,
            bpfPrograms: builder.bpfPrograms,
            index: index, defaultRule: defaultRule, logPrefixes: builder.logPrefixes,
            captureFiles: builder.captureFiles, mirrorInterfaces: builder.mirrorInterfaces, limits: builder.limits,
            quotas: builder.quotas, logLevels: builder.logLevels, dynamicSets: builder.dynamicSets)
    }
}

/// Accumulates the flat tables rule by rule.
private struct ProgramBuilder {
    var rules: [CompiledRule] = []
    var terms: [Term] = []
    var actions: [Action] = []
    var intervalPool: [ValueInterval] = []
    var narrowPool: [NarrowInterval] = []
    var hashSets: [FlatHashMap] = []
    var bpfPrograms: [[bpf_insn]] = []
    var logPrefixes: [String?] = []
    var logLevels: [LogLevel?] = []
    var captureFiles: [String] = []
    var mirrorInterfaces: [String] = []
    var limits: [CompiledLimit] = []
    var quotas: [CompiledQuota] = []
    var dynamicSets: [CompiledDynamicSet] = []
    /// The rule being compiled, for the stateful terms' names.
    private var ruleName = ""

    mutating func addRule(_ rule: FlatRule, name: String, defaults: VerdictOptions, options: PolicyCompiler.Options) {
        ruleName = name
        let compiledTerms =
            rule.match.map { compileTerm($0, options: options) }
            .enumerated()
            .sorted { ($0.element.cost, $0.offset) < ($1.element.cost, $1.offset) }
            .map(\.element.term)
            + rule.statements.compactMap { statement in
                // An add runs after the match line; a full set stops the rule there, as nft's.
                guard case .setUpdate(let update) = statement.kind else { return nil }
                return setUpdateTerm(update)
            }
        let termSlice = PoolSlice(start: Int32(terms.count), count: Int32(compiledTerms.count))
        terms += compiledTerms

        // Mirror copies are of the frame as received, so they run before any rewrite.
        let mirrors = rule.statements.filter { if case .mirror = $0.kind { return true } else { return false } }
        let others = rule.statements.filter { if case .mirror = $0.kind { return false } else { return true } }
        let actionStart = actions.count
        var hasEffects = false
        var rewrites = false
        for statement in mirrors + others {
            if case .setUpdate = statement.kind { continue }
            let action = compileStatement(statement.kind)
            switch action {
            case .rewrite, .segmentSizeToMTU: rewrites = true
            case .log, .capture, .mirror: hasEffects = true
            }
            actions.append(action)
        }
        var required: UInt64 = 0
        for term in compiledTerms where !term.negated && term.test.readsField {
            required |= term.field.bit
        }
        let filled = (rule.verdict?.options ?? VerdictOptions()).filled(from: defaults)
        var compiled = CompiledRule(
            terms: termSlice,
            actions: PoolSlice(start: Int32(actionStart), count: Int32(actions.count - actionStart)),
            verdict: VerdictCode(rule.verdict?.kind ?? .forward), retries: UInt8(clamping: filled.retries ?? 0),
            hasEffects: hasEffects, delayNanoseconds: filled.delay ?? 0, jitterNanoseconds: filled.jitter ?? 0,
            requiredFields: required, answer: rule.verdict?.answer ?? .automatic)
        compiled.slot = rule.source.map { Int32($0) } ?? -1
        compiled.next = rule.verdict == nil ? Int32(rule.next) : -1
        compiled.counts = rule.counts
        compiled.rewrites = rewrites
        compiled.segmentLow = Int32(rule.segment.lowerBound)
        compiled.segmentHigh = Int32(rule.segment.upperBound)
        if let enters = rule.enters {
            compiled.entersLow = Int32(enters.lowerBound)
            compiled.entersHigh = Int32(enters.upperBound)
        }
        rules.append(compiled)
    }

    /// A term and its rough cost, so cheap tests run first.
    private mutating func compileTerm(_ term: MatchTerm, options: PolicyCompiler.Options) -> (term: Term, cost: Int) {
        switch term {
        case .limit(let match):
            let ordinal = limits.filter { $0.ruleName == ruleName }.count
            limits.append(CompiledLimit(ruleName: ruleName, ordinal: ordinal, limit: match.limit, key: match.per))
            let slice = PoolSlice(start: Int32(limits.count - 1), count: 1)
            // Stateful terms run last, in written order: only frames the rest of the line lets
            // through take a token.
            return (Term(field: .metaLength, test: .limit, negated: false, slice: slice), 10_000 + ordinal)
        case .quota(let match):
            let ordinal = quotas.filter { $0.ruleName == ruleName }.count
            quotas.append(CompiledQuota(ruleName: ruleName, ordinal: ordinal, amount: match.amount, mode: match.mode))
            let slice = PoolSlice(start: Int32(quotas.count - 1), count: 1)
            return (Term(field: .metaLength, test: .quota, negated: false, slice: slice), 20_000 + ordinal)
        case .concatenation:
            preconditionFailure("FlatProgram lays concatenations out as single-field rules")
        case .setMembership(let match):
            let slice = PoolSlice(start: Int32(dynamicSetIndex(match.set)), count: 1)
            return (Term(field: FieldCode(match.field), test: .setMember, negated: match.negated, slice: slice), 50)
        case .bpf(let match):
            bpfPrograms.append(
                match.program.map { bpf_insn(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) })
            let slice = PoolSlice(start: Int32(bpfPrograms.count - 1), count: 1)
            return (Term(field: .metaLength, test: .bpf, negated: match.negated, slice: slice), 100)
        case .field(let match):
            let field = FieldCode(match.field)
            // A masked comparison's values are the exact flags bytes it holds for.
            if match.field.isBitmask && match.masked == nil {
                let masks = Array(Set(match.values.map(\.lo))).sorted()
                if masks.count == 1 {
                    return (Term(field: field, test: .allBits, negated: match.negated, lo: masks[0]), 1)
                }
                let slice = appendIntervals(masks.map { ValueInterval($0) })
                return (Term(field: field, test: .anyAllBits, negated: match.negated, slice: slice), 3)
            }
            let intervals = IntervalMath.normalize(match.values)
            if intervals.count == 1 {
                let only = intervals[0]
                if !field.isWide {
                    let span = only.hi - only.lo
                    return (Term(field: field, test: .narrowInterval, negated: match.negated, lo: only.lo, hi: span), 1)
                }
                return (Term(field: field, test: .interval, negated: match.negated, lo: only.lo, hi: only.hi), 1)
            }
            if intervals.count <= options.hashSetThreshold && !field.isWide {
                let slice = PoolSlice(start: Int32(narrowPool.count), count: Int32(intervals.count))
                narrowPool += intervals.map {
                    NarrowInterval(
                        lo: UInt64(truncatingIfNeeded: $0.lo), span: UInt64(truncatingIfNeeded: $0.hi - $0.lo))
                }
                return (
                    Term(field: field, test: .narrowList, negated: match.negated, slice: slice), 2 + intervals.count
                )
            }
            if intervals.count <= options.hashSetThreshold {
                let slice = appendIntervals(intervals)
                return (
                    Term(field: field, test: .intervalList, negated: match.negated, slice: slice), 2 + intervals.count
                )
            }
            if intervals.allSatisfy(\.isSingle) {
                hashSets.append(FlatHashMap(intervals.map { ($0.lo, PoolSlice(start: 0, count: 1)) }))
                let slice = PoolSlice(start: Int32(hashSets.count - 1), count: 1)
                return (Term(field: field, test: .exactHash, negated: match.negated, slice: slice), 5)
            }
            let slice = appendIntervals(intervals)
            return (Term(field: field, test: .sortedIntervals, negated: match.negated, slice: slice), 8)
        }
    }

    /// The term that runs `add` or `update`.
    private func setUpdateTerm(_ update: SetUpdate) -> Term {
        Term(
            field: FieldCode(update.field), test: update.operation == .add ? .setAdd : .setUpdate, negated: false,
            lo: UInt128(update.timeout ?? 0), hi: update.timeout == nil ? 0 : 1,
            slice: PoolSlice(start: Int32(dynamicSetIndex(update.set)), count: 1))
    }

    private func dynamicSetIndex(_ name: String) -> Int {
        guard let index = dynamicSets.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("the checker marks every set an add, update or membership names as dynamic: \(name)")
        }
        return index
    }

    private mutating func appendIntervals(_ intervals: [ValueInterval]) -> PoolSlice {
        let slice = PoolSlice(start: Int32(intervalPool.count), count: Int32(intervals.count))
        intervalPool += intervals
        return slice
    }

    private mutating func compileStatement(_ kind: StatementKind) -> Action {
        switch kind {
        case .set(let field, let value):
            return .rewrite(Self.rewrite(field, value))
        case .vlanPush(let id):
            return .rewrite(.vlanPush(id))
        case .vlanPop:
            return .rewrite(.vlanPop)
        case .segmentSizeToMTU:
            return .segmentSizeToMTU
        case .log(let prefix, let level):
            logPrefixes.append(prefix)
            logLevels.append(level)
            return .log(Int32(logPrefixes.count - 1))
        case .pcap(let path):
            if let existing = captureFiles.firstIndex(of: path) { return .capture(Int32(existing)) }
            captureFiles.append(path)
            return .capture(Int32(captureFiles.count - 1))
        case .mirror(let interface):
            if let existing = mirrorInterfaces.firstIndex(of: interface) { return .mirror(Int32(existing)) }
            mirrorInterfaces.append(interface)
            return .mirror(Int32(mirrorInterfaces.count - 1))
        case .setUpdate:
            preconditionFailure("add and update compile to terms, not actions")
        }
    }

    /// The frame rewrite for `FIELD set VALUE`; the checker allows only rewritable fields.
    static func rewrite(_ field: Field, _ value: UInt128) -> FieldRewrite {
        switch field {
        case .etherSaddr: return .etherSource(UInt64(truncatingIfNeeded: value))
        case .etherDaddr: return .etherDestination(UInt64(truncatingIfNeeded: value))
        case .vlanID: return .vlanID(UInt16(truncatingIfNeeded: value))
        case .vlanPCP: return .vlanPCP(UInt8(truncatingIfNeeded: value))
        case .ipSaddr: return .ipv4Source(UInt32(truncatingIfNeeded: value))
        case .ipDaddr: return .ipv4Destination(UInt32(truncatingIfNeeded: value))
        case .ipTTL: return .ipv4TTL(UInt8(truncatingIfNeeded: value))
        case .ipDSCP: return .ipv4DSCP(UInt8(truncatingIfNeeded: value))
        case .ipECN: return .ipv4ECN(UInt8(truncatingIfNeeded: value))
        case .ip6Saddr: return .ipv6Source(value)
        case .ip6Daddr: return .ipv6Destination(value)
        case .ip6Hoplimit: return .ipv6HopLimit(UInt8(truncatingIfNeeded: value))
        case .ip6DSCP: return .ipv6DSCP(UInt8(truncatingIfNeeded: value))
        case .tcpSport: return .tcpSourcePort(UInt16(truncatingIfNeeded: value))
        case .tcpDport: return .tcpDestinationPort(UInt16(truncatingIfNeeded: value))
        case .udpSport: return .udpSourcePort(UInt16(truncatingIfNeeded: value))
        case .udpDport: return .udpDestinationPort(UInt16(truncatingIfNeeded: value))
        case .tcpMSS: return .tcpMaxSegmentSize(UInt16(truncatingIfNeeded: value))
        default:
            preconditionFailure("the checker lets only rewritable fields reach the compiler, not \(field.rawValue)")
        }
    }
}

extension VerdictCode {
    /// The code for a language verdict.
    public init(_ kind: VerdictKind) {
        switch kind {
        case .forward: self = .forward
        case .drop: self = .drop
        case .reflect: self = .reflect
        case .reflectForward: self = .reflectForward
        case .reject: self = .reject
        }
    }
}
