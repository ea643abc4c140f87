import CPcap
import Flow
import Frame
import Limits
import Policy
import Ruleset

/// Runs one compiled policy over frames: parse, look the frame up in the flow table (when the
/// policy matches `ct`), find the first matching rule, count, run its statements (rewrites in
/// place, effects), commit the flow, and return the decision.
///
/// One `Pipeline` per forwarding thread and policy (a class, so a call never copies its
/// tables): it owns that thread's counters and scratch memory, keeps the compiled policy alive,
/// and reads the thread's ``ThreadState`` (flows, buckets, meters), which outlives it.
/// ``process(_:port:now:effects:)`` allocates nothing, takes no lock and calls no closure or
/// existential.
public final class Pipeline: @unchecked Sendable {
    /// The compiled policy (kept alive here; the views below point into it).
    public let policy: CompiledPolicy
    /// This thread's counters for this policy.
    public let counters: RuleCounters
    let scratch: CandidateScratch
    let fieldValues: FieldVectorStorage

    let rules: FlatArray<CompiledRule>
    let terms: FlatArray<Term>
    let actions: FlatArray<Action>
    let intervalPool: FlatArray<ValueInterval>
    let narrowPool: FlatArray<NarrowInterval>
    let hashSets: FlatArray<FlatHashMap>
    let bpfPrograms: FlatArray<FlatArray<bpf_insn>>
    let index: RuleIndex
    let defaultRule: CompiledRule
    let indexed: Bool
    let usedFields: UInt64
    /// The policy reads `tcp option maxseg size`: each frame's options are walked for it.
    let readsSegmentSize: Bool
    /// What `tcp option maxseg size set rt mtu` clamps to, by the port a frame arrives on: the
    /// other port's MTU less 40 (IPv4 and TCP headers); an IPv6 frame's limit is 20 lower.
    let segmentSizeLimits: (UInt16, UInt16)
    /// The thread's state, and this policy's view of it.
    public let state: ThreadState
    let binding: StateBinding
    /// Frames are looked up in the flow table (the policy matches `ct`, and there is a table).
    public let tracksFlows: Bool
    let flows: FlowTable?
    let whenFull: FlowsFullAction
    /// The creator id of each rule (and, last, of the default) for the flows it creates.
    let creators: FlatArray<UInt32>
    /// Some rule has a `limit` or `quota` (the frame's kernel length is needed) or a dynamic set
    /// (the clock is).
    let hasStatefulTerms: Bool
    // Per frame, for the stateful terms (written by `process`, read by `holds`).
    @exclusivity(unchecked) var now: UInt64 = 0
    @exclusivity(unchecked) var kernelLength: Int = 0
    /// The segment evaluation is in (see ``CompiledRule/segmentLow``), per frame.
    @exclusivity(unchecked) var segmentLow: Int32 = 0
    @exclusivity(unchecked) var segmentHigh: Int32 = 0
    /// The base chain's segment end: the number of compiled rules.
    let baseSegmentHigh: Int32
    /// The frame's parse, while a policy with meters matches it.
    @exclusivity(unchecked) var frameInfo: UnsafePointer<FrameInfo>

    /// A pipeline for `policy` with fresh counters and a standalone state (checks, tests).
    public convenience init(policy: CompiledPolicy) {
        self.init(policy: policy, counters: RuleCounters(ruleCount: policy.ruleCount), state: .standalone(), now: 0)
    }

    /// A pipeline for `policy` that counts into `counters` (sized for it) and keeps its state in
    /// `state`, the policy's stateful terms bound to it at `now`.
    public init(policy: CompiledPolicy, counters: RuleCounters, state: ThreadState, now: UInt64) {
        precondition(counters.count == policy.ruleCount + 1, "counters sized for another policy")
        self.policy = policy
        self.counters = counters
        self.state = state
        self.binding = state.bind(policy, now: now)
        self.flows = state.flows
        self.tracksFlows = policy.usesFlows && state.flows != nil
        self.whenFull = policy.policy.stateDefaults.flows.whenFull
        self.creators = FlatArray((policy.ruleNames + ["default"]).map { state.shared.creatorID(for: $0) })
        self.hasStatefulTerms = !policy.limits.isEmpty || !policy.quotas.isEmpty || !policy.dynamicSets.isEmpty
        self.scratch = CandidateScratch(capacity: max(8, policy.index.maximumLists))
        self.fieldValues = FieldVectorStorage()
        self.frameInfo = UnsafePointer(fieldValues.info)
        rules = policy.rules
        terms = policy.terms
        actions = policy.actions
        intervalPool = policy.intervalPool
        narrowPool = policy.narrowPool
        hashSets = policy.hashSets
        bpfPrograms = policy.bpfPrograms
        index = policy.index
        defaultRule = policy.defaultRule
        indexed = policy.index.maximumLists > 1
        baseSegmentHigh = Int32(policy.rules.count)
        usedFields = policy.usedFields
        readsSegmentSize = policy.usedFields & FieldCode.tcpMSS.bit != 0
        let limit = { (port: UInt8) in UInt16(clamping: max(state.shared.portMTU(port) - 40, 60)) }
        segmentSizeLimits = (limit(1), limit(0))
    }

    deinit {
        creators.deallocate()
    }

    /// Decides what happens to one frame that arrived on `port` (0 = a, 1 = b) at `now` (a
    /// monotonic clock in nanoseconds: the same clock for every frame of a thread), applying the
    /// deciding rule's rewrites to `frame` in place.
    public func process<Effects: PipelineEffects>(
        _ frame: inout FrameBuffer, port: UInt8, now: UInt64 = 0, effects: inout Effects
    ) -> Decision {
        if !needsFrameInfo { return decideByDefault(length: frame.length) }
        let info = fieldValues.info
        FrameInfo.parse(frame.readOnlyBytes, into: &info.pointee)
        return process(&frame, info: &info.pointee, port: port, now: now, effects: &effects)
    }

    /// As ``process(_:port:now:effects:)`` for a frame already parsed into `info` (updated by
    /// rewrites).
    public func process<Effects: PipelineEffects>(
        _ frame: inout FrameBuffer, info: inout FrameInfo, port: UInt8, now: UInt64 = 0, effects: inout Effects
    ) -> Decision {
        var fields = fieldValues.vector
        fields.load(info, port: port, used: usedFields)
        if readsSegmentSize { fields.loadSegmentSize(frame.readOnlyBytes, info: info) }
        var lookup: FlowLookup?
        if tracksFlows, let flows {
            let found = flows.classify(frame: frame.readOnlyBytes, info: &info, now: now)
            fields.narrow[Int(FieldCode.ctState.rawValue)] = UInt64(found.state.rawValue)
            fields.present |= FieldCode.ctState.bit
            if let direction = found.direction {
                fields.narrow[Int(FieldCode.ctDirection.rawValue)] = UInt64(direction.rawValue)
                fields.present |= FieldCode.ctDirection.bit
            }
            lookup = found
        }
        if hasStatefulTerms {
            self.now = now
            kernelLength = KernelLength.bridge(info)
        }
        // The first matching rule decides, unless it goes on (no verdict, a jump): then its
        // statements run on the frame and evaluation continues from where it says.
        segmentLow = 0
        segmentHigh = baseSegmentHigh
        var from: Int32 = 0
        var number: Int32
        var rule = defaultRule
        while true {
            number = firstMatch(fields, frame: &frame, info: &info, from: from)
            if number < 0 { break }
            rule = rules[Int(number)]
            if rule.next < 0 { break }
            if rule.counts { counters.add(slot: Int(rule.slot), bytes: frame.length) }
            if rule.actions.count > 0 {
                runActions(rule, number: rule.slot, frame: &frame, info: &info, port: port, effects: &effects)
                if rule.rewrites { load(&fields, info, frame: frame.readOnlyBytes, port: port, lookup: lookup) }
            }
            if rule.entersHigh > 0 {
                segmentLow = rule.entersLow
                segmentHigh = rule.entersHigh
            }
            from = rule.next
        }
        if number < 0 { rule = defaultRule }
        let slot = number >= 0 ? Int(rule.slot) : counters.defaultSlot
        var decision = Decision(rule, number: number >= 0 ? rule.slot : -1)
        if let lookup {
            decision.ctState = lookup.state.rawValue
            decision.ctDirection = lookup.direction?.rawValue ?? 0xff
            let outcome = flows!.commit(
                lookup, forwarded: rule.verdict.forwards, length: frame.length, creator: creators.base[slot],
                now: now, events: &effects)
            if outcome == .full {
                decision.flowRefused = true
                if whenFull == .drop { decision.verdict = .drop }
            }
        }
        if rule.counts { counters.add(slot: slot, bytes: frame.length) }
        if rule.actions.count > 0 {
            runActions(rule, number: decision.rule, frame: &frame, info: &info, port: port, effects: &effects)
        }
        return decision
    }

    /// Reads the fields the policy uses from the parse (again after a rewrite), with the flow
    /// table's answer (which a rewrite does not change).
    @inline(__always)
    private func load(
        _ fields: inout FieldVector, _ info: FrameInfo, frame: UnsafeRawBufferPointer, port: UInt8, lookup: FlowLookup?
    ) {
        fields.load(info, port: port, used: usedFields)
        if readsSegmentSize { fields.loadSegmentSize(frame, info: info) }
        if let lookup {
            fields.narrow[Int(FieldCode.ctState.rawValue)] = UInt64(lookup.state.rawValue)
            fields.present |= FieldCode.ctState.bit
            if let direction = lookup.direction {
                fields.narrow[Int(FieldCode.ctDirection.rawValue)] = UInt64(direction.rawValue)
                fields.present |= FieldCode.ctDirection.bit
            }
        }
    }

    /// The first matching rule numbered at least `from`, with the parse in reach of meters.
    @inline(__always)
    private func firstMatch(
        _ fields: FieldVector, frame: inout FrameBuffer, info: inout FrameInfo, from: Int32
    ) -> Int32 {
        guard binding.hasMeters else { return firstMatch(fields, frame: frame.readOnlyBytes, from: from) }
        // A meter's key is read from the parse: point at the caller's, rather than copy it.
        let bytes = frame.readOnlyBytes
        return withUnsafePointer(to: &info) { parsed in
            frameInfo = parsed
            return firstMatch(fields, frame: bytes, from: from)
        }
    }

    /// False for a policy without rules: every frame gets the default, and nothing needs to look
    /// inside it.
    @inlinable public var needsFrameInfo: Bool { policy.ruleCount > 0 }

    /// The default verdict for a frame of `length` bytes, counted, without parsing it (for a
    /// policy without rules: see ``needsFrameInfo``).
    public func decideByDefault(length: Int) -> Decision {
        counters.add(slot: counters.defaultSlot, bytes: length)
        return Decision(defaultRule, number: -1)
    }

    /// The number of the first rule whose match holds for a parsed frame, or -1 (stateless
    /// terms only: for the reference evaluator's comparisons).
    public func firstMatch(info: FrameInfo, port: UInt8, frame: UnsafeRawBufferPointer) -> Int32 {
        var fields = fieldValues.vector
        fields.load(info, port: port, used: usedFields)
        if readsSegmentSize { fields.loadSegmentSize(frame, info: info) }
        segmentLow = 0
        segmentHigh = baseSegmentHigh
        return firstMatch(fields, frame: frame)
    }

    private func runActions<Effects: PipelineEffects>(
        _ rule: CompiledRule, number: Int32, frame: inout FrameBuffer, info: inout FrameInfo, port: UInt8,
        effects: inout Effects
    ) {
        var a = Int(rule.actions.start)
        let end = a + Int(rule.actions.count)
        while a < end {
            switch actions.base[a] {
            case .rewrite(let rewrite):
                _ = frame.apply(rewrite, info: &info)
            case .segmentSizeToMTU:
                let limit = port == 0 ? segmentSizeLimits.0 : segmentSizeLimits.1
                let headers: UInt16 = info.present.contains(.ipv6) ? 20 : 0
                _ = frame.apply(.tcpMaxSegmentSize(limit - headers), info: &info)
            case .log(let prefix):
                effects.log(rule: number, prefix: prefix, frame: frame.readOnlyBytes, info: info, port: port)
            case .capture(let file):
                effects.capture(file: file, frame: frame.readOnlyBytes)
            case .mirror(let interface):
                effects.mirror(interface: interface, frame: frame.readOnlyBytes)
            }
            a += 1
        }
    }
}
