import Policy

/// Translates a checked policy into its nftables mirror: a pure function, no kernel involved.
///
/// The mirror is one table, `bridge TABLE` (default `bridgekeeper`), holding:
/// - a base chain `forward` (type filter, hook forward, priority 0) whose policy is `accept` for
///   `default forward` and `drop` for `default drop`; it holds the policy's rules for frames
///   the kernel reads natively (untagged, or with one 802.1Q/802.1ad tag, which the receive path
///   moves into the skb's metadata);
/// - when a mirrored rule reads past the link layer, a base chain `tagged` (priority -1) that
///   sends every other frame (a lone 0x9100 tag, two tags and more) to a chain per number of
///   tags, `tags-1` ... `tags-8` and `tags-over-8`, holding the same rules read as raw payload
///   at that framing's offsets (``TaggedRulePlanner``). A tagged frame accepted there passes
///   `forward` untouched: with `default forward`, the `forward` rules that could match it test
///   `meta protocol != @bk.tpids`; with `default drop`, `forward` starts with `meta protocol
///   @bk.tpids accept`;
/// - one nft rule (or a few: see below) per mirrored policy rule and framing, in policy order,
///   each with a `counter` and the rule name as its comment (`NFTNL_UDATA_RULE_COMMENT`
///   userdata), so counters map back by name (a rule's nft rules add up);
/// - one named nft set per policy set (`@name`) used with a field nft has a plain type for
///   (`ipv4_addr`, `ipv6_addr`, `ether_addr`, `ether_type`, `arp_op`, `inet_proto`,
///   `inet_service`, `icmp_type`, `icmpv6_type`); sets used with other fields (`ip dscp`, ...)
///   are written inline as anonymous sets; the tagged chains' raw copies of a rule's set values
///   are named sets of their own (`bk.RULE.N`), as are the TPIDs (`bk.tpids`, `bk.tags`);
/// - anonymous sets (`ANONYMOUS|CONSTANT`, plus `INTERVAL` when an element is a range or prefix)
///   for `{ ... }` values;
/// - named `limit` and `quota` objects (one per term, named after the rule) and one dynamic set
///   per meter (`meter.RULE.N`, `typeof KEY; flags dynamic,timeout; timeout T; size N`, the
///   timeout being the time the bucket takes to fill up again), so every nft rule of a policy
///   rule shares one bucket or count;
/// - with `ct` terms on a kernel without bridge connection tracking, a second table,
///   `bridge bridgekeeper_flows` (``FlowEmulation``), whose sets hold the flows and survive
///   policy reloads.
///
/// Matches compile to the expressions `nft --debug=netlink` shows for the same text: a single
/// value is `cmp eq`; a CIDR prefix is a shorter load on byte boundaries, else `bitwise` + `cmp`;
/// a range is `cmp gte` + `cmp lte` (`range neq` when negated); several values are a set lookup;
/// `!=` is `cmp neq` or an inverted lookup. `iif a|b` is `meta iifname "PORT"`. Each field is
/// preceded by the protocol dependency nft inserts (`meta protocol ip` before `ip saddr`,
/// `meta l4proto tcp` before `tcp dport`), once per rule. `ether type` is compiled as `meta
/// protocol`, and `arp`/`icmp`/`icmpv6` fields depend on `meta protocol`, because the policy
/// reads those fields through a VLAN tag and the kernel's `meta protocol` is the EtherType after
/// the tag it takes off. `vlan id` and `vlan pcp` read the outer tag of any TPID Bridgekeeper
/// walks (`ether type @bk.tpids @ll,116,12 10`), not only 802.1Q ones as nft's `vlan id` does.
///
/// Where nft tests a field only on frames that have it, the policy's `!=` also holds for frames
/// without it, so such a rule becomes several nft rules with the same ending
/// (``RulePlanner/alternatives(_:meterKey:)``): `tcp dport != 23` is `tcp dport != 23`,
/// `meta l4proto != tcp`, the later fragments (whose L4 protocol the kernel knows while the
/// policy sees no L4 header) and `meta protocol != { ip, ip6 }`. A positive `meta l4proto`
/// without a transport-header term gets `@th,0,8 >= 0`, which fails on later fragments.
///
/// Decisions about what cannot be mirrored exactly:
/// - **A rule with a `bpf` term is left out entirely** (note `not-mirrorable`; the differential
///   tests count this as a documented difference).
/// - `meta length` is the frame's whole length to the policy; the kernel's counts from the
///   network header, without the outer tag the receive path took off (0x8100, 0x88a8), so the
///   values are shifted per framing: 14 bytes untagged or behind a 0x9100 tag, 18 behind a tag
///   taken off (``FrameLength``).
/// - **A term the kernel cannot check** (`tcp flags` with several values that are not single
///   flags; an `iif` port without a valid interface name; a `limit` or
///   `quota` the kernel cannot hold; `ct` terms it can neither track nor emulate): a rule that
///   drops (drop, reflect, reject) is mirrored without it, so the kernel drops more than the
///   policy (the safer verdict, note `partly-mirrorable`); a rule that forwards is left out, so
///   the kernel never accepts what the policy may not (note `not-mirrorable`).
/// - **Frames of a framing the kernel cannot read** (an L4 field behind IPv4 options or IPv6
///   extension headers in a tagged frame): a dropping rule drops them, an accepting rule leaves
///   them to the rules after it (both noted).
/// - **A rule whose match is exact but some of its statements or options are not is mirrored**
///   with its verdict and the rewrites nft can do, with a `partly-mirrorable` note: `log`,
///   `pcap`, `mirror`, `vlan push`, `vlan pop` (and `vlan id|pcp set` after them), `delay`,
///   `jitter` and `retries` are left out; `reflect` becomes `drop` and `reflect forward`
///   becomes `accept`, because the kernel bridge cannot hand frames to the host port; rewrites
///   are left out of tagged frames (raw payload writes cannot fix checksums).
/// - Rewrites are payload writes with the checksum updates nft uses (IPv4 header checksum, and
///   the L4 pseudo-header for address rewrites). When the match already implies a rewrite's
///   dependency the rule is one nft rule; otherwise the rule `counter jump`s to a regular chain
///   `rule-NAME` holding one rule per rewrite (each with its own dependency, so a rewrite that
///   does not apply to a frame is skipped as in the policy) and a last rule with the verdict. A
///   rewrite whose dependency contradicts the match never applies and is dropped.
/// - `vlan id set` / `vlan pcp set` only rewrite 802.1Q (0x8100) outer tags in nft.
/// - `reject`: where the kernel has bridge `reject` (``KernelCapabilities/bridgeReject``), the
///   mirror's base chains hook prerouting (the only place the bridge family allows it) and a
///   reject becomes nft's reject statements (``RejectTranslation``); elsewhere it becomes
///   `drop`, with a note naming the rule.
/// - `ct state` / `ct direction`: native `ct` expressions where the kernel tracks bridged
///   connections; otherwise tests of the packet mark that ``FlowEmulation``'s classifier set
///   (see ``ConnectionTrackingTerms``), uncertain frames getting the safer verdict.
/// - `defaults { delay/retries }` gets one policy-wide note rather than one per rule.
///
/// Limits of the kernel that no note repeats, documented here: on a host with `br_netfilter`
/// loaded and `net.bridge.bridge-nf-call-iptables` (or `-ip6tables`) set, the kernel bridge
/// hands untagged IP frames to iptables first, which drops IPv4 with a bad header checksum and
/// trims Ethernet padding (so `meta length` of a padded frame is shorter than Bridgekeeper's);
/// it knows the L4 protocol of IPv6
/// packets with more than 8 extension headers or a no-next-header (59), which the policy does
/// not; it treats IP packets with an unsound header as having no fields beyond the EtherType's
/// (the policy: no IP fields at all); and its counters, byte limits and quotas count bytes from
/// the network header (a frame's length minus 14, or 18 with a VLAN tag it took off).
public enum MirrorPlanner {
    /// The plan for `policy`.
    /// - Parameters:
    ///   - ports: the interface names of ports `a` and `b`, for `iif`.
    ///   - table: the table's name in the `bridge` family.
    ///   - capabilities: what the kernel accepts (``NftablesConnection/capabilities()``); without
    ///     a kernel, ``KernelCapabilities/assumed``, which the plan's text says it assumed.
    ///   - flowSetSize: the flow emulation's set size (the bridge's flow table capacity).
    public static func plan(
        _ policy: Policy, ports: MirrorPorts, table: String = "bridgekeeper",
        capabilities: KernelCapabilities = .assumed, flowSetSize: Int = 262_144
    ) -> MirrorPlan {
        var builder = PlanBuilder(policy: policy, ports: ports, capabilities: capabilities)
        return builder.build(table: table, flowSetSize: flowSetSize)
    }

    /// Whether a rule reads anything the kernel finds in a different place, or not at all, when
    /// frames carry more tags than it takes off: anything but MACs, the outer tag and the port
    /// (and, with the kernel's own connection tracking, which does not track such frames, `ct`).
    static func readsPastTheLinkLayer(_ rule: Rule, nativeConnectionTracking: Bool) -> Bool {
        rule.match.contains { term in
            switch term {
            case .field(let match):
                if match.field.isConnectionTracking { return nativeConnectionTracking }
                return !match.field.isLinkLevel
            case .bpf: return false
            case .limit(let limit): return limit.per.contains { !RuleTailPlanner.field($0).isLinkLevel }
            case .quota: return false
            }
        }
    }
}

/// The steps of ``MirrorPlanner/plan(_:ports:table:capabilities:flowSetSize:)``.
private struct PlanBuilder {
    let policy: Policy
    let context: PlanContext
    var sets = SetRegistry()
    var objects: [NftObject] = []
    var notes: [MirrorNote] = []
    /// The notes made so far, for not repeating one (a linear search was quadratic in rules).
    var noted: Set<MirrorNote> = []

    init(policy: Policy, ports: MirrorPorts, capabilities: KernelCapabilities) {
        self.policy = policy
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
            for item in usedRules {
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
        let terms = RuleTerms(rule, ports: context.ports)
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

extension NftBaseChain {
    /// `NF_BR_PRE_ROUTING`.
    public static let bridgePrerouting: UInt32 = 0
}
