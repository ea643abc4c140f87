import Policy

/// Plans one policy rule (see ``MirrorPlanner`` for the decisions it implements).
struct RulePlanner {
    struct Result {
        /// The rule in the forward chain; nil when the rule is left out.
        var rule: NftRule?
        /// The regular chain the rule jumps to, and its rules, when its rewrites need one.
        var chain: NftChain?
        var chainRules: [NftRule] = []
        var notes: [MirrorNote] = []
    }

    let rule: Rule
    let origin: NftRuleOrigin
    let ports: MirrorPorts
    private var notes: [MirrorNote] = []

    init(rule: Rule, origin: NftRuleOrigin, ports: MirrorPorts) {
        self.rule = rule
        self.origin = origin
        self.ports = ports
    }

    /// Plans the rule, adding the sets it uses to `sets` (none when it is left out).
    mutating func plan(sets: inout SetRegistry) -> Result {
        var terms: [(FieldMatch, FieldLayout)] = []
        var reasons: [String] = []
        for term in rule.match {
            switch term {
            case .bpf(let bpf):
                reasons.append("its `bpf \"\(bpf.expression)\"` match has no nftables form")
            case .limit:
                reasons.append("its `limit` is not mirrored yet")
            case .quota:
                reasons.append("its `quota` is not mirrored yet")
            case .field(let match):
                guard let layout = FieldLayout.of(match.field) else {
                    if match.field.isConnectionTracking {
                        reasons.append("its `\(match.field.rawValue)` match is not mirrored yet")
                        continue
                    }
                    reasons.append(
                        "nft's `meta length` counts from the network header, without the Ethernet header and "
                            + "the VLAN tag the kernel takes off, so it cannot test the frame length")
                    continue
                }
                terms.append((match, layout))
            }
        }
        // VLAN terms first: `nft` refuses a `vlan` match after a `meta protocol` dependency
        // ("conflicting protocols"), and the terms are ANDed, so their order is free.
        terms =
            terms.filter { $0.1.dependencies.contains(.vlanTag) }
            + terms.filter { !$0.1.dependencies.contains(.vlanTag) }
        if reasons.isEmpty { reasons = dependencyProblems(terms) }
        guard reasons.isEmpty else { return leftOut(reasons) }

        let mark = sets.mark
        var emitted: Set<Dependency> = []
        var statements: [MatchStatement] = []
        var words: [String] = []
        for (match, layout) in terms {
            for dependency in layout.dependencies where !emitted.contains(dependency) {
                let afterTag = emitted.contains(.vlanTag)
                statements.append(dependency.statement(afterVLANTag: afterTag))
                emitted.insert(dependency)
                if layout.spellsOutDependencies, !afterTag, case .etherType = dependency {
                    words.append(dependency.text)
                }
            }
            let translation: TermTranslation
            do {
                translation = try MatchTranslation.translate(match, layout: layout, ports: ports, sets: &sets)
            } catch {
                sets.rollBack(to: mark)
                return leftOut([error.reason])
            }
            var statement =
                translation.mergeable
                ? MatchStatement(translation.expressions) : MatchStatement.unmergeable(translation.expressions)
            statement.isProtocol = match.field == .ipProtocol || match.field == .ip6Nexthdr
            statements.append(statement)
            words.append(translation.text)
            if let fact = Self.establishedFact(match, layout) { emitted.insert(fact) }
            if match.field == .vlanID || match.field == .vlanPCP {
                note(
                    .partlyMirrorable,
                    "nft's `\(match.field.rawValue)` only sees 802.1Q (0x8100) outer tags, so frames whose outer "
                        + "tag is 802.1ad (0x88a8 or 0x9100) are not matched by the mirrored rule")
            }
        }
        var expressions = PayloadMerge.merge(statements).flatMap(\.expressions)

        let rewrites = plannedRewrites(contradicting: emitted)
        let verdict = plannedVerdict()
        let verdictWords = verdict == .accept ? "accept" : "drop"
        let fitsOneRule = rewrites.allSatisfy { Set($0.dependencies).isSubset(of: emitted) }
        var result = Result()
        if fitsOneRule {
            expressions += [.counter] + rewrites.flatMap(\.expressions) + [.verdict(verdict)]
            words += ["counter"] + rewrites.map(\.text) + [verdictWords]
        } else {
            let chainName = "rule-\(rule.name)"
            expressions += [.counter, .verdict(.jump(chainName))]
            words += ["counter", "jump \(chainName)"]
            result.chain = NftChain(name: chainName, base: nil)
            result.chainRules =
                rewrites.map {
                    NftRule(
                        chain: chainName, expressions: $0.dependencies.flatMap(\.expressions) + $0.expressions,
                        comment: nil, text: $0.text, origin: origin)
                } + [
                    NftRule(
                        chain: chainName, expressions: [.verdict(verdict)], comment: nil, text: verdictWords,
                        origin: origin)
                ]
        }
        result.rule = NftRule(
            chain: "forward", expressions: expressions, comment: rule.name, text: words.joined(separator: " "),
            origin: origin)
        result.notes = notes
        return result
    }

    /// Reasons the match has no exact nft form because of dependencies: a negated term whose
    /// dependency no positive term already needs, or terms no frame meets together.
    private func dependencyProblems(_ terms: [(FieldMatch, FieldLayout)]) -> [String] {
        var positive: Set<Dependency> = []
        // Every condition the rule will check, in the order the terms need them.
        var all: [Dependency] = []
        func add(_ dependency: Dependency) { if !all.contains(dependency) { all.append(dependency) } }
        for (match, layout) in terms {
            layout.dependencies.forEach(add)
            guard !match.negated else { continue }
            positive.formUnion(layout.dependencies)
            if let fact = Self.establishedFact(match, layout) {
                positive.insert(fact)
                add(fact)
            }
        }
        var reasons: [String] = []
        for (match, layout) in terms where match.negated {
            let missing = layout.dependencies.filter { !positive.contains($0) }
            let needsL4 = match.field == .metaL4proto && !positive.contains { $0.impliesL4Header }
            guard !missing.isEmpty || needsL4 else { continue }
            let kind = needsL4 ? "IPv4 or IPv6 packets with an L4 header" : DependencyText.frames(missing)
            reasons.append(
                "`\(match.field.rawValue) != ...` also holds for frames that are not \(kind), but nft can only test "
                    + "it on \(kind) (a positive match on the same protocol in the rule would make it exact)")
        }
        for (i, x) in all.enumerated() {
            for y in all[(i + 1)...] where x.contradicts(y) {
                reasons.append(
                    "it never matches: it needs both \(DependencyText.frames([x])) and \(DependencyText.frames([y]))")
            }
        }
        return reasons
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
            }
        }
        return rewrites
    }

    /// The nft verdict, with notes for what the kernel cannot do.
    private mutating func plannedVerdict() -> NftVerdict {
        let verdict = rule.verdict
        let options = verdict.options
        if options.delay != nil || options.jitter != nil || options.retries != nil {
            note(.partlyMirrorable, "\(VerdictText.options(options)) is left out: " + VerdictText.optionsReason)
        }
        switch verdict.kind {
        case .forward:
            return .accept
        case .drop:
            return .drop
        case .reflect:
            note(
                .partlyMirrorable,
                "`reflect` becomes `drop`: the kernel bridge cannot hand frames to Bridgekeeper's host port")
            return .drop
        case .reflectForward:
            note(
                .partlyMirrorable,
                "`reflect forward` becomes `accept` (forward only): the kernel bridge cannot hand frames to "
                    + "Bridgekeeper's host port")
            return .accept
        case .reject:
            note(.partlyMirrorable, "`reject` becomes `drop` in the kernel: it is not mirrored with its answer yet")
            return .drop
        }
    }

    private static func establishedFact(_ match: FieldMatch, _ layout: FieldLayout) -> Dependency? {
        guard !match.negated, match.values.count >= 1 else { return nil }
        let merged = SetEncoding.merged(match.values)
        guard merged.count == 1, merged[0].isSingle else { return nil }
        return layout.established(by: merged[0].lo)
    }

    private mutating func note(_ code: DiagnosticCode, _ message: String) {
        let note = MirrorNote(
            rule: rule.name, ruleNumber: origin.number, location: rule.location, code: code, message: message)
        if !notes.contains(note) { notes.append(note) }
    }

    private func leftOut(_ reasons: [String]) -> Result {
        var result = Result()
        result.notes = [
            MirrorNote(
                rule: rule.name, ruleNumber: origin.number, location: rule.location, code: .notMirrorable,
                message: reasons.joined(separator: "; "))
        ]
        return result
    }
}

extension Dependency {
    /// A positive match with this dependency only holds for IP packets the kernel found an L4
    /// protocol in (what a negated `meta l4proto` needs to be exact).
    var impliesL4Header: Bool {
        switch self {
        case .etherType(let type): return type == 0x0800 || type == 0x86dd
        case .l4proto: return true
        case .vlanTag: return false
        }
    }
}

/// Words for dependencies in notes.
enum DependencyText {
    static func frames(_ dependencies: [Dependency]) -> String {
        dependencies.map(name).joined(separator: " ")
    }

    private static func name(_ dependency: Dependency) -> String {
        switch dependency {
        case .etherType(0x0800): return "IPv4"
        case .etherType(0x86dd): return "IPv6"
        case .etherType(0x0806): return "ARP"
        case .etherType(let type): return "EtherType \(NftValueText.etherType(type))"
        case .l4proto(6): return "TCP"
        case .l4proto(17): return "UDP"
        case .l4proto(1): return "ICMP"
        case .l4proto(58): return "ICMPv6"
        case .l4proto(let proto): return "IP protocol \(proto)"
        case .vlanTag: return "802.1Q-tagged"
        }
    }
}

/// Words for verdict options in notes.
enum VerdictText {
    static let optionsReason = "the kernel bridge forwards at once and does not retry a failed send"

    /// `delay 25ms jitter 5ms retries 2`, as written.
    static func options(_ options: VerdictOptions) -> String {
        var parts: [String] = []
        if let delay = options.delay { parts.append("delay \(duration(delay))") }
        if let jitter = options.jitter { parts.append("jitter \(duration(jitter))") }
        if let retries = options.retries { parts.append("retries \(retries)") }
        return "`" + parts.joined(separator: " ") + "`"
    }

    /// Nanoseconds in the largest unit the language has that divides them (`s`, `ms`, `us`).
    static func duration(_ nanoseconds: UInt64) -> String {
        if nanoseconds >= 1_000_000_000 && nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds >= 1_000_000 && nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1000 == 0 { return "\(nanoseconds / 1000)us" }
        return "\(nanoseconds)ns"
    }
}
