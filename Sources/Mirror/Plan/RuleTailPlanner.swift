import Answers
import Limits
import Policy

/// Builds a rule's ``RuleTail`` (its stateful terms, rewrites and verdict) once, with the notes
/// on what of it the kernel cannot do; the rule's nft rules in every framing share it.
struct RuleTailPlanner {
    let rule: Rule
    let origin: NftRuleOrigin
    let capabilities: KernelCapabilities
    /// Buckets per meter (`defaults { meter-size N; }`).
    let meterSize: Int
    private(set) var notes: [MirrorNote] = []
    /// The rule's rewrites need a chain of their own (`rule-NAME`): its rules.
    private(set) var chain: (NftChain, [NftRule])?
    /// What ends the rule's nft rules in place of its verdict.
    let control: TailControl

    init(
        rule: Rule, origin: NftRuleOrigin, capabilities: KernelCapabilities, meterSize: Int,
        control: TailControl = .verdict
    ) {
        self.rule = rule
        self.origin = origin
        self.capabilities = capabilities
        self.meterSize = meterSize
        self.control = control
    }

    /// The tail; nil when a stateful term cannot be mirrored and the rule accepts (it is left
    /// out: the kernel must not accept frames the policy may not). `established` are the
    /// dependencies the rule's match establishes (rewrites that need others get a chain).
    mutating func plan(established: Set<Dependency>, sets: inout SetRegistry, objects: inout [NftObject])
        -> RuleTail?
    {
        let verdict = rule.verdict?.kind ?? .forward
        // A rule that goes on or jumps decides nothing itself: where the kernel cannot check a
        // term of it, it is left out rather than widened.
        let drops = control == .verdict && !verdict.forwards
        var stateful: [RuleTail.Stateful] = []
        var limits = 0
        var quotas = 0
        for term in rule.match {
            switch term {
            case .limit(let limit):
                limits += 1
                let nft = Self.nftLimit(limit.limit)
                if limit.per.isEmpty {
                    guard capabilities.limit else {
                        guard uncheckable("its `limit` (the kernel has no named limits)", drops: drops) else {
                            return nil
                        }
                        continue
                    }
                    let name = limits == 1 ? rule.name : "\(rule.name)-\(limits)"
                    objects.append(NftObject(name: name, kind: .limit(nft), origin: origin))
                    stateful.append(.object(.limit, name: name))
                } else {
                    guard capabilities.meters else {
                        guard uncheckable("its meter (the kernel has no dynamic sets with limits)", drops: drops) else {
                            return nil
                        }
                        continue
                    }
                    let key = limit.per.map(Self.field)
                    let name = "meter.\(rule.name).\(limits)"
                    let native = key.compactMap { MeterKey.nativeLayout($0, in: key) }
                    let set = sets.add(
                        { id in meterSet(id: id, name: name, layouts: native, limit: limit.limit) }, named: name)
                    var taggedSet: NftSet?
                    if MeterKey.hasPorts(key) {
                        // Described at the offsets of two tags and IPv4 without options.
                        let raw = key.compactMap { FieldLayout.raw($0, payload: 22, l4Start: 20) }
                        taggedSet = sets.add(
                            { id in meterSet(id: id, name: name + ".tagged", layouts: raw, limit: limit.limit) },
                            named: name + ".tagged")
                    }
                    stateful.append(.meter(set: set, taggedSet: taggedSet, key: key, limit: nft))
                }
            case .quota(let quota):
                quotas += 1
                guard capabilities.quota else {
                    guard uncheckable("its `quota` (the kernel has no named quotas)", drops: drops) else { return nil }
                    continue
                }
                let name = quotas == 1 ? rule.name : "\(rule.name)-\(quotas)"
                objects.append(
                    NftObject(
                        name: name, kind: .quota(bytes: quota.amount.bytes, over: quota.mode == .over), origin: origin))
                stateful.append(.object(.quota, name: name))
            case .field, .bpf, .concatenation, .setMembership:
                continue
            }
        }
        let counted = !stateful.isEmpty
        guard let updates = plannedSetUpdates(drops: drops, sets: &sets) else { return nil }
        stateful += updates
        if counted {
            note(
                .partlyMirrorable,
                "the kernel's limits and quotas count only while it forwards (after Bridgekeeper stops), start "
                    + "full or empty at each commit, and count bytes from the network header")
        }
        let rewrites = plannedRewrites(contradicting: established)
        let endings = plannedEndings(rewrites: rewrites, established: established)
        let nftVerdict: NftVerdict = drops ? .drop : .accept
        var tagged = RuleTail.Ending(
            conditions: [], conditionWords: [], expressions: [.verdict(nftVerdict)], words: [drops ? "drop" : "accept"])
        switch control {
        case .verdict: break
        case .goOn: tagged = RuleTail.Ending(conditions: [], conditionWords: [], expressions: [], words: [])
        case .transfer(let nft):
            tagged = RuleTail.Ending(
                conditions: [], conditionWords: [], expressions: [.verdict(nft)], words: [TailControl.word(nft)])
        }
        return RuleTail(
            stateful: stateful, endings: endings, taggedEnding: tagged, drops: drops, chain: chain?.0,
            chainRules: chain?.1 ?? [])
    }

    /// A term the kernel cannot check: a dropping rule goes on without it (it drops more), an
    /// accepting one is left out. Returns whether the rule goes on.
    mutating func uncheckable(_ what: String, drops: Bool) -> Bool {
        if drops {
            note(.partlyMirrorable, "the kernel drops the frames this rule matches without checking \(what)")
            return true
        }
        notes.append(
            MirrorNote(
                rule: rule.name, ruleNumber: origin.number, location: rule.location, code: .notMirrorable,
                message: "\(what) cannot be mirrored, and an accepting rule must not accept more"))
        return false
    }

    // MARK: Stateful terms

    static func nftLimit(_ limit: RateLimit) -> NftLimit {
        NftLimit(
            rate: limit.rate.amount, unit: limit.rate.unit.seconds, burst: limit.burst,
            countsBytes: limit.countsBytes, inverted: limit.over)
    }

    static func field(_ key: MeterKeyField) -> Field {
        switch key {
        case .ipSource: return .ipSaddr
        case .ipDestination: return .ipDaddr
        case .ip6Source: return .ip6Saddr
        case .ip6Destination: return .ip6Daddr
        case .etherSource: return .etherSaddr
        case .etherDestination: return .etherDaddr
        case .tcpSourcePort: return .tcpSport
        case .tcpDestinationPort: return .tcpDport
        case .udpSourcePort: return .udpSport
        case .udpDestinationPort: return .udpDport
        case .l4Protocol: return .metaL4proto
        case .vlanID: return .vlanID
        }
    }

    /// A meter's set: `typeof KEY; flags dynamic,timeout; timeout T; size N`. An element idle
    /// for as long as its bucket takes to fill up again is the same as a new one (which starts
    /// full), so the timeout is that refill time, at least a second.
    private func meterSet(id: UInt32, name: String, layouts: [FieldLayout], limit: RateLimit) -> NftSet {
        let refillMilliseconds = (limit.capacity + 999_999) / 1_000_000
        let timeout = max(1000, ((refillMilliseconds + 999) / 1000) * 1000)
        let typeofText = layouts.map(\.selector).joined(separator: " . ")
        let keyLength = layouts.reduce(0) { $0 + ($1.length + 3) / 4 * 4 }
        let keyType: NftDataType
        let userdata: [UInt8]
        if layouts.count == 1 {
            let layout = layouts[0]
            keyType = layout.namedSetType ?? .integer
            userdata = SetEncoding.userdata(
                bigEndianKey: layout.keyIsBigEndian, anonymous: false, interval: false, typeof: layout.typeof,
                named: true)
        } else {
            let id = layouts.reduce(UInt32(0)) { $0 << 6 | ($1.namedSetType ?? .integer).id }
            keyType = NftDataType(
                id: id, name: layouts.map { ($0.namedSetType ?? .integer).name }.joined(separator: " . "))
            userdata = SetEncoding.concatenationUserdata(layouts.compactMap(\.typeof))
        }
        return NftSet(
            name: name, id: id, isAnonymous: false, keyType: keyType,
            keyLength: layouts.count == 1 ? layouts[0].length : keyLength,
            isInterval: false, elements: [], elementsText: "", userdata: userdata, typeofText: typeofText,
            dynamic: NftSetDynamics(size: UInt32(clamping: meterSize), timeout: timeout))
    }

    // MARK: Rewrites and verdict

    /// The endings: one, or for a native `reject` one per kind of answer (a TCP reset for TCP,
    /// ICMP for the rest), each with the protocol it needs.
    private mutating func plannedEndings(rewrites: [RewriteTranslation], established: Set<Dependency>)
        -> [RuleTail.Ending]
    {
        let verdict = plannedVerdict()
        var rewrites = rewrites
        if case .transfer(let nft) = control, nft.leavesTheChain,
            rewrites.contains(where: { !Set($0.dependencies).isSubset(of: established) })
        {
            // A `rule-NAME` chain cannot goto or return for its caller: those rewrites stay out.
            note(
                .partlyMirrorable,
                "rewrites whose protocol the match does not establish are left out: nft cannot write them in the "
                    + "rule itself and still \(TailControl.word(nft))")
            rewrites = rewrites.filter { Set($0.dependencies).isSubset(of: established) }
        }
        let fitsOneRule = rewrites.allSatisfy { Set($0.dependencies).isSubset(of: established) }
        var expressions: [NftExpression]
        var words: [String]
        if fitsOneRule {
            expressions = rewrites.flatMap(\.expressions)
            words = rewrites.map(\.text)
        } else {
            let chainName = "rule-\(rule.name)"
            var final: [NftRule]
            switch verdict {
            case .plain(let nft):
                final = [
                    NftRule(
                        chain: chainName, expressions: [.verdict(nft)], comment: nil, text: TailControl.word(nft),
                        origin: origin)
                ]
            case .reject:
                final = [
                    NftRule(
                        chain: chainName, expressions: [.verdict(.drop)], comment: nil, text: "drop", origin: origin)
                ]
            case .none:
                // The chain's end returns to the rule's chain, which goes on.
                final = []
            }
            chain = (
                NftChain(name: chainName, base: nil),
                rewrites.map {
                    NftRule(
                        chain: chainName, expressions: $0.dependencies.flatMap(\.expressions) + $0.expressions,
                        comment: nil, text: $0.text, origin: origin)
                } + final
            )
            return [
                RuleTail.Ending(
                    conditions: [], conditionWords: [], expressions: [.verdict(.jump(chainName))],
                    words: ["jump \(chainName)"])
            ]
        }
        switch verdict {
        case .none:
            return [RuleTail.Ending(conditions: [], conditionWords: [], expressions: expressions, words: words)]
        case .plain(let nft):
            return [
                RuleTail.Ending(
                    conditions: [], conditionWords: [], expressions: expressions + [.verdict(nft)],
                    words: words + [TailControl.word(nft)])
            ]
        case .reject(let variants):
            return variants.map { variant in
                RuleTail.Ending(
                    conditions: variant.conditions, conditionWords: variant.conditionWords,
                    expressions: expressions + variant.expressions, words: words + variant.words)
            }
        }
    }

    private enum PlannedVerdict {
        case plain(NftVerdict)
        case reject([RejectTranslation.Variant])
        /// No verdict: the rule goes on.
        case none
    }

    /// The nft verdict, with notes for what the kernel cannot do.
    private mutating func plannedVerdict() -> PlannedVerdict {
        switch control {
        case .verdict: break
        case .goOn: return .none
        case .transfer(let nft): return .plain(nft)
        }
        let verdict = rule.verdict ?? Verdict(kind: .forward, location: rule.location)
        let options = verdict.options
        if options.delay != nil || options.jitter != nil || options.retries != nil {
            note(.partlyMirrorable, "\(VerdictText.options(options)) is left out: " + VerdictText.optionsReason)
        }
        switch verdict.kind {
        case .forward:
            return .plain(.accept)
        case .drop:
            return .plain(.drop)
        case .reflect:
            note(
                .partlyMirrorable,
                "`reflect` becomes `drop`: the kernel bridge cannot hand frames to Bridgekeeper's host port")
            return .plain(.drop)
        case .reflectForward:
            note(
                .partlyMirrorable,
                "`reflect forward` becomes `accept` (forward only): the kernel bridge cannot hand frames to "
                    + "Bridgekeeper's host port")
            return .plain(.accept)
        case .reject:
            let answer = verdict.answer ?? .automatic
            guard capabilities.bridgeReject else {
                note(
                    .partlyMirrorable,
                    "`\(RejectTranslation.text(answer))` becomes `drop` in the kernel: it cannot reject in the bridge "
                        + "family (no nft_reject_bridge), so the sender gets no answer while the kernel forwards")
                return .plain(.drop)
            }
            note(
                .partlyMirrorable,
                "the kernel answers only frames with at most one VLAN tag; frames with more are dropped without an "
                    + "answer")
            return .reject(RejectTranslation.variants(answer))
        }
    }

    /// The rewrites nft can do, in order, with notes for the statements left out.
    private mutating func plannedRewrites(contradicting emitted: Set<Dependency>) -> [RewriteTranslation] {
        var rewrites: [RewriteTranslation] = []
        var tagsChanged: String?
        for statement in rule.statements {
            switch statement.kind {
            case .set(let field, let value):
                let text = "\(field.rawValue) set \(value)"
                if field == .vlanID || field == .vlanPCP {
                    if let tagsChanged {
                        note(.partlyMirrorable, "`\(text)` is left out because the `\(tagsChanged)` before it is")
                        continue
                    }
                    note(
                        .partlyMirrorable,
                        "nft's `\(field.rawValue) set` only rewrites 802.1Q (0x8100) outer tags, so frames whose "
                            + "outer tag is 802.1ad (0x88a8 or 0x9100) keep theirs")
                }
                if field == .tcpMSS && !capabilities.tcpOptions {
                    note(
                        .partlyMirrorable,
                        "`\(field.rawValue) set` is left out: the kernel writes no TCP options in the bridge family")
                    continue
                }
                if field == .tcpMSS {
                    note(
                        .partlyMirrorable,
                        "the kernel clamps the MSS of frames with at most one VLAN tag, and reads a malformed TCP "
                            + "option list more leniently than Bridgekeeper (which leaves such a segment alone)")
                }
                guard let rewrite = RewriteTranslation.translate(field, value) else {
                    note(
                        .partlyMirrorable,
                        "`\(field.rawValue) set` is left out: nft cannot write it in the bridge family")
                    continue
                }
                let never = rewrite.dependencies.contains { d in emitted.contains { d.contradicts($0) } }
                if !never { rewrites.append(rewrite) }
            case .vlanPush(let id):
                tagsChanged = "vlan push \(id)"
                note(
                    .partlyMirrorable,
                    "`vlan push \(id)` is left out: nftables cannot add VLAN tags in the bridge family")
            case .segmentSizeToMTU:
                note(
                    .partlyMirrorable,
                    "`tcp option maxseg size set rt mtu` is left out: the kernel refuses `rt mtu` in the bridge "
                        + "family (EOPNOTSUPP), and a bridged frame has no route for it to read; Bridgekeeper clamps "
                        + "to the outgoing port's MTU instead")
            case .vlanPop:
                tagsChanged = "vlan pop"
                note(.partlyMirrorable, "`vlan pop` is left out: nftables cannot remove VLAN tags in the bridge family")
            case .log:
                note(.partlyMirrorable, "`log` is left out: only Bridgekeeper writes its log lines")
            case .pcap(let path):
                note(.partlyMirrorable, "`pcap \"\(path)\"` is left out: the kernel cannot write pcap files")
            case .mirror(let interface):
                note(
                    .partlyMirrorable,
                    "`mirror \"\(interface)\"` is left out: nftables cannot copy frames to another interface in the "
                        + "bridge family")
            case .setUpdate:
                continue
            }
        }
        if rewrites.contains(where: { $0.dependencies.contains { $0 != .vlanTag && $0 != .outerTag } }) {
            note(
                .partlyMirrorable,
                "its rewrites are left out of frames whose L3 header lies behind two or more VLAN tags or a 0x9100 "
                    + "tag (the kernel can only write there as raw payload, without fixing checksums)")
        }
        return rewrites
    }

    mutating func note(_ code: DiagnosticCode, _ message: String) {
        let note = MirrorNote(
            rule: rule.name, ruleNumber: origin.number, location: rule.location, code: code, message: message)
        if !notes.contains(note) { notes.append(note) }
    }
}

extension FieldLayout {
    /// `nft` records meta keys (`l4proto`, `iifname`) in host byte order.
    var keyIsBigEndian: Bool {
        switch load {
        case .meta(.l4proto), .meta(.iifname): return false
        default: return true
        }
    }
}
