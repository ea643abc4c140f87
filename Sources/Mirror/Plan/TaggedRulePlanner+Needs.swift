import Policy

extension TaggedRulePlanner {
    /// What a rule's terms need of a frame: its L3 families, and what of L4.
    struct Needs {
        var families: [RawFamily] = []
        /// The protocols its L4 fields depend on (`tcp dport`: 6).
        var protocols: [UInt8] = []
        /// It has a positive `meta l4proto` term (which names the protocol itself).
        var positiveProtocol = false
        var negatedProtocol = false
        /// It reads L4 header bytes (ports, flags, ICMP type).
        var readsL4 = false

        init(_ fields: [FieldMatch], meterKey: [Field]) {
            var fixed: Set<RawFamily>?
            var ip = false
            func only(_ family: RawFamily) { fixed = (fixed ?? [family]).intersection([family]) }
            func require(_ layout: FieldLayout?, negated: Bool) {
                for dependency in layout?.dependencies ?? [] {
                    switch dependency {
                    case .etherType(0x0800) where !negated: only(.ipv4)
                    case .etherType(0x86dd) where !negated: only(.ipv6)
                    case .etherType(0x0806) where !negated: only(.arp)
                    case .l4proto(let proto) where !negated:
                        ip = true
                        if !protocols.contains(proto) { protocols.append(proto) }
                    case .etherType, .l4proto:
                        ip = ip || negated
                    default: break
                    }
                }
            }
            for match in fields {
                let layout = FieldLayout.of(match.field)
                require(layout, negated: match.negated)
                if case .payload(.transport, _, _) = layout?.load { readsL4 = true }
                if match.field == .metaL4proto {
                    ip = true
                    if match.negated { negatedProtocol = true } else { positiveProtocol = true }
                }
                if match.field == .etherType, !match.negated, match.values.count == 1, match.values[0].isSingle {
                    switch match.values[0].lo {
                    case 0x0800: only(.ipv4)
                    case 0x86dd: only(.ipv6)
                    case 0x0806: only(.arp)
                    default: break
                    }
                }
            }
            for field in meterKey {
                let layout = FieldLayout.of(field)
                require(layout, negated: false)
                if case .payload(.transport, _, _) = layout?.load { readsL4 = true }
                if field == .metaL4proto { ip = true }
            }
            let negatedNetwork = fields.contains { match in
                match.negated && (FieldLayout.of(match.field)?.dependencies.isEmpty == false)
            }
            if let fixed {
                families = [RawFamily.ipv4, .ipv6, .arp].filter(fixed.contains)
            } else if negatedNetwork || negatedProtocol {
                // A negated field holds for frames without it: every family, and what is not IP.
                families = [.ipv4, .ipv6, .arp, .link]
            } else {
                families = ip ? [.ipv4, .ipv6] : [.link]
            }
        }

        func modes(_ family: RawFamily) -> [Mode] {
            let l4 = readsL4 || positiveProtocol || negatedProtocol
            switch family {
            case .ipv4:
                // A later fragment's variant is kept only where a term holds without an L4 header.
                var modes: [Mode] = readsL4 ? [.optionless, .options] : l4 ? [.firstFragment] : [.plain]
                if l4 { modes.append(.laterFragment) }
                return modes
            case .ipv6:
                return l4 ? [.direct, .extensions] : [.plain]
            case .arp, .link:
                return [.plain]
            }
        }
    }
}
