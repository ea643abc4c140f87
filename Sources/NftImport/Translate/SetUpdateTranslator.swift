/// nft's `add @SET { FIELD }` and `update @SET { FIELD timeout T }` (JSON `{"set": {"op": "add",
/// "elem": ..., "set": "@name"}}`), as the language writes them.
extension RuleDraft {
    mutating func translateSetUpdate(_ body: JSONValue, context: inout TranslationContext) throws(Untranslatable) {
        let operation = body["op"]?.string ?? "add"
        guard let target = body["set"]?.string, target.hasPrefix("@") else {
            throw Untranslatable("a set statement without its set")
        }
        let name = String(target.dropFirst())
        guard operation == "add" || operation == "update" else {
            throw Untranslatable("\(operation) @\(name): the language adds to sets from the packet path, never removes")
        }
        guard let set = context.ruleset.set(named: name, in: context.chain) else {
            throw Untranslatable("@\(name) is not declared in table \(context.chain.family) \(context.chain.table)")
        }
        guard set.type.count == 1 else {
            throw Untranslatable("\(operation) @\(name): a set of a concatenation, which the language does not have")
        }
        // `{ ip saddr timeout 30s }` is an element with its own timeout: {"elem": {"val": ..., "timeout": 30}}.
        var key = body["elem"]
        var timeout: Int?
        if let element = key?["elem"] {
            key = element["val"]
            timeout = element["timeout"]?.integer
            if element["expires"] != nil || element["counter"] != nil {
                throw Untranslatable("\(operation) @\(name) with per-element state (counter, expires)")
            }
        }
        guard let payload = key?["payload"], let proto = payload["protocol"]?.string,
            let fieldName = payload["field"]?.string
        else { throw Untranslatable("\(operation) @\(name) of \(key?.text ?? "nothing"): not a header field") }
        let field = try PolicyField.payload(protocol: proto, field: fieldName)
        context.use(set: name)
        statements.append(
            "\(operation) @\(PolicySetName.of(name)) { \(field.name)\(timeout.map { " timeout \($0)s" } ?? "") }")
    }
}
