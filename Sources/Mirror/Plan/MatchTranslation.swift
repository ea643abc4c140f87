import Policy

/// One `match` term in nft form: the expressions after its dependencies, and its nft text.
struct TermTranslation {
    var expressions: [NftExpression]
    var text: String
    /// False for a CIDR prefix compiled as a shorter load: `nft` merges payload matches before it
    /// shortens prefixes, so such a load never merges with its neighbours.
    var mergeable = true
}

/// Why a term has no exact nft form.
struct Untranslatable: Error {
    var reason: String
}

/// Compiles one field term, the way `nft` compiles the same text.
enum MatchTranslation {
    /// - Parameters:
    ///   - match: the term; `values` are its resolved values.
    ///   - layout: where the field lives.
    ///   - ports: interface names for `iif`.
    ///   - sets: where named and anonymous sets are made.
    ///   - sharedSet: the name of the mirror's own named set to hold the values when they need a
    ///     set (the tagged chains' raw copies of a rule share one), instead of an anonymous set or
    ///     the policy's named set.
    static func translate(
        _ match: FieldMatch, layout: FieldLayout, ports: MirrorPorts, sets: inout SetRegistry,
        sharedSet: String? = nil
    ) throws(Untranslatable) -> TermTranslation {
        if match.field == .iif { return try interface(match, layout: layout, ports: ports, sets: &sets) }
        if let masked = match.masked { return masking(masked, layout: layout) }
        if match.field.isBitmask { return try flags(match, layout: layout) }
        if match.field == .tcpMSS && match.negated {
            // The kernel's load stops the rule on a segment without the option; the policy's
            // negated term holds for it.
            throw Untranslatable(
                reason: "a negated `tcp option maxseg size` also holds for frames without the option, which nft's "
                    + "never does")
        }
        if match.field == .thSport || match.field == .thDport {
            return try transportPorts(match, layout: layout, sets: &sets, sharedSet: sharedSet)
        }
        return try compared(match, layout: layout, sets: &sets, sharedSet: sharedSet)
    }

    /// A positive `th sport|dport`: `meta l4proto { 6, 17 }`, then the port as any field, for nft's
    /// `th` reads whatever transport header there is (the planner splits a negated one).
    private static func transportPorts(
        _ match: FieldMatch, layout: FieldLayout, sets: inout SetRegistry, sharedSet: String?
    ) throws(Untranslatable) -> TermTranslation {
        guard !match.negated, let l4proto = FieldLayout.of(.metaL4proto) else {
            throw Untranslatable(reason: "a negated `\(match.field.rawValue)` is planned as its TCP and UDP terms")
        }
        // The protocols' set first, as `nft` makes the sets in the order of the text.
        let protocols = sets.anonymousSet(
            values: [ValueInterval(6), ValueInterval(17)], layout: l4proto, fieldMax: 255, bitWidth: 8)
        let port = try compared(match, layout: layout, sets: &sets, sharedSet: sharedSet)
        return TermTranslation(
            expressions: l4proto.loads + [.lookup(setName: protocols.name, setID: protocols.id, inverted: false)]
                + port.expressions,
            text: "meta l4proto \(protocols.elementsText) \(port.text)", mergeable: false)
    }

    /// A field compared with its values: one comparison, a range, a prefix or a set lookup.
    private static func compared(
        _ match: FieldMatch, layout: FieldLayout, sets: inout SetRegistry, sharedSet: String?
    ) throws(Untranslatable) -> TermTranslation {
        let field = match.field
        let merged = SetEncoding.merged(match.values)
        let op = match.negated ? "!= " : ""
        // A host-order field is turned to network order before a set lookup or a range.
        let setLoad =
            layout.loads + (layout.hostOrder ? [.hostToNetwork(length: layout.length, size: layout.length)] : [])

        if let sharedSet, match.setName != nil || merged.count > 1 {
            let set = sets.rawNamedSet(
                sharedSet, values: match.values, layout: layout, fieldMax: field.maxValue, bitWidth: field.bitWidth)
            return TermTranslation(
                expressions: setLoad + [.lookup(setName: set.name, setID: set.id, inverted: match.negated)],
                text: "\(layout.selector) \(op)@\(set.name)")
        }
        if let setName = match.setName, let type = layout.namedSetType {
            let set = sets.namedSet(
                setName, type: type, values: match.values, layout: layout, fieldMax: field.maxValue,
                bitWidth: field.bitWidth)
            return TermTranslation(
                expressions: setLoad + [.lookup(setName: set.name, setID: set.id, inverted: match.negated)],
                text: "\(layout.selector) \(op)@\(set.name)")
        }
        guard let first = merged.first else {
            throw Untranslatable(reason: "`\(field.rawValue)` is compared with an empty set")
        }
        if merged.count > 1 {
            let set = sets.anonymousSet(
                values: merged, layout: layout, fieldMax: field.maxValue, bitWidth: field.bitWidth)
            return TermTranslation(
                expressions: setLoad + [.lookup(setName: set.name, setID: set.id, inverted: match.negated)],
                text: "\(layout.selector) \(op)\(set.elementsText)")
        }
        let valueText = NftValueText.interval(
            first, style: layout.style, bitWidth: field.bitWidth, isAddress: layout.isAddress)
        let text = "\(layout.selector) \(op)\(valueText)"
        // `nft` shifts a raw field into place only for set lookups; a comparison takes the value
        // shifted to the field's place instead.
        var layout = layout
        if layout.rightShift > 0 {
            layout.shift = layout.rightShift
            layout.rightShift = 0
        }
        let load = layout.loads
        if first.isSingle {
            let bytes = layout.hostOrder ? layout.bytes(first.lo).reversed() : layout.bytes(first.lo)
            return TermTranslation(expressions: load + [compare(match.negated, bytes)], text: text)
        }
        if layout.hostOrder {
            let lo = layout.bytes(first.lo)
            let hi = layout.bytes(first.hi)
            let range: [NftExpression] =
                match.negated
                ? [.range(negated: true, from: lo, to: hi)]
                : [.compare(.greaterOrEqual, lo), .compare(.lessOrEqual, hi)]
            return TermTranslation(expressions: setLoad + range, text: text)
        }
        if layout.isAddress, let length = first.prefixLength(bitWidth: field.bitWidth) {
            return TermTranslation(
                expressions: prefix(first.lo, length: length, layout: layout, negated: match.negated), text: text,
                mergeable: false)
        }
        let lo = layout.bytes(first.lo)
        let hi = layout.bytes(first.hi)
        if match.negated {
            return TermTranslation(expressions: load + [.range(negated: true, from: lo, to: hi)], text: text)
        }
        return TermTranslation(
            expressions: load + [.compare(.greaterOrEqual, lo), .compare(.lessOrEqual, hi)], text: text)
    }

    /// A CIDR prefix of an address field: a shorter load when the prefix ends on a byte
    /// boundary, else the whole field masked (as `nft` does, also for `/0`).
    private static func prefix(_ address: UInt128, length: Int, layout: FieldLayout, negated: Bool)
        -> [NftExpression]
    {
        let bytes = layout.bytes(address)
        guard case .payload(let base, let offset, _) = layout.load else { return [] }
        if length > 0 && length % 8 == 0 {
            let count = length / 8
            return [.payload(base, offset: offset, length: count), compare(negated, Array(bytes.prefix(count)))]
        }
        var mask = [UInt8](repeating: 0, count: layout.length)
        for bit in 0..<length { mask[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        return [
            layout.load, .bitwise(mask: mask, xor: zeros(layout.length)), compare(negated, bytes),
        ]
    }

    /// `iif a|b` as `meta iifname "NAME"`.
    private static func interface(
        _ match: FieldMatch, layout: FieldLayout, ports: MirrorPorts, sets: inout SetRegistry
    ) throws(Untranslatable) -> TermTranslation {
        var names: [String] = []
        for interval in match.values where interval.lo <= 1 {
            for value in interval.lo...min(interval.hi, 1) {
                guard let port = PortName(rawValue: Int(value)) else { continue }
                let name = ports.name(of: port)
                guard (1...15).contains(name.utf8.count), !name.contains("\"") else {
                    throw Untranslatable(
                        reason: "port \(port) has no valid interface name (\"\(name)\") for `meta iifname`")
                }
                names.append(name)
            }
        }
        let unique = Array(Set(names)).sorted()
        let op = match.negated ? "!= " : ""
        guard unique.count != 1 else {
            return TermTranslation(
                expressions: [layout.load, compare(match.negated, Bytes.interfaceName(unique[0]))],
                text: "meta iifname \(op)\(NftValueText.quoted(unique[0]))")
        }
        guard !unique.isEmpty else { throw Untranslatable(reason: "`iif` is compared with an empty set") }
        let set = sets.interfaceSet(names: unique, layout: layout)
        return TermTranslation(
            expressions: [layout.load, .lookup(setName: set.name, setID: set.id, inverted: match.negated)],
            text: "meta iifname \(op)\(set.elementsText)")
    }

    /// `tcp flags`: a value holds when all its bits are set. One value is `flags & v == v`;
    /// several single-bit values are `flags & (v1|v2...) != 0` (any of them).
    private static func flags(_ match: FieldMatch, layout: FieldLayout) throws(Untranslatable) -> TermTranslation {
        let values = Array(Set(match.values))
        let load = layout.load
        if values.count == 1, values[0].isSingle {
            let value = UInt8(truncatingIfNeeded: values[0].lo)
            let hex = NftValueText.value(UInt128(value), style: .hex)
            return TermTranslation(
                expressions: [load, .bitwise(mask: [value], xor: [0]), compare(match.negated, [value])],
                text: "\(layout.selector) & \(hex) \(match.negated ? "!=" : "==") \(hex)")
        }
        guard !values.isEmpty, values.allSatisfy({ $0.isSingle && $0.lo.nonzeroBitCount == 1 }) else {
            throw Untranslatable(
                reason: "`tcp flags` with several values that are not single flags, or with a range, "
                    + "has no nft form")
        }
        let mask = values.reduce(UInt8(0)) { $0 | UInt8(truncatingIfNeeded: $1.lo) }
        let hex = NftValueText.value(UInt128(mask), style: .hex)
        return TermTranslation(
            expressions: [load, .bitwise(mask: [mask], xor: [0]), compare(!match.negated, [0])],
            text: "\(layout.selector) & \(hex) \(match.negated ? "==" : "!=") 0x00")
    }

    /// `tcp flags & MASK ==|!= VALUE`, as written: the load, the mask, one comparison (the
    /// planner adds `meta l4proto tcp`, so `!=` holds only for TCP frames, as in the policy).
    private static func masking(_ masked: MaskedMatch, layout: FieldLayout) -> TermTranslation {
        let mask = layout.bytes(masked.mask)
        let value = layout.bytes(masked.value)
        let maskText = NftValueText.value(masked.mask, style: layout.style)
        let valueText = NftValueText.value(masked.value, style: layout.style)
        return TermTranslation(
            expressions: layout.loads + [
                .bitwise(mask: mask, xor: zeros(mask.count)), compare(masked.notEqual, value),
            ],
            text: "\(layout.selector) & \(maskText) \(masked.notEqual ? "!=" : "==") \(valueText)")
    }

    private static func compare(_ negated: Bool, _ bytes: [UInt8]) -> NftExpression {
        .compare(negated ? .notEqual : .equal, bytes)
    }

    private static func zeros(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }
}
