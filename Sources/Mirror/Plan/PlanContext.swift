import Policy

/// What the planners of one policy share: the ports, what the kernel can do, and how the plan
/// is laid out.
struct PlanContext {
    var ports: MirrorPorts
    var capabilities: KernelCapabilities
    var connectionTracking: ConnectionTrackingMode
    /// The plan has tagged chains and a `forward` default: a native rule that could match a
    /// frame whose `meta protocol` is a VLAN TPID must not, for the tagged chains judged it.
    var guardsTaggedFrames: Bool
}

/// The terms of one policy rule, sorted by what the mirror does with them.
struct RuleTerms {
    /// Field terms with a layout (not `ct`), in the order written.
    var fields: [(FieldMatch, FieldLayout)] = []
    /// `ct state` / `ct direction` terms.
    var connectionTracking: [FieldMatch] = []
    /// Why the rule has no nft form at all (a `bpf` term).
    var leftOut: [String] = []
    /// Terms the kernel cannot check (`meta length`, ...), with why.
    var uncheckable: [String] = []

    init(_ rule: Rule, ports: MirrorPorts, capabilities: KernelCapabilities) {
        var scratch = SetRegistry()
        for term in rule.match {
            var term = term
            if case .setMembership(let match) = term {
                guard capabilities.dynamicSets else {
                    leftOut.append("its `@\(match.set)` is a dynamic set, which the kernel does not take")
                    continue
                }
                // The named set's lookup; the set registry gives it its dynamic declaration.
                term = .field(
                    FieldMatch(
                        field: match.field, negated: match.negated, values: [], setName: match.set,
                        location: match.location))
            }
            switch term {
            case .bpf(let bpf):
                leftOut.append("its `bpf \"\(bpf.expression)\"` match has no nftables form")
            case .limit, .quota:
                continue
            case .concatenation(let match):
                uncheckable.append(
                    "its concatenation (\(match.fieldsText)): the mirror writes a concatenation out as one rule per "
                        + "tuple, and this one is `!=`, or its tuples overlap in a rule that goes on or keeps state, "
                        + "or it has more than \(PolicyChains.maximumCopies) tuples")
            case .setMembership:
                continue
            case .field(let whole):
                if whole.field.isConnectionTracking {
                    connectionTracking.append(whole)
                    continue
                }
                for match in Self.split(whole) {
                    if match.field == .tcpMSS && !capabilities.tcpOptions {
                        uncheckable.append("its `tcp option maxseg size` match (the kernel reads no TCP options)")
                        continue
                    }
                    guard let layout = FieldLayout.of(match.field) else {
                        uncheckable.append(FieldLayout.unmirroredReason(match.field))
                        continue
                    }
                    do {
                        _ = try MatchTranslation.translate(match, layout: layout, ports: ports, sets: &scratch)
                    } catch {
                        uncheckable.append(error.reason)
                        continue
                    }
                    fields.append((match, layout))
                }
            }
        }
        for statement in rule.statements where !capabilities.dynamicSets {
            guard case .setUpdate(let update) = statement.kind else { continue }
            leftOut.append(
                "its `\(update.operation.rawValue) @\(update.set)` needs dynamic sets, which the kernel does not take")
        }
        // Outer-tag terms first (they read only the link layer; the terms are ANDed, so their
        // order is free).
        fields =
            fields.filter { $0.1.dependencies.contains(.outerTag) }
            + fields.filter { !$0.1.dependencies.contains(.outerTag) }
    }
}
