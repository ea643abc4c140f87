import Policy

/// Plans one policy rule for a tagged framing (``Framing/tagged(_:)``, ``Framing/pastTags``):
/// the rule's match read as raw link-layer payload at the framing's offsets, so the kernel
/// gives frames with two or more VLAN tags, or a 0x9100 tag, the verdict Bridgekeeper gives.
///
/// A rule becomes one nft rule per L3 family it can apply to (a `tcp dport` rule: IPv4 and
/// IPv6) and per way the kernel can find the L4 header:
/// - IPv4: the L4 header is at a fixed offset only when the header has no options (its first
///   byte is 0x45) and the packet is not a later fragment (offset 0); IPv4 with options is the
///   case the kernel cannot read.
/// - IPv6: the L4 header follows the fixed header only when its next header is not an extension
///   header (hop-by-hop 0, routing 43, fragment 44, AH 51, destination options 60); with one,
///   its place depends on the headers' lengths, which nft cannot follow in raw payload.
///
/// Where the kernel cannot read what the rule needs, a rule whose kernel verdict is drop takes
/// the frame anyway (the safer verdict: it drops what it cannot check), and an accepting rule
/// leaves it to the rules after it; ``MirrorPlanner`` notes both. The values of `{ ... }` and
/// named sets live in one named set per term (`bk.RULE.N`), which every framing's copy reads.
struct TaggedRulePlanner {
    struct Result {
        var rules: [NftRule] = []
        /// Frames of this framing the rule cannot check are dropped by it.
        var guessed = false
        /// Frames of this framing the rule cannot check are left to the rules after it.
        var skipped = false
    }

    /// How a rule variant finds the L4 header.
    enum Mode: Hashable {
        /// The rule reads nothing beyond L3.
        case plain
        /// IPv4 without options, not a later fragment: L4 at +20.
        case optionless
        /// IPv4 with options, not a later fragment: L4 somewhere the kernel cannot tell.
        case options
        /// IPv4, not a later fragment (the protocol field is all the rule reads of L4).
        case firstFragment
        /// An IPv4 later fragment: no L4 header to the policy.
        case laterFragment
        /// IPv6 without extension headers: L4 at +40, its protocol the next header.
        case direct
        /// IPv6 with extension headers: L4 somewhere the kernel cannot tell.
        case extensions

        var isExact: Bool { self != .options && self != .extensions }
    }

    /// How one term reads in a variant.
    private enum Outcome {
        case statement(MatchStatement, String)
        /// The term cannot hold in this variant: the variant is dropped.
        case never
        /// The term holds for every frame of this variant.
        case always
        /// The kernel cannot tell: the variant is a guess.
        case unknown
    }

    /// IPv6 extension headers Bridgekeeper walks.
    static let ipv6ExtensionHeaders: [UInt8] = [0, 43, 44, 51, 60]

    /// The rule adds to or tests a dynamic set: its tagged copies would need the set read and
    /// filled at other offsets, which one nft set cannot be for both.
    static func usesDynamicSets(_ rule: Rule) -> Bool {
        rule.match.contains { if case .setMembership = $0 { true } else { false } }
            || rule.statements.contains { if case .setUpdate = $0.kind { true } else { false } }
    }

    let rule: Rule
    let origin: NftRuleOrigin
    let terms: RuleTerms
    let tail: RuleTail
    let context: PlanContext
    let framing: Framing

    /// The rule's nft rules for this framing; the sets they use are added to `sets`.
    func plan(sets: inout SetRegistry) -> Result {
        var result = Result()
        if framing == .pastTags || Self.usesDynamicSets(rule) {
            // Not read (past the tags, or a dynamic set the kernel's copy for the native framing
            // fills): a dropping rule drops every such frame, an accepting one leaves them.
            guard tail.drops else {
                result.skipped = true
                return result
            }
            result.guessed = true
            let ending = tail.taggedEnding
            result.rules.append(
                NftRule(
                    chain: framing.chainName, expressions: [.counter] + ending.expressions, comment: rule.name,
                    text: (["counter"] + ending.words).joined(separator: " "), origin: origin))
            return result
        }
        let fields = terms.fields.map(\.0)
        let ct = ConnectionTrackingTerms.statements(
            terms.connectionTracking, mode: context.connectionTracking, nativeFraming: false, drops: tail.drops)
        let needs = Needs(fields, meterKey: tail.meterKeyFields)
        // `meta length`: the kernel's value is the frame's minus 18 when it took the outer tag off
        // (0x8100, 0x88a8), minus 14 with a 0x9100 outer tag.
        let lengths: [(MatchStatement, String, Int)?] =
            fields.contains { $0.field == .metaLength }
            ? [
                (
                    MatchStatement([.payload(.link, offset: 12, length: 2), .compare(.notEqual, [0x91, 0x00])]),
                    "@ll,96,16 != 0x9100", FrameLength.stripped
                ),
                (
                    MatchStatement([.payload(.link, offset: 12, length: 2), .compare(.equal, [0x91, 0x00])]),
                    "@ll,96,16 0x9100", FrameLength.untagged
                ),
            ] : [nil]
        for length in lengths {
            plan(fields, needs: needs, length: length, ct: ct, into: &result, sets: &sets)
        }
        return result
    }

    /// The rule's variants for one kind of outer tag (`length`: its condition and how much
    /// shorter the kernel's frame length is; nil when the rule has no `meta length` term).
    private func plan(
        _ fields: [FieldMatch], needs: Needs, length: (MatchStatement, String, Int)?, ct: [(MatchStatement, String)]?,
        into result: inout Result, sets: inout SetRegistry
    ) {
        for family in needs.families {
            if family != .link && framing.payloadOffset == nil {
                // Past the eighth tag Bridgekeeper reads nothing: no IP field ever matches.
                continue
            }
            for mode in needs.modes(family) {
                // A variant that is not kept must leave no set behind.
                let mark = sets.mark
                guard
                    var variant = self.variant(
                        fields, family: family, mode: mode, needs: needs, lengthShift: length?.2, sets: &sets)
                else {
                    sets.rollBack(to: mark)
                    continue
                }
                if let length {
                    variant.statements.insert(length.0, at: 0)
                    variant.words.insert(length.1, at: 0)
                }
                if let ct {
                    for (statement, text) in ct {
                        variant.statements.append(statement)
                        variant.words.append(text)
                    }
                } else if !terms.connectionTracking.isEmpty {
                    variant.exact = false
                }
                let stateful = tail.statefulExpressions(tagged: true) { key in
                    rawKeyLoads(key, family: family, mode: mode)
                }
                if stateful == nil { variant.exact = false }
                if !variant.exact {
                    guard tail.drops else {
                        sets.rollBack(to: mark)
                        result.skipped = true
                        continue
                    }
                    result.guessed = true
                }
                let ending = tail.taggedEnding
                let statefulParts = stateful ?? ([], [])
                result.rules.append(
                    NftRule(
                        chain: framing.chainName,
                        expressions: PayloadMerge.merge(variant.statements).flatMap(\.expressions)
                            + statefulParts.expressions + [.counter] + ending.expressions,
                        comment: rule.name,
                        text: (variant.words + statefulParts.words + ["counter"] + ending.words).joined(separator: " "),
                        origin: origin))
            }
        }
    }

    private struct Variant {
        var statements: [MatchStatement] = []
        var words: [String] = []
        var exact = true
    }

    private func variant(
        _ fields: [FieldMatch], family: RawFamily, mode: Mode, needs: Needs, lengthShift: Int?,
        sets: inout SetRegistry
    ) -> Variant? {
        var variant = Variant()
        variant.exact = mode.isExact
        func add(_ statement: MatchStatement, _ text: String) {
            variant.statements.append(statement)
            variant.words.append(text)
        }
        if let type = family.etherType, let offset = framing.etherTypeOffset {
            add(
                Self.equality(offset, Bytes.bigEndian(UInt128(type), count: 2)), Self.hexMatch(offset, 2, UInt128(type))
            )
        } else if family == .link, needs.families.count > 1, let offset = framing.etherTypeOffset {
            // The frames of no family the other variants cover.
            let set = sets.rawNamedSet(
                "bk.l3-types", values: RawFamily.known.map { ValueInterval(UInt128($0)) },
                layout: FieldLayout.rawLink(offset: offset, length: 2, style: .rawHex(digits: 4)), fieldMax: 0xffff,
                bitWidth: 16)
            add(
                MatchStatement.unmergeable([
                    .payload(.link, offset: offset, length: 2),
                    .lookup(setName: set.name, setID: set.id, inverted: true),
                ]), "@ll,\(8 * offset),16 != @\(set.name)")
        }
        let payload = framing.payloadOffset ?? 0
        if family == .arp, framing.payloadOffset != nil,
            fields.contains(where: { !$0.negated && Self.readsARPAddresses($0.field) })
        {
            // The ARP format check (`arp htype 1 arp ptype ip arp hlen 6 arp plen 4` natively).
            add(
                Self.equality(payload, [0x00, 0x01, 0x08, 0x00, 0x06, 0x04]),
                Self.hexMatch(payload, 6, 0x0001_0800_0604))
        }
        let fragmentField = payload + 6
        switch mode {
        case .optionless:
            add(Self.equality(payload, [0x45]), Self.hexMatch(payload, 1, 0x45))
            add(Self.fragmentOffset(fragmentField, zero: true), "@ll,\(8 * fragmentField + 3),13 0")
        case .options:
            add(
                MatchStatement.unmergeable([
                    .payload(.link, offset: payload, length: 1), .bitwise(mask: [0xf0], xor: [0]),
                    .compare(.equal, [0x40]),
                ]), "@ll,\(8 * payload),4 4")
            add(
                MatchStatement([.payload(.link, offset: payload, length: 1), .compare(.notEqual, [0x45])]),
                "@ll,\(8 * payload),8 != 0x45")
            add(Self.fragmentOffset(fragmentField, zero: true), "@ll,\(8 * fragmentField + 3),13 0")
        case .firstFragment:
            add(Self.fragmentOffset(fragmentField, zero: true), "@ll,\(8 * fragmentField + 3),13 0")
        case .laterFragment:
            add(Self.fragmentOffset(fragmentField, zero: false), "@ll,\(8 * fragmentField + 3),13 != 0")
        case .direct, .extensions:
            let set = sets.rawNamedSet(
                "bk.ipv6-extension-headers", values: Self.ipv6ExtensionHeaders.map { ValueInterval(UInt128($0)) },
                layout: FieldLayout.rawLink(offset: payload + 6, length: 1, style: .decimal), fieldMax: 0xff,
                bitWidth: 8)
            let inverted = mode == .direct
            add(
                MatchStatement.unmergeable([
                    .payload(.link, offset: payload + 6, length: 1),
                    .lookup(setName: set.name, setID: set.id, inverted: inverted),
                ]), "@ll,\(8 * (payload + 6)),8 \(inverted ? "!= " : "")@\(set.name)")
        case .plain:
            break
        }
        // The protocol of the L4 fields, once, where the mode lets the kernel read it.
        if mode == .optionless || mode == .options || mode == .direct {
            for proto in needs.protocols {
                let offset = payload + (family == .ipv6 ? 6 : 9)
                add(Self.equality(offset, [proto]), "@ll,\(8 * offset),8 \(proto)")
            }
        }
        for (index, match) in fields.enumerated() {
            var match = match
            if match.field == .metaLength, let lengthShift {
                switch FrameLength.shifted(match, by: lengthShift) {
                case .match(let shifted): match = shifted
                case .always: continue
                case .never: return nil
                }
            }
            switch translate(match, index: index, family: family, mode: mode, sets: &sets) {
            case .statement(let statement, let text): add(statement, text)
            case .never: return nil
            case .always: continue
            case .unknown: variant.exact = false
            }
        }
        return variant
    }

    private func translate(_ match: FieldMatch, index: Int, family: RawFamily, mode: Mode, sets: inout SetRegistry)
        -> Outcome
    {
        let field = match.field
        let payload = framing.payloadOffset ?? 0
        let layout: FieldLayout?
        if field == .thSport || field == .thDport {
            // Which transport header a tagged frame's raw bytes hold is not checked here.
            return .unknown
        }
        if field == .metaLength {
            layout = FieldLayout.of(field)
        } else if field == .metaL4proto {
            switch mode {
            case .laterFragment: return match.negated ? .always : .never
            case .extensions: return .unknown
            case .plain: return match.negated ? .always : .never
            default: layout = FieldLayout.rawProtocol(family: family, payload: payload)
            }
        } else if field == .etherType {
            guard let offset = framing.etherTypeOffset else { return .unknown }
            layout = FieldLayout.rawLink(offset: offset, length: 2, style: .rawHex(digits: 4))
        } else if let native = FieldLayout.of(field), !Self.belongs(native, to: family) {
            // A field of another family (or one the frame's family lacks): `!=` holds, `==` never.
            return match.negated ? .always : .never
        } else if case .payload(.transport, _, _) = FieldLayout.of(field)?.load {
            switch mode {
            case .optionless: layout = FieldLayout.raw(field, payload: payload, l4Start: 20)
            case .direct: layout = FieldLayout.raw(field, payload: payload, l4Start: 40)
            case .options, .extensions: return .unknown
            default: return match.negated ? .always : .never
            }
        } else if framing.payloadOffset == nil && !field.isLinkLevel {
            return match.negated ? .always : .never
        } else {
            layout = FieldLayout.raw(field, payload: payload, l4Start: nil)
        }
        guard let layout else { return .unknown }
        // A negated ARP address also holds for ARP of another format, which the variant does not
        // tell apart (the positive ones have their format check: ``variant``).
        if match.negated && Self.readsARPAddresses(field) { return .unknown }
        do {
            let translation = try MatchTranslation.translate(
                match, layout: layout, ports: context.ports, sets: &sets, sharedSet: "bk.\(rule.name).\(index + 1)")
            let statement =
                translation.mergeable
                ? MatchStatement(translation.expressions) : MatchStatement.unmergeable(translation.expressions)
            return .statement(statement, translation.text)
        } catch {
            return .unknown
        }
    }

    /// The loads of a meter's key at this framing's offsets; nil when the variant cannot read
    /// a key field (an L4 port behind IPv4 options or IPv6 extension headers).
    private func rawKeyLoads(_ key: [Field], family: RawFamily, mode: Mode) -> (loads: [NftExpression], text: String)? {
        let payload = framing.payloadOffset ?? 0
        var loads: [NftExpression] = []
        var word = 0
        var words: [String] = []
        for field in key {
            let layout: FieldLayout?
            if !MeterKey.hasRawForm(field) {
                return nil
            } else if case .payload(.transport, _, _) = FieldLayout.of(field)?.load {
                switch mode {
                case .optionless: layout = FieldLayout.raw(field, payload: payload, l4Start: 20)
                case .direct: layout = FieldLayout.raw(field, payload: payload, l4Start: 40)
                default: return nil
                }
            } else {
                guard field.isLinkLevel || framing.payloadOffset != nil else { return nil }
                layout = FieldLayout.raw(field, payload: payload, l4Start: nil)
            }
            guard let layout else { return nil }
            let register = NftRegisters.register(atWord: word)
            words.append(layout.selector)
            loads += layout.loads.map { register == 1 ? $0 : .inRegister(register, $0) }
            word += (layout.length + 3) / 4
        }
        return (loads, words.joined(separator: " . "))
    }

    /// `arp saddr ip` and its kin: fields only Ethernet/IPv4 ARP has.
    private static func readsARPAddresses(_ field: Field) -> Bool {
        FieldLayout.of(field)?.dependencies.contains(.arpIPv4OverEthernet) == true
    }

    /// Whether a field's header exists in frames of `family`.
    private static func belongs(_ layout: FieldLayout, to family: RawFamily) -> Bool {
        for dependency in layout.dependencies {
            if case .etherType(let type) = dependency, type != family.etherType { return false }
            if case .l4proto = dependency, family != .ipv4 && family != .ipv6 { return false }
        }
        return true
    }

    private static func equality(_ offset: Int, _ bytes: [UInt8]) -> MatchStatement {
        MatchStatement([.payload(.link, offset: offset, length: bytes.count), .compare(.equal, bytes)])
    }

    private static func hexMatch(_ offset: Int, _ length: Int, _ value: UInt128) -> String {
        "@ll,\(8 * offset),\(8 * length) \(NftValueText.value(value, style: .rawHex(digits: 2 * length)))"
    }

    /// IPv4's 13-bit fragment offset is (or is not) zero.
    private static func fragmentOffset(_ offset: Int, zero: Bool) -> MatchStatement {
        MatchStatement.unmergeable([
            .payload(.link, offset: offset, length: 2), .bitwise(mask: [0x1f, 0xff], xor: [0, 0]),
            .compare(zero ? .equal : .notEqual, [0, 0]),
        ])
    }
}
