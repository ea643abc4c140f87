/// Named verdict maps: `map NAME { type TYPE : verdict; elements = { ... } }` declared at the top
/// level and used as `FIELD vmap @NAME`. Each use resolves to the same ``VerdictMap`` an inline
/// `FIELD vmap { ... }` with those elements would, so it compiles, evaluates and mirrors alike.
struct DeclaredMap {
    var syntax: SyntaxMap
    /// nil when the declared type was wrong (reported at the declaration).
    var keyType: SetElementType?
    var used = false
    /// Its elements failed to resolve once (reported there; not again at the next use).
    var failed = false
}

extension Resolver {
    mutating func declareMap(_ map: SyntaxMap) {
        if let first = maps[map.name] {
            sink.error(
                .duplicateDefinition, "map '@\(map.name)' is already defined at \(first.syntax.keyword.location)",
                at: map.nameToken)
            return
        }
        if let set = values.sets[map.name] {
            sink.error(
                .duplicateDefinition, "'@\(map.name)' is already defined as a set at \(set.syntax.keyword.location)",
                at: map.nameToken)
            return
        }
        maps[map.name] = DeclaredMap(syntax: map, keyType: map.keyType.flatMap { keyType(of: $0) })
        mapOrder.append(map.name)
    }

    private func keyType(of token: Token) -> SetElementType? {
        if let type = SetElementType.byName[token.text], type != .ctState { return type }
        let known = SetElementType.byName.keys.filter { $0 != "ct_state" }.sorted()
        sink.error(
            .invalidValue,
            "unknown map key type '\(token.text)'; the types are \(known.joined(separator: ", "))"
                + Suggestion.hint(for: token.text, among: known),
            at: token)
        return nil
    }

    /// `FIELD vmap @NAME`: the declared map's elements, for a field its key type serves.
    mutating func resolveNamedVerdictMap(_ field: SyntaxField, _ reference: Token) -> VerdictMap? {
        guard var map = maps[reference.text] else {
            let isSet = values.sets[reference.text] != nil
            sink.error(
                .undefinedSet,
                isSet
                    ? "@\(reference.text) is a set, not a verdict map; declare map \(reference.text) { type ... : "
                        + "verdict; elements = { VALUE : VERDICT } }"
                    : "unknown map '@\(reference.text)'" + Suggestion.hint(for: reference.text, among: mapOrder),
                at: reference)
            return nil
        }
        map.used = true
        maps[reference.text] = map
        guard let keyType = map.keyType, !map.failed else { return nil }
        guard keyType.accepts(field.field) else {
            sink.error(
                .setKindConflict,
                "map @\(reference.text) has \(keyType.name) keys, which \(field.name) does not take (declared at "
                    + "\(map.syntax.keyword.location))",
                at: reference)
            return nil
        }
        guard var resolved = resolveMapElements(map.syntax.elements, field: field) else {
            maps[reference.text]?.failed = true
            return nil
        }
        resolved.location = field.location
        return resolved
    }

    /// A map no rule uses is a warning; its elements are still checked against its type.
    mutating func checkUnusedMaps() {
        for name in mapOrder {
            guard let map = maps[name], !map.used else { continue }
            let token = map.syntax.nameToken
            if let field = map.keyType?.representativeField {
                _ = resolveMapElements(map.syntax.elements, field: SyntaxField(field: field, first: token, last: token))
            }
            if !sink.hasErrors {
                sink.warning(.unusedSet, "map '@\(name)' is never used", at: token.location, length: token.length)
            }
        }
    }
}
