import Policy

/// A rule's `add @s { FIELD }` and `update @s { FIELD [timeout T] }` statements, as nft's
/// `dynset` into the policy's dynamic set (declared by ``SetRegistry`` as nft declares it).
extension RuleTailPlanner {
    /// The statements' stateful parts, in written order; nil when one cannot be mirrored and
    /// the rule accepts (it is left out).
    mutating func plannedSetUpdates(drops: Bool, sets: inout SetRegistry) -> [RuleTail.Stateful]? {
        var updates: [RuleTail.Stateful] = []
        for statement in rule.statements {
            guard case .setUpdate(let update) = statement.kind else { continue }
            guard let layout = FieldLayout.of(update.field), let type = layout.namedSetType else {
                guard uncheckable("its `\(update.operation.rawValue) @\(update.set)`", drops: drops) else { return nil }
                continue
            }
            let set = sets.namedSet(
                update.set, type: type, values: [], layout: layout, fieldMax: update.field.maxValue,
                bitWidth: update.field.bitWidth)
            updates.append(
                .setUpdate(
                    set: set, field: update.field, operation: update.operation == .add ? .add : .update,
                    timeout: update.timeout.map { $0 / 1_000_000 }))
            note(
                .partlyMirrorable,
                "the kernel's @\(update.set) is its own: it starts with the set's initial elements at each commit "
                    + "and is filled only while the kernel forwards (after Bridgekeeper stops)")
        }
        return updates
    }
}
