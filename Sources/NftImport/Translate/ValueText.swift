/// nft's JSON values (`right` of a match, set elements, rewrite values) as the policy writes them.
enum ValueText {
    /// One value, a prefix, a range, a set `{ ... }`, a flag list or a concatenation.
    static func text(_ value: JSONValue, field: PolicyField) throws(Untranslatable) -> String {
        if let items = value.array {
            return try set(items, field: field)
        }
        if let inner = value["set"]?.array {
            return try set(inner, field: field)
        }
        return try element(value, field: field)
    }

    /// `{ a, b-c, d/len }`.
    static func set(_ items: [JSONValue], field: PolicyField) throws(Untranslatable) -> String {
        var parts: [String] = []
        for item in items { parts.append(try element(item, field: field)) }
        return "{ " + parts.joined(separator: ", ") + " }"
    }

    /// One element: a value, a prefix or a range (no set).
    static func element(_ value: JSONValue, field: PolicyField) throws(Untranslatable) -> String {
        switch value {
        case .number(let text): return text
        case .string(let text): return field.valueNames[text] ?? text
        case .object:
            if let elem = value["elem"] {
                let inner = elem["val"] ?? elem
                return try element(inner, field: field)
            }
            if let prefix = value["prefix"], let address = prefix["addr"]?.string, let length = prefix["len"]?.integer {
                return "\(address)/\(length)"
            }
            if let bounds = value["range"]?.array, bounds.count == 2 {
                return try element(bounds[0], field: field) + "-" + (try element(bounds[1], field: field))
            }
            if let flags = value["|"]?.array {
                var names: [String] = []
                for flag in flags { names.append(try element(flag, field: field)) }
                return names.joined(separator: "|")
            }
            if let parts = value["concat"]?.array {
                var texts: [String] = []
                for part in parts { texts.append(try element(part, field: field)) }
                return texts.joined(separator: " . ")
            }
            throw Untranslatable("the value \(value.text) is not one the language can write")
        default: throw Untranslatable("the value \(value.text) is not one the language can write")
        }
    }

    /// A quoted policy string (`\"` and `\\` escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// The numbers a numeric value stands for, when it is a plain number.
    static func number(_ value: JSONValue) -> Int? { value.integer }
}
