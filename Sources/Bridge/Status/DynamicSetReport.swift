import Limits
import Pipeline
import Platform
import Ruleset

/// The dynamic sets for `status` and `set-list`, read from the tables every worker shares
/// (atomic words: the control thread reads them while the workers add).
enum DynamicSetReport {
    /// Each dynamic set of `compiled`: elements held at `now`, size, refusals.
    static func sets(of compiled: CompiledPolicy, in shared: SharedState, now: UInt64) -> [StatusReport.DynamicSet] {
        compiled.dynamicSets.map { set in
            let table = shared.existingDynamicSetTable(for: set)
            return StatusReport.DynamicSet(
                name: set.name, elements: table?.liveCount(now: now) ?? set.elements.count, capacity: set.spec.size,
                refused: table?.refused ?? 0, inserted: table?.insertions ?? 0,
                timeoutSeconds: set.spec.timeout.map { Double($0) / 1e9 })
        }
    }

    /// The `set-list SET` reply: `{"set": NAME, "elements": [{"value": TEXT, "expiresIn": S}]}`
    /// (`expiresIn` left out for an element that does not expire), or an error for a name that
    /// is not a dynamic set of the policy in force.
    static func listing(_ name: String, of compiled: CompiledPolicy, in shared: SharedState, now: UInt64) -> String {
        var json = JSONWriter()
        json.beginObject()
        guard let set = compiled.dynamicSets.first(where: { $0.name == name || "@" + $0.name == name }) else {
            json.field("error", "no dynamic set '\(name)' in the policy in force")
            json.endObject()
            return json.text
        }
        json.field("set", set.name)
        json.field("capacity", set.spec.size)
        json.key("elements")
        json.beginArray()
        let elements = shared.existingDynamicSetTable(for: set)?.elements(now: now) ?? []
        for element in elements.sorted(by: { $0.key < $1.key }) {
            json.beginObject()
            json.field("value", set.spec.keyField.format(element.key))
            if element.expiry != DynamicSetTable.never {
                json.field("expiresIn", Double(element.expiry - now) / 1e9, digits: 3)
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }
}

extension BridgeController {
    func setListReply(set: String) -> String {
        DynamicSetReport.listing(set, of: slot.current().loaded.compiled, in: sharedState, now: MonotonicClock.now())
    }
}
