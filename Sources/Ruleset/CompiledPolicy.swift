import CPcap
import Policy

/// A policy compiled to flat, immutable tables that the pipeline interprets in one tight loop.
///
/// Built once per accepted policy (start and each reload) by ``PolicyCompiler``; shared read-only
/// by every forwarding thread; freed when the last reference goes. Nothing in it is reached
/// through an existential or a closure.
public final class CompiledPolicy: @unchecked Sendable {
    /// The checked policy this was compiled from (names, locations, the nftables mirror's input).
    public let policy: Policy
    /// Rules in evaluation order, chains inlined (``Policy/FlatProgram``); a rule's
    /// ``CompiledRule/slot`` is its named rule's index in ``ruleNames``.
    public let rules: FlatArray<CompiledRule>
    public let terms: FlatArray<Term>
    public let actions: FlatArray<Action>
    /// Intervals of `intervalList`, `sortedIntervals` and `anyAllBits` terms.
    public let intervalPool: FlatArray<ValueInterval>
    /// Intervals of `narrowList` terms, as (lo, span) in 64 bits.
    public let narrowPool: FlatArray<NarrowInterval>
    /// Hash sets of `exactHash` terms (membership: the value slices are unused).
    public let hashSets: FlatArray<FlatHashMap>
    /// BPF programs of `bpf` terms.
    public let bpfPrograms: FlatArray<FlatArray<bpf_insn>>
    public let index: RuleIndex
    /// The verdict and options for frames no rule matches.
    public let defaultRule: CompiledRule
    /// Every field a term or the index reads (bit `FieldCode.rawValue`).
    public let usedFields: UInt64

    /// Rule names (chain rules as `CHAIN/RULE`), by slot: the number of counters, logs and
    /// decisions.
    public let ruleNames: [String]
    /// Some rule goes on without deciding (no verdict, a jump, a verdict map).
    public let continues: Bool
    /// `log prefix` texts, by the index in ``Action/log(_:)`` (nil: no prefix).
    public let logPrefixes: [String?]
    /// `log level`s, by the same index (nil: the default, `info`).
    public let logLevels: [LogLevel?]
    /// `pcap` file paths, by the index in ``Action/capture(_:)``.
    public let captureFiles: [String]
    /// `mirror` interface names, by the index in ``Action/mirror(_:)``.
    public let mirrorInterfaces: [String]
    /// `limit` terms, by the index in their term's slice.
    public let limits: [CompiledLimit]
    /// `quota` terms, by the index in their term's slice.
    public let quotas: [CompiledQuota]
    /// Dynamic sets, by the index in their terms' slices.
    public let dynamicSets: [CompiledDynamicSet]
    /// Some rule matches `ct state` or `ct direction`: frames must be looked up in the flow table.
    public let usesFlows: Bool
    /// Some rule rejects: answers may be built.
    public let rejects: Bool

    init(
        policy: Policy, rules: [CompiledRule], terms: [Term], actions: [Action], intervalPool: [ValueInterval],
        narrowPool: [NarrowInterval],
        hashSets: [FlatHashMap], bpfPrograms: [[bpf_insn]], index: RuleIndex, defaultRule: CompiledRule,
        logPrefixes: [String?], captureFiles: [String], mirrorInterfaces: [String], limits: [CompiledLimit] = [],
        quotas: [CompiledQuota] = [], logLevels: [LogLevel?] = [], dynamicSets: [CompiledDynamicSet] = []
    ) {
        self.policy = policy
        self.rules = FlatArray(rules)
        self.terms = FlatArray(terms)
        self.actions = FlatArray(actions)
        self.intervalPool = FlatArray(intervalPool)
        self.narrowPool = FlatArray(narrowPool)
        self.hashSets = FlatArray(hashSets)
        self.bpfPrograms = FlatArray(bpfPrograms.map { FlatArray($0) })
        self.index = index
        self.defaultRule = defaultRule
        var used: UInt64 = 0
        for term in terms where term.test.readsField { used |= term.field.bit }
        for limit in limits { for field in limit.keyFields { used |= field.bit } }
        for table in index.prefixTables.buffer { used |= table.field.bit }
        for table in index.exactTables.buffer { used |= table.field.bit }
        for table in index.rangeTables.buffer { used |= table.field.bit }
        self.usedFields = used
        self.ruleNames = policy.rules.map(\.name)
        self.logPrefixes = logPrefixes
        self.logLevels = logLevels
        self.captureFiles = captureFiles
        self.mirrorInterfaces = mirrorInterfaces
        self.limits = limits
        self.quotas = quotas
        self.dynamicSets = dynamicSets
        self.usesFlows = terms.contains { $0.field == .ctState || $0.field == .ctDirection }
        self.rejects = rules.contains { $0.verdict == .reject && $0.next < 0 }
        self.continues = rules.contains { $0.next >= 0 }
    }

    /// Number of named rules (counter slots; compiled rules may be more: ``rules``).
    public var ruleCount: Int { ruleNames.count }

    deinit {
        for i in 0..<hashSets.count { hashSets[i].deallocate() }
        for i in 0..<bpfPrograms.count { bpfPrograms[i].deallocate() }
        rules.deallocate()
        terms.deallocate()
        actions.deallocate()
        intervalPool.deallocate()
        narrowPool.deallocate()
        hashSets.deallocate()
        bpfPrograms.deallocate()
        index.deallocate()
    }
}

/// An interval of a field of at most 64 bits: values `lo ... lo + span`.
public struct NarrowInterval: Sendable {
    public var lo: UInt64
    public var span: UInt64
    @inlinable public init(lo: UInt64, span: UInt64) {
        self.lo = lo
        self.span = span
    }
}
