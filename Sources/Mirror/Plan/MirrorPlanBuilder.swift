import Policy

/// The steps of ``MirrorPlanner/plan(_:ports:table:capabilities:flowSetSize:)``.
struct MirrorPlanBuilder {
    let policy: Policy
    let context: PlanContext
    var sets = SetRegistry()
    var objects: [NftObject] = []
    var notes: [MirrorNote] = []
    /// The notes made so far, for not repeating one (a linear search was quadratic in rules).
    var noted: Set<MirrorNote> = []

    init(policy: Policy, ports: MirrorPorts, capabilities: KernelCapabilities) {
        self.policy = policy
        for set in policy.sets {
            guard let spec = set.dynamic else { continue }
            // As `nft` sends it: a size only when written, the timeout in milliseconds.
            let dynamics = NftSetDynamics(
                size: spec.sizeWritten ? UInt32(clamping: spec.size) : 0, timeout: spec.timeout.map { $0 / 1_000_000 },
                timeouts: spec.hasTimeouts)
            sets.dynamicSets[set.name] = (dynamics, set.elements)
        }
        let usesFlows = policy.rules.contains { rule in
            rule.match.contains { if case .field(let match) = $0 { match.field.isConnectionTracking } else { false } }
        }
        let mode: ConnectionTrackingMode =
            !usesFlows || capabilities.bridgeConntrack ? .native : capabilities.flowSets ? .emulated : .unavailable
        context = PlanContext(
            ports: ports, capabilities: capabilities, connectionTracking: mode, guardsTaggedFrames: false)
    }

    /// One policy rule, planned up to its native rules.
    struct Planned {
        var rule: Rule
        var origin: NftRuleOrigin
        var terms: RuleTerms
        var tail: RuleTail
        /// The nft chain its native rules go to (`forward`, or a policy chain's).
        var chain: String = "forward"
        /// A top-level rule that sends evaluation into chains that may drop: past the tags the
        /// mirror reads, it drops (the safer verdict).
        var dropsPastTags = false
    }

    mutating func build(table: String, flowSetSize: Int) -> MirrorPlan {
        let accept = policy.defaultVerdict == .forward
        let defaults = policy.defaults
        if defaults.delay != nil || defaults.jitter != nil || defaults.retries != nil {
            notes.append(
                MirrorNote(
                    rule: nil, ruleNumber: nil, location: policy.defaultLocation, code: .partlyMirrorable,
                    message: "\(VerdictText.options(defaults)) in `defaults` is left out of every mirrored rule: "
                        + VerdictText.optionsReason))
        }
        let nativeCT = context.connectionTracking == .native
        let planned = plannedRules()
        let tagged = planned.contains {
            MirrorPlanner.readsPastTheLinkLayer($0.rule, nativeConnectionTracking: nativeCT)
        }
        var context = self.context
        context.guardsTaggedFrames = tagged && accept
        let rejects = context.capabilities.bridgeReject && planned.contains { $0.rule.verdict?.kind == .reject }
        let hook = rejects ? NftBaseChain.bridgePrerouting : NftBaseChain.bridgeForward

        var forward: [NftRule] = []
        var regular: [NftChain] = []
        var regularRules: [NftRule] = []
        var mirrored: [String] = []
        var usedRules: [Planned] = []
        for item in planned {
            let planner = RulePlanner(
                rule: item.rule, origin: item.origin, terms: item.terms, tail: item.tail, context: context)
            var result = planner.plan(sets: &sets)
            for i in result.rules.indices { result.rules[i].chain = item.chain }
            guard !result.rules.isEmpty else {
                leftOut(item, "it never matches: its terms need protocols no frame has together")
                continue
            }
            forward += result.rules
            if let chain = result.chain {
                regular.append(chain)
                regularRules += result.chainRules
            }
            if mirrored.last != item.rule.name { mirrored.append(item.rule.name) }
            usedRules.append(item)
        }

        if tagged && !accept {
            // `tagged` judged these frames already; the ones still here were accepted there.
            let tpids = sets.tpids()
            forward.insert(
                NftRule(
                    chain: "forward",
                    expressions: [
                        .meta(.protocolType), .lookup(setName: tpids.name, setID: tpids.id, inverted: false),
                        .verdict(.accept),
                    ], comment: nil, text: "meta protocol @\(tpids.name) accept", origin: nil), at: 0)
        }
        var chains = [
            NftChain(name: "forward", base: NftBaseChain(hook: hook, priority: 0, policy: accept ? .accept : .drop))
        ]
        let policyChains = PolicyChains.names(policy)
        chains += policyChains.map { NftChain(name: $0, base: nil) }
        var taggedRules: [NftRule] = []
        if tagged {
            let tpids = sets.tpids()
            chains.append(
                NftChain(
                    name: FramingDispatch.chainName,
                    base: NftBaseChain(hook: hook, priority: FramingDispatch.priority, policy: accept ? .accept : .drop)
                ))
            taggedRules = FramingDispatch.rules(tpids: tpids, sets: &sets)
            var guessed: Set<String> = []
            var skipped: Set<String> = []
            var deepDropper: Planned?
            for framing in Framing.tagged {
                chains.append(NftChain(name: framing.chainName, base: nil))
                if framing != .pastTags {
                    chains += policyChains.map { NftChain(name: PolicyChains.copy($0, in: framing), base: nil) }
                }
                // Past the tags read, only the top-level rules judge (see `deepDropper`).
                for var item in usedRules where framing != .pastTags || item.chain == "forward" {
                    if framing == .pastTags && item.dropsPastTags && !item.tail.drops {
                        item.tail.drops = true
                        item.tail.taggedEnding = RuleTail.Ending(
                            conditions: [], conditionWords: [], expressions: [.verdict(.drop)], words: ["drop"])
                    }
                    let planner = TaggedRulePlanner(
                        rule: item.rule, origin: item.origin, terms: item.terms, tail: item.tail, context: context,
                        framing: framing)
                    let result = planner.plan(sets: &sets)
                    taggedRules += result.rules.map {
                        PolicyChains.retarget($0, chain: item.chain, framing: framing, chains: policyChains)
                    }
                    if framing == .pastTags {
                        // The first dropping rule takes every deeper-tagged frame: nothing after
                        // it is reached, so nothing after it is written.
                        if !result.rules.isEmpty {
                            deepDropper = item
                            break
                        }
                        continue
                    }
                    if result.guessed { guessed.insert(item.rule.name) }
                    if result.skipped { skipped.insert(item.rule.name) }
                }
            }
            if let deepDropper {
                note(
                    deepDropper,
                    "the kernel drops every frame with more than \(Framing.maxTags) VLAN tags by this rule, the "
                        + "policy's first that drops (the mirror reads fields exactly only \(Framing.maxTags) tags deep)"
                )
            }
            let frames =
                "frames whose L4 header lies behind IPv4 options or IPv6 extension headers and that carry two or "
                + "more VLAN tags or a 0x9100 tag"
            let reason = "(nft can only read such frames as raw payload at fixed offsets)"
            let tagged = "frames that carry two or more VLAN tags or a 0x9100 tag"
            let dynamicReason = "(its dynamic set is filled and read at the native offsets only)"
            for item in usedRules where TaggedRulePlanner.usesDynamicSets(item.rule) {
                if guessed.contains(item.rule.name) {
                    note(item, "the kernel drops \(tagged) by this rule \(dynamicReason)")
                }
                if skipped.contains(item.rule.name) {
                    note(item, "the kernel leaves \(tagged) to the rules after this one \(dynamicReason)")
                }
            }
            for item in usedRules where !TaggedRulePlanner.usesDynamicSets(item.rule) {
                if guessed.contains(item.rule.name) {
                    note(item, "the kernel drops \(frames) by this rule without checking all its terms \(reason)")
                }
                if skipped.contains(item.rule.name) {
                    note(item, "the kernel leaves \(frames) to the rules after this one \(reason)")
                }
            }
        }
        chains += regular
        var flows: FlowTablePlan?
        if context.connectionTracking == .emulated {
            flows = FlowEmulation.plan(
                settings: policy.stateDefaults.flows, hook: hook, size: flowSetSize, table: table + "_flows")
        }
        connectionTrackingNotes(usedRules, mode: context.connectionTracking)
        // Policy order, and within a rule the order the notes were made in.
        notes = notes.enumerated().sorted {
            ($0.element.ruleNumber ?? 0, $0.offset) < ($1.element.ruleNumber ?? 0, $1.offset)
        }.map(\.element)
        return MirrorPlan(
            table: table, chains: chains, sets: sets.all, rules: forward + taggedRules + regularRules, notes: notes,
            mirroredRuleNames: mirrored, objects: objects, capabilities: context.capabilities, flows: flows)
    }

    /// Every rule with its terms and tail; rules left out are noted and dropped here.
    private mutating func plannedRules() -> [Planned] {
        var result: [Planned] = []
        for (index, rule) in policy.rules.enumerated() {
            let origin = NftRuleOrigin(name: rule.name, number: index + 1, location: rule.location)
            for part in PolicyChains.parts(of: rule) {
                if let reason = part.inexact {
                    notes.append(
                        MirrorNote(
                            rule: rule.name, ruleNumber: origin.number, location: rule.location,
                            code: .partlyMirrorable, message: reason))
                }
                if var planned = plan(part.rule, origin: origin, control: part.control) {
                    planned.chain = part.chain
                    planned.dropsPastTags =
                        rule.chain == nil && part.chain == "forward" && PolicyChains.mayDrop(rule, in: policy)
                    result.append(planned)
                }
            }
        }
        return result
    }

    /// One rule (or one element of a verdict map) planned, or nil when it is left out.
    private mutating func plan(_ rule: Rule, origin: NftRuleOrigin, control: TailControl) -> Planned? {
        let terms = RuleTerms(rule, ports: context.ports, capabilities: context.capabilities)
        let drops = control == .verdict && !(rule.verdict?.kind.forwards ?? true)
        let item = Planned(
            rule: rule, origin: origin, terms: terms,
            tail: RuleTail(
                stateful: [], endings: [],
                taggedEnding: RuleTail.Ending(
                    conditions: [], conditionWords: [], expressions: [], words: []), drops: drops))
        if !terms.leftOut.isEmpty {
            leftOut(item, terms.leftOut.joined(separator: "; "))
            return nil
        }
        if !terms.uncheckable.isEmpty {
            guard drops else {
                leftOut(item, terms.uncheckable.joined(separator: "; "))
                return nil
            }
            for reason in terms.uncheckable {
                note(
                    item,
                    "the kernel drops the frames this rule matches without checking a term it cannot: \(reason)")
            }
        }
        if RulePlanner.alternatives(terms.fields, meterKey: []).isEmpty {
            leftOut(item, "it never matches: its terms need protocols no frame has together")
            return nil
        }
        if context.connectionTracking == .unavailable && !terms.connectionTracking.isEmpty && !drops {
            leftOut(item, "its `ct` terms need connection tracking or flow sets, which the kernel has neither of")
            return nil
        }
        let mark = sets.mark
        let objectCount = objects.count
        var tailPlanner = RuleTailPlanner(
            rule: rule, origin: origin, capabilities: context.capabilities,
            meterSize: policy.stateDefaults.meterSize, control: control)
        let established = Self.established(terms)
        guard let tail = tailPlanner.plan(established: established, sets: &sets, objects: &objects) else {
            sets.rollBack(to: mark)
            objects.removeSubrange(objectCount...)
            notes += tailPlanner.notes
            return nil
        }
        notes += tailPlanner.notes
        var planned = item
        planned.tail = tail
        return planned
    }

    private static func established(_ terms: RuleTerms) -> Set<Dependency> {
        var result: Set<Dependency> = []
        for (match, layout) in terms.fields where !match.negated {
            result.formUnion(layout.dependencies)
            if let fact = RulePlanner.establishedFact(match, layout) { result.insert(fact) }
        }
        return result
    }

    private mutating func connectionTrackingNotes(_ rules: [Planned], mode: ConnectionTrackingMode) {
        for item in rules where !item.terms.connectionTracking.isEmpty {
            switch mode {
            case .native:
                note(
                    item,
                    "the kernel's own connection tracking knows only the flows it saw itself: connections that "
                        + "Bridgekeeper forwarded before the kernel took over start as `new` there")
            case .emulated:
                note(
                    item,
                    "the kernel emulates `ct` with the flow sets of table bridge bridgekeeper_flows (TCP, UDP and "
                        + "ICMP echo by address and port); frames it cannot classify (ICMP errors, which may be "
                        + "`related`, later fragments, other protocols, frames with two or more VLAN tags) get the "
                        + "safer verdict: \(item.tail.drops ? "this rule drops them" : "this rule does not accept them")"
                )
            case .unavailable:
                note(item, "the kernel drops the frames this rule matches without checking its `ct` terms")
            }
        }
    }

    private mutating func note(_ item: Planned, _ message: String) {
        let note = MirrorNote(
            rule: item.rule.name, ruleNumber: item.origin.number, location: item.rule.location,
            code: .partlyMirrorable, message: message)
        if noted.insert(note).inserted { notes.append(note) }
    }

    private mutating func leftOut(_ item: Planned, _ reason: String) {
        notes.append(
            MirrorNote(
                rule: item.rule.name, ruleNumber: item.origin.number, location: item.rule.location,
                code: .notMirrorable, message: reason))
    }
}
