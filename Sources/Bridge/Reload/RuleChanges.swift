import Policy

/// Which rules a reload added, removed or changed, by name (locations do not count: moving a
/// rule down a few lines is not a change).
struct RuleChanges {
    var added: [String] = []
    var removed: [String] = []
    var changed: [String] = []

    init(from old: Policy, to new: Policy) {
        let before = Dictionary(old.rules.map { ($0.name, Self.signature($0)) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.rules.map { ($0.name, Self.signature($0)) }, uniquingKeysWith: { a, _ in a })
        added = new.rules.map(\.name).filter { before[$0] == nil }
        removed = old.rules.map(\.name).filter { after[$0] == nil }
        changed = new.rules.map(\.name).filter { name in before[name].map { $0 != after[name] } ?? false }
    }

    /// `+2 -1 ~3 (added: a, b; removed: c; changed: d, e, f)` or `no rule changed`.
    var summary: String {
        if added.isEmpty && removed.isEmpty && changed.isEmpty { return "no rule changed" }
        var details: [String] = []
        if !added.isEmpty { details.append("added: " + added.joined(separator: ", ")) }
        if !removed.isEmpty { details.append("removed: " + removed.joined(separator: ", ")) }
        if !changed.isEmpty { details.append("changed: " + changed.joined(separator: ", ")) }
        return "+\(added.count) -\(removed.count) ~\(changed.count) (" + details.joined(separator: "; ") + ")"
    }

    /// The rule with every source location blanked.
    static func signature(_ rule: Rule) -> Rule {
        let nowhere = SourceLocation(file: "", line: 0, column: 0)
        var copy = rule
        copy.location = nowhere
        copy.verdict?.location = nowhere
        copy.statements = copy.statements.map { statement in
            guard case .setUpdate(var update) = statement.kind else {
                return Statement(kind: statement.kind, location: nowhere)
            }
            update.location = nowhere
            return Statement(kind: .setUpdate(update), location: nowhere)
        }
        copy.match = copy.match.map { term in
            switch term {
            case .field(var m):
                m.location = nowhere
                return .field(m)
            case .concatenation(var m):
                m.location = nowhere
                return .concatenation(m)
            case .bpf(var m):
                m.location = nowhere
                return .bpf(m)
            case .limit(var m):
                m.location = nowhere
                return .limit(m)
            case .quota(var m):
                m.location = nowhere
                return .quota(m)
            case .setMembership(var m):
                m.location = nowhere
                return .setMembership(m)
            }
        }
        return copy
    }
}
