import Policy

/// Plans one policy rule in the native framing (untagged, or one 802.1Q/802.1ad tag the kernel
/// takes off): the rules of the `forward` chain. See ``MirrorPlanner`` for the decisions.
struct RulePlanner {
    struct Result {
        /// The rule's nft rules in the forward chain; empty when the rule is left out.
        var rules: [NftRule] = []
        /// The regular chain the rule jumps to, and its rules, when its rewrites need one.
        var chain: NftChain?
        var chainRules: [NftRule] = []
    }

    let rule: Rule
    let origin: NftRuleOrigin
    let terms: RuleTerms
    let tail: RuleTail
    let context: PlanContext

    /// Plans the rule's native nft rules, adding the sets they use to `sets`.
    func plan(sets: inout SetRegistry) -> Result {
        var result = Result()
        result.chain = tail.chain
        result.chainRules = tail.chainRules
        let ct = ConnectionTrackingTerms.statements(
            terms.connectionTracking, mode: context.connectionTracking, nativeFraming: true, drops: tail.drops)
        if ct == nil && !terms.connectionTracking.isEmpty && !tail.drops { return result }
        for alternative in Self.alternatives(terms.fields, meterKey: tail.meterKeyFields) {
            let mark = sets.mark
            guard var draft = draft(alternative, excludingTagged: context.guardsTaggedFrames, sets: &sets) else {
                sets.rollBack(to: mark)
                continue
            }
            let notIP = alternative.contains(.notIP)
            if context.guardsTaggedFrames && Self.mayMatchTaggedFrames(alternative) && !notIP {
                let tpids = sets.tpids()
                draft.statements.insert(
                    MatchStatement.unmergeable([
                        .meta(.protocolType), .lookup(setName: tpids.name, setID: tpids.id, inverted: true),
                    ]), at: 0)
                draft.words.insert("meta protocol != @\(tpids.name)", at: 0)
            }
            for (statement, text) in ct ?? [] {
                draft.statements.append(statement)
                draft.words.append(text)
            }
            let matched = PayloadMerge.merge(draft.statements).flatMap(\.expressions)
            for ending in tail.endings {
                guard
                    let stateful = tail.statefulExpressions(tagged: false, keyLoads: { Self.nativeKeyLoads($0) })
                else { continue }
                let expressions =
                    matched + ending.conditions.flatMap(\.expressions) + stateful.expressions + [.counter]
                    + ending.expressions
                let words = draft.words + ending.conditionWords + stateful.words + ["counter"] + ending.words
                result.rules.append(
                    NftRule(
                        chain: "forward", expressions: expressions, comment: rule.name,
                        text: words.joined(separator: " "), origin: origin))
            }
        }
        return result
    }

    private struct Draft {
        var statements: [MatchStatement] = []
        var words: [String] = []
    }

    /// The statements of one alternative: each dependency once, before the first atom needing
    /// it, as `nft` inserts them.
    private func draft(_ atoms: [MatchAtom], excludingTagged: Bool, sets: inout SetRegistry) -> Draft? {
        var draft = Draft()
        var emitted: Set<Dependency> = []
        for atom in atoms {
            switch atom {
            case .dependency(let dependency):
                guard !emitted.contains(dependency) else { continue }
                emitted.insert(dependency)
                if dependency == .outerTag {
                    draft.statements.append(Dependency.outerTagStatement(sets.tpids()))
                    draft.words.append(dependency.text)
                    continue
                }
                draft.statements.append(dependency.statement(afterVLANTag: false))
                if Self.spellsOut(dependency, before: atoms) { draft.words.append(dependency.text) }
            case .keyDependency(let dependency):
                // The key is read as raw payload, for which `nft` inserts no dependency itself.
                guard !emitted.contains(dependency) else { continue }
                emitted.insert(dependency)
                if dependency == .outerTag {
                    draft.statements.append(Dependency.outerTagStatement(sets.tpids()))
                } else {
                    draft.statements.append(dependency.statement(afterVLANTag: false))
                }
                draft.words.append(dependency.text)
            case .term(let match):
                let layout = FieldLayout.of(match.field)!
                let translation: TermTranslation
                do {
                    translation = try MatchTranslation.translate(
                        match, layout: layout, ports: context.ports, sets: &sets)
                } catch {
                    return nil
                }
                var statement =
                    translation.mergeable
                    ? MatchStatement(translation.expressions) : MatchStatement.unmergeable(translation.expressions)
                statement.isProtocol = match.field == .ipProtocol || match.field == .ip6Nexthdr
                draft.statements.append(statement)
                draft.words.append(translation.text)
                if let fact = Self.establishedFact(match, layout) { emitted.insert(fact) }
            case .notIP where excludingTagged:
                // Not IP, and not a frame the tagged chains judged: one lookup for both.
                let set = sets.etherTypeSet([0x0800, 0x86dd] + Framing.tagTypes)
                draft.statements.append(
                    MatchStatement.unmergeable([
                        .meta(.protocolType), .lookup(setName: set.name, setID: set.id, inverted: true),
                    ]))
                draft.words.append("meta protocol != \(set.elementsText)")
            default:
                guard let (statement, text) = atom.statement(sets: &sets) else { continue }
                draft.statements.append(statement)
                draft.words.append(text)
            }
        }
        return draft
    }

    /// Whether the nft text must say `meta protocol X` itself: for the fields whose layout says
    /// so (`arp`, `icmp`, `icmpv6`), and before `frag frag-off` (for which `nft` would test the
    /// EtherType at link offset 12, which is a TPID in a tagged frame).
    private static func spellsOut(_ dependency: Dependency, before atoms: [MatchAtom]) -> Bool {
        // `nft` inserts no ARP format check, nor anything before a raw `@nh` load.
        if dependency.arpHeaderBytes != nil { return true }
        guard case .etherType(let type) = dependency else { return false }
        for atom in atoms {
            switch atom {
            case .notARPFormat where type == 0x0806: return true
            case .laterFragment(let family) where family == type && type == 0x86dd: return true
            case .term(let match):
                if let layout = FieldLayout.of(match.field), layout.spellsOutDependencies,
                    layout.dependencies.contains(dependency)
                {
                    return true
                }
            default: continue
            }
        }
        return false
    }

    // MARK: Alternatives

    /// The rule's match as alternatives (each one nft rule), every atom list in emission order.
    ///
    /// A positive term is its dependencies and itself. A negated term whose dependencies no
    /// positive term establishes also holds for frames without the field, which nft cannot test
    /// it on: it becomes the frames that have the field and do not match, or one alternative per
    /// way of lacking it (another EtherType, another L4 protocol, a later fragment, not IP). A
    /// positive `meta l4proto` without a transport-header term excludes later fragments, whose L4
    /// protocol the kernel knows and the policy does not. `meterKey` fields' dependencies join
    /// (a frame without the key does not match the meter's rule).
    static func alternatives(_ fields: [(FieldMatch, FieldLayout)], meterKey: [Field]) -> [[MatchAtom]] {
        var established: Set<Dependency> = []
        for (match, layout) in fields where !match.negated {
            established.formUnion(layout.dependencies)
            if let fact = establishedFact(match, layout) { established.insert(fact) }
        }
        let keyDependencies = meterKey.flatMap { FieldLayout.of($0)?.dependencies ?? [] }
        established.formUnion(keyDependencies)
        let families = established.compactMap { dependency -> UInt16? in
            if case .etherType(let type) = dependency, type == 0x0800 || type == 0x86dd { return type }
            return nil
        }
        var combinations: [[MatchAtom]] = [[]]
        for (match, layout) in fields {
            if match.field == .metaLength {
                // The kernel's length is the frame's minus 14 (untagged) or 18 (its tag taken off).
                var branches: [[MatchAtom]] = []
                for (atom, bytes) in [
                    (MatchAtom.notOuterTag, FrameLength.untagged), (.dependency(.outerTag), FrameLength.stripped),
                ] {
                    switch FrameLength.shifted(match, by: bytes) {
                    case .match(let shifted): branches.append([atom, .term(shifted)])
                    case .always: branches.append([atom])
                    case .never: continue
                    }
                }
                combinations = combinations.flatMap { prefix in branches.map { prefix + $0 } }
                continue
            }
            var branches = [layout.dependencies.map(MatchAtom.dependency) + [.term(match)]]
            if match.negated {
                branches += lacking(match.field, layout.dependencies, established: established, families: families)
            }
            combinations = combinations.flatMap { prefix in branches.map { prefix + $0 } }
        }
        combinations = combinations.map { $0 + keyDependencies.map(MatchAtom.keyDependency) }
        let readsTransport = fields.contains { match, layout in
            guard !match.negated, case .payload(.transport, _, _) = layout.load else { return false }
            return true
        }
        let positiveL4proto = fields.contains { $0.0.field == .metaL4proto && !$0.0.negated }
        return combinations.compactMap { atoms -> [MatchAtom]? in
            var atoms = atoms
            let fragment = atoms.contains { if case .laterFragment = $0 { true } else { false } }
            if positiveL4proto && !readsTransport && !fragment { atoms.append(.transportHeader) }
            // A positive single-valued term is also the fact it establishes (`meta l4proto 17`).
            let facts = atoms.map { atom -> MatchAtom in
                if case .keyDependency(let dependency) = atom { return .dependency(dependency) }
                guard case .term(let match) = atom, let layout = FieldLayout.of(match.field),
                    let fact = establishedFact(match, layout)
                else { return atom }
                return .dependency(fact)
            }
            for (i, a) in facts.enumerated() {
                for b in facts[(i + 1)...] where a.contradicts(b) { return nil }
            }
            return atoms
        }
    }

    /// The ways a frame can lack `field` (whose layout needs `dependencies`), as alternatives:
    /// each dependency no positive term of the rule `established` fails in turn (another
    /// EtherType; another L4 protocol, a later fragment or no IP at all; no VLAN tag). A
    /// negated `meta l4proto` lacks the field in later fragments and frames that are not IP.
    /// `families` are the IP families the rule's positive terms fix.
    private static func lacking(
        _ field: Field, _ dependencies: [Dependency], established: Set<Dependency>, families: [UInt16]
    ) -> [[MatchAtom]] {
        var branches: [[MatchAtom]] = []
        var before: [MatchAtom] = []
        let ownFamily = dependencies.compactMap { dependency -> UInt16? in
            if case .etherType(let type) = dependency { return type }
            return nil
        }.first
        func noL4Protocol(_ prefix: [MatchAtom]) {
            let ipFamilies = ownFamily.map { [$0] } ?? (families.isEmpty ? [0x0800, 0x86dd] : families)
            for family in ipFamilies {
                branches.append(prefix + [.dependency(.etherType(family)), .laterFragment(family)])
            }
            if ownFamily == nil && families.isEmpty { branches.append(prefix + [.notIP]) }
        }
        for dependency in dependencies {
            if !established.contains(dependency) {
                switch dependency {
                case .etherType(let type):
                    branches.append(before + [.notEtherType(type)])
                case .l4proto(let proto):
                    branches.append(before + [.notL4proto(proto)])
                    noL4Protocol(before)
                case .outerTag:
                    branches.append(before + [.notOuterTag])
                case .arpIPv4OverEthernet, .arpAddressLengths:
                    branches.append(before + [.notARPFormat(dependency)])
                case .vlanTag:
                    break
                }
            }
            before.append(.dependency(dependency))
        }
        if field == .metaL4proto { noL4Protocol([]) }
        return branches
    }

    /// Whether an alternative can match a frame whose `meta protocol` is a VLAN TPID: it tests
    /// nothing that makes the kernel look past the link layer.
    private static func mayMatchTaggedFrames(_ atoms: [MatchAtom]) -> Bool {
        !atoms.contains { atom in
            switch atom {
            case .dependency(let dependency), .keyDependency(let dependency):
                return dependency != .vlanTag && dependency != .outerTag
            case .laterFragment, .notL4proto, .transportHeader, .notOuterTag, .notARPFormat: return true
            case .notEtherType, .notIP: return false
            case .term(let match):
                // `meta l4proto` needs an L4 header the kernel found: never in a tagged frame.
                // So does `th`, which the mirror checks after `meta l4proto { 6, 17 }`.
                if match.field == .metaL4proto || match.field == .thSport || match.field == .thDport { return true }
                guard match.field == .etherType, !match.negated else { return false }
                return !match.values.contains { interval in
                    Framing.tagTypes.contains { UInt128($0) >= interval.lo && UInt128($0) <= interval.hi }
                }
            }
        }
    }

    /// The loads of a meter's key in the native framing, into the registers `nft` gives a
    /// concatenation.
    static func nativeKeyLoads(_ key: [Field]) -> (loads: [NftExpression], text: String)? {
        var loads: [NftExpression] = []
        var word = 0
        for field in key {
            guard let layout = MeterKey.nativeLayout(field, in: key) else { return nil }
            let register = NftRegisters.register(atWord: word)
            loads += layout.loads.map { register == 1 ? $0 : .inRegister(register, $0) }
            word += (layout.length + 3) / 4
        }
        return (loads, key.compactMap { MeterKey.nativeLayout($0, in: key)?.selector }.joined(separator: " . "))
    }

    static func establishedFact(_ match: FieldMatch, _ layout: FieldLayout) -> Dependency? {
        guard !match.negated, match.values.count >= 1 else { return nil }
        let merged = SetEncoding.merged(match.values)
        guard merged.count == 1, merged[0].isSingle else { return nil }
        return layout.established(by: merged[0].lo)
    }
}

/// nft's data registers for the parts of a concatenation: the first at `NFT_REG_1`, each next
/// one after the 4-byte words of those before, named as the 16-byte register when it starts one.
enum NftRegisters {
    static func register(atWord word: Int) -> UInt32 {
        word % 4 == 0 ? UInt32(1 + word / 4) : UInt32(8 + word)
    }
}

extension Dependency {
    /// A positive match with this dependency only holds for IP packets the kernel found an L4
    /// protocol in (what a negated `meta l4proto` needs to be exact).
    var impliesL4Header: Bool {
        switch self {
        case .etherType(let type): return type == 0x0800 || type == 0x86dd
        case .l4proto: return true
        case .vlanTag, .outerTag, .arpIPv4OverEthernet, .arpAddressLengths: return false
        }
    }
}
