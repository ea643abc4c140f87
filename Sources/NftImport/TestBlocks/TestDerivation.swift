import Policy

/// A `test` block for a rule, made from its match: a frame that satisfies every term (after,
/// for a rule that needs an answered flow, the frame that opens it from the other side).
enum TestDerivation {
    /// The block's `packet` and `expect` lines, or why no frame can be made for the rule.
    static func test(for rule: Rule, variant: Int = 0) -> Result<[String], Untranslatable> {
        var equal: [Field: [ValueInterval]] = [:]
        var excluded: [Field: [ValueInterval]] = [:]
        var order: [Field] = []
        for term in rule.match {
            switch term {
            case .field(let match):
                if !order.contains(match.field) { order.append(match.field) }
                if match.negated {
                    excluded[match.field, default: []] += match.values
                } else {
                    // Two positive terms on one field (`udp dport > 1023 udp dport <= 2000`) both hold.
                    equal[match.field] = equal[match.field].map { intersection($0, match.values) } ?? match.values
                }
            case .concatenation(let match) where !match.negated:
                // The first element's parts, as if each field were matched on its own.
                guard let element = match.elements.first else {
                    return .failure(Untranslatable("its concatenation's set is empty: nothing matches"))
                }
                for (field, values) in zip(match.fields, element.parts) {
                    if !order.contains(field) { order.append(field) }
                    equal[field] = values
                }
            case .concatenation:
                return .failure(Untranslatable("a concatenation with '!=': no frame is derived for it"))
            case .bpf: return .failure(Untranslatable("a bpf term: no frame is derived for it"))
            case .limit(let limit) where limit.limit.over:
                return .failure(Untranslatable("a limit over the rate matches only once a burst is spent"))
            case .quota(let quota) where quota.mode == .over:
                return .failure(Untranslatable("a quota over its size matches only once the size is spent"))
            case .limit, .quota: continue
            case .setMembership(let match) where !match.negated:
                return .failure(Untranslatable("a dynamic set holds what earlier frames added to it"))
            case .setMembership: continue
            }
        }
        // The first frame of a flow is `new` and `original`; a rule for `established` or
        // `reply` frames needs that first frame sent before, from the other side.
        let stateAllowsNew = allows(8, equal[.ctState], excluded[.ctState])
        let directionAllowsOriginal = allows(0, equal[.ctDirection], excluded[.ctDirection])
        let answered = !stateAllowsNew || !directionAllowsOriginal
        if answered {
            guard allows(2, equal[.ctState], excluded[.ctState]), allows(1, equal[.ctDirection], excluded[.ctDirection])
            else { return .failure(Untranslatable("its ct state needs a flow opened by earlier frames")) }
        }
        var values: [(Field, UInt128)] = []
        var iif: UInt128 = answered ? 1 : 0
        var flags: UInt128?
        for field in order where !field.isConnectionTracking {
            if field == .tcpFlags {
                let wanted = equal[field]?.map(\.lo) ?? (answered ? [0x12, 0x10] : [0x02, 0x10, 0x12, 0])
                let refused = excluded[field]?.map(\.lo) ?? []
                guard let chosen = wanted.first(where: { bits in refused.allSatisfy { bits & $0 != $0 } }) else {
                    return .failure(Untranslatable("no tcp flags meet both its set and clear bits"))
                }
                flags = chosen
                continue
            }
            guard let value = choose(field, equal[field], excluded[field] ?? [], variant: variant) else {
                return .failure(Untranslatable("no value of \(field.rawValue) meets its terms"))
            }
            if field == .iif { iif = value } else { values.append((field, value)) }
        }
        guard let verdict = rule.verdict else {
            return .failure(Untranslatable("the rule has no verdict of its own: it acts and goes on"))
        }
        let expect = "expect \(verdict.kind.rawValue) by \"\(rule.name)\""
        guard answered else {
            let opensTCP =
                order.contains(.ctState) && flags == nil && values.contains { $0.0.rawValue.hasPrefix("tcp") }
            if opensTCP { flags = 0x02 }
            return .success([packetLine(iif: iif, values, flags: flags), expect])
        }
        return FlowOpener.lines(reply: values, iif: iif, flags: flags, equal: equal, excluded: excluded).map {
            [$0.opener, "expect forward", packetLine(iif: iif, $0.reply, flags: $0.flags), expect]
        }
    }

    /// The values in both lists.
    static func intersection(_ a: [ValueInterval], _ b: [ValueInterval]) -> [ValueInterval] {
        a.flatMap { x in
            b.compactMap { y in
                let lo = max(x.lo, y.lo)
                let hi = min(x.hi, y.hi)
                return lo <= hi ? ValueInterval(lo: lo, hi: hi) : nil
            }
        }
    }

    static func packetLine(iif: UInt128, _ values: [(Field, UInt128)], flags: UInt128?) -> String {
        var words = ["packet", "iif", Field.iif.format(iif)]
        for (field, value) in values {
            // A test packet names its transport: a `th` port is tried as TCP's.
            let name = field == .thSport ? "tcp sport" : field == .thDport ? "tcp dport" : field.rawValue
            words += [name, field.format(value)]
        }
        if let flags { words += ["tcp", "flags", Field.tcpFlags.format(flags)] }
        return words.joined(separator: " ")
    }

    static func allows(_ value: UInt128, _ equal: [ValueInterval]?, _ excluded: [ValueInterval]?) -> Bool {
        (equal?.contains { $0.contains(value) } ?? true) && !(excluded?.contains { $0.contains(value) } ?? false)
    }

    /// The first value of the field's `==` values (or, without, from a typical value on) that no
    /// `!=` term excludes.
    /// `variant` starts from the variant-th of the `==` values (so a second try can pick
    /// `echo-request` where `destination-unreachable` was caught by an earlier rule).
    static func choose(
        _ field: Field, _ equal: [ValueInterval]?, _ excluded: [ValueInterval], variant: Int = 0
    ) -> UInt128? {
        let start = typical(field)
        var ranges = equal ?? [ValueInterval(lo: start, hi: field.maxValue), ValueInterval(lo: 0, hi: start)]
        if equal != nil, ranges.count > 1 {
            let first = variant % ranges.count
            ranges = Array(ranges[first...] + ranges[..<first])
        }
        for range in ranges {
            var candidate = range.lo
            while let blocking = excluded.first(where: { $0.contains(candidate) }) {
                guard blocking.hi < range.hi else { break }
                candidate = blocking.hi + 1
            }
            if !excluded.contains(where: { $0.contains(candidate) }) { return candidate }
        }
        return nil
    }

    /// Where to look for a value when the rule only excludes some.
    private static func typical(_ field: Field) -> UInt128 {
        switch field.valueKind {
        case .ipv4: return 0xC612_0001  // 198.18.0.1
        case .ipv6: return UInt128(0x2001_0db8) << 96 | 1  // 2001:db8::1
        case .mac: return 0x0200_0000_0001
        case .port: return 0
        case .integer: break
        }
        switch field {
        case .tcpSport, .tcpDport, .udpSport, .udpDport, .thSport, .thDport: return 1024
        case .etherType: return 0x0800
        case .metaL4proto, .ipProtocol, .ip6Nexthdr: return 1
        case .icmpType: return 8
        case .icmpv6Type: return 128
        case .ipTTL, .ip6Hoplimit: return 64
        case .metaLength: return 64
        case .vlanID: return 1
        default: return 0
        }
    }
}
