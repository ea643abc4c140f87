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
    private let scratch: CandidateScratch
    private let fieldValues: FieldVectorStorage

    private let rules: FlatArray<CompiledRule>
    private let terms: FlatArray<Term>
    private let actions: FlatArray<Action>
    private let intervalPool: FlatArray<ValueInterval>
    private let narrowPool: FlatArray<NarrowInterval>
    private let hashSets: FlatArray<FlatHashMap>
    private let bpfPrograms: FlatArray<FlatArray<bpf_insn>>
    private let index: RuleIndex
    private let defaultRule: CompiledRule
    private let indexed: Bool
    private let usedFields: UInt32
    /// The thread's state, and this policy's view of it.
    public let state: ThreadState
    private let binding: StateBinding
    /// Frames are looked up in the flow table (the policy matches `ct`, and there is a table).
    public let tracksFlows: Bool
    private let flows: FlowTable?
    private let whenFull: FlowsFullAction
    /// The creator id of each rule (and, last, of the default) for the flows it creates.
    private let creators: FlatArray<UInt32>
    /// Some rule has a `limit` or `quota`: the frame's kernel length is needed.
    private let hasStatefulTerms: Bool
    // Per frame, for the stateful terms (written by `process`, read by `holds`).
    @exclusivity(unchecked) private var now: UInt64 = 0
    @exclusivity(unchecked) private var kernelLength: Int = 0
    /// The segment evaluation is in (see ``CompiledRule/segmentLow``), per frame.
    @exclusivity(unchecked) private var segmentLow: Int32 = 0
    @exclusivity(unchecked) private var segmentHigh: Int32 = 0
    /// The base chain's segment end: the number of compiled rules.
    private let baseSegmentHigh: Int32
    /// The frame's parse, while a policy with meters matches it.
    @exclusivity(unchecked) private var frameInfo: UnsafePointer<FrameInfo>

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
        self.hasStatefulTerms = !policy.limits.isEmpty || !policy.quotas.isEmpty
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
                if rule.rewrites { load(&fields, info, port: port, lookup: lookup) }
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
    private func load(_ fields: inout FieldVector, _ info: FrameInfo, port: UInt8, lookup: FlowLookup?) {
        fields.load(info, port: port, used: usedFields)
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
        segmentLow = 0
        segmentHigh = baseSegmentHigh
        return firstMatch(fields, frame: frame)
    }

    /// The number of the first rule numbered at least `from` whose match holds, or -1.
    @inline(__always)
    private func firstMatch(_ fields: FieldVector, frame: UnsafeRawBufferPointer, from: Int32 = 0) -> Int32 {
        // The unindexed rules this frame's shape can match (all of them, checked one by one,
        // for an unusual shape).
        let shaped = index.shapes.rules(for: fields.present)
        if !indexed {
            return shaped.map { scan($0, fields, frame: frame, from: from) }
                ?? scan(index.unindexed, fields, frame: frame, from: from)
        }
        // Collect the rule lists the frame's fields select.
        let cursors = scratch.cursors
        var lists = 0
        for d in 0..<index.prefixDirectories.count {
            let directory = index.prefixDirectories.base[d]
            guard let value = fields[directory.field] else { continue }
            var candidates = directory.candidates(value)
            while candidates != 0 {
                let table = index.prefixTables.base[Int(directory.firstTable) + candidates.trailingZeroBitCount]
                candidates &= candidates &- 1
                let slice = table.table.lookup(table.shift >= 128 ? 0 : value >> table.shift)
                if slice.count > 0 {
                    cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                    lists += 1
                }
            }
        }
        for t in 0..<index.exactTables.count {
            let table = index.exactTables.base[t]
            guard let value = fields[table.field] else { continue }
            let slice = table.table.lookup(value)
            if slice.count > 0 {
                cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                lists += 1
            }
        }
        for t in 0..<index.rangeTables.count {
            let table = index.rangeTables.base[t]
            guard let value = fields[table.field] else { continue }
            let slice = index.rangeLookup(table, value)
            if slice.count > 0 {
                cursors[lists] = CandidateScratch.Cursor(next: slice.start, end: slice.start + slice.count)
                lists += 1
            }
        }
        let unindexed = shaped ?? index.unindexed
        if unindexed.count > 0 {
            cursors[lists] = CandidateScratch.Cursor(next: unindexed.start, end: unindexed.start + unindexed.count)
            lists += 1
        }
        if lists == 0 { return -1 }
        if lists == 1 {
            let only = cursors[0]
            return scan(PoolSlice(start: only.next, count: only.end - only.next), fields, frame: frame, from: from)
        }
        // Merge the ascending lists; a rule may appear in several, and is tried once.
        let pool = index.rulePool.base
        var lastTried: Int32 = -1
        while true {
            var best = Int32.max
            var bestList = -1
            for l in 0..<lists {
                let cursor = cursors[l]
                if cursor.next < cursor.end {
                    let candidate = pool[Int(cursor.next)]
                    if candidate < best {
                        best = candidate
                        bestList = l
                    }
                }
            }
            if bestList < 0 { return -1 }
            cursors[bestList].next += 1
            if best == lastTried || best < from { continue }
            lastTried = best
            if matches(rules.base + Int(best), fields, frame: frame) { return best }
        }
    }

    @inline(__always)
    private func scan(
        _ slice: PoolSlice, _ fields: FieldVector, frame: UnsafeRawBufferPointer, from: Int32
    ) -> Int32 {
        let pool = index.rulePool.base
        var i = Int(slice.start)
        let end = i + Int(slice.count)
        while i < end {
            let number = pool[i]
            if number >= from && matches(rules.base + Int(number), fields, frame: frame) { return number }
            i += 1
        }
        return -1
    }

    /// Whether every term of `rule` holds.
    @inline(__always)
    private func matches(
        _ rule: UnsafeMutablePointer<CompiledRule>, _ fields: FieldVector, frame: UnsafeRawBufferPointer
    ) -> Bool {
        if rule.pointee.requiredFields & ~fields.present != 0 { return false }
        // A rule of a chain is eligible only while evaluation is inside that chain's copy.
        if rule.pointee.segmentLow > segmentLow || rule.pointee.segmentHigh < segmentHigh { return false }
        var t = Int(rule.pointee.terms.start)
        let end = t + Int(rule.pointee.terms.count)
        while t < end {
            if !holds(terms.base + t, fields, frame: frame) { return false }
            t += 1
        }
        return true
    }

    @inline(__always)
    private func holds(_ term: UnsafeMutablePointer<Term>, _ fields: FieldVector, frame: UnsafeRawBufferPointer) -> Bool
    {
        let field = term.pointee.field
        let negated = term.pointee.negated
        let test = term.pointee.test
        if test == .narrowInterval {
            guard fields.present & field.bit != 0 else { return negated }
            let value = fields.narrow[Int(field.rawValue)]
            let inside =
                value &- UInt64(truncatingIfNeeded: term.pointee.lo) <= UInt64(truncatingIfNeeded: term.pointee.hi)
            return inside != negated
        }
        if test == .narrowList {
            guard fields.present & field.bit != 0 else { return negated }
            let value = fields.narrow[Int(field.rawValue)]
            var i = Int(term.pointee.slice.start)
            let end = i + Int(term.pointee.slice.count)
            while i < end {
                let interval = narrowPool.base + i
                if value &- interval.pointee.lo <= interval.pointee.span { return !negated }
                i += 1
            }
            return negated
        }
        return holdsSlowly(term.pointee, fields, frame: frame)
    }

    /// Every test but the common one.
    private func holdsSlowly(_ term: Term, _ fields: FieldVector, frame: UnsafeRawBufferPointer) -> Bool {
        if term.test == .bpf {
            let program = bpfPrograms.base[Int(term.slice.start)]
            guard let base = frame.baseAddress else { return term.negated }
            let accepted =
                bpf_filter(
                    program.base, base.assumingMemoryBound(to: UInt8.self), UInt32(frame.count), UInt32(frame.count))
                != 0
            return accepted != term.negated
        }
        guard let value = fields[term.field] else { return term.negated }
        let inSet: Bool
        switch term.test {
        case .narrowInterval:
            inSet = value &- term.lo <= term.hi
        case .narrowList:
            let narrowValue = UInt64(truncatingIfNeeded: value)
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                if narrowValue &- narrowPool.base[i].lo <= narrowPool.base[i].span {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .interval:
            inSet = value >= term.lo && value <= term.hi
        case .intervalList:
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                let interval = intervalPool.base[i]
                if value >= interval.lo && value <= interval.hi {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .sortedIntervals:
            inSet = sortedContains(term.slice, value)
        case .exactHash:
            inSet = hashSets.base[Int(term.slice.start)].lookup(value).count != 0
        case .allBits:
            inSet = value & term.lo == term.lo
        case .anyAllBits:
            var found = false
            var i = Int(term.slice.start)
            let end = i + Int(term.slice.count)
            while i < end {
                let mask = intervalPool.base[i].lo
                if value & mask == mask {
                    found = true
                    break
                }
                i += 1
            }
            inSet = found
        case .bpf:
            inSet = false
        case .limit:
            return binding.limitHolds(
                Int(term.slice.start), info: frameInfo, length: kernelLength, now: now)
        case .quota:
            return binding.quotaHolds(Int(term.slice.start), length: kernelLength)
        }
        return inSet != term.negated
    }

    /// Binary search in sorted, disjoint intervals.
    @inline(__always)
    private func sortedContains(_ slice: PoolSlice, _ value: UInt128) -> Bool {
        var low = Int(slice.start)
        var high = low + Int(slice.count) - 1
        while low <= high {
            let mid = (low + high) >> 1
            let interval = intervalPool.base[mid]
            if value < interval.lo {
                high = mid - 1
            } else if value > interval.hi {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
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
