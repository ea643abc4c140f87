/// A JSON value as `nft -j` writes it: objects keep their keys in order (nft's expressions are
/// one-key objects whose key names the expression).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// nft writes only integers; a fraction or exponent is kept as its text.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of `key` in an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// An object of exactly one member (an nft expression or statement): its key and value.
    public var single: JSONMember? {
        guard case .object(let members) = self, members.count == 1 else { return nil }
        return members[0]
    }

    /// The text of a string (nil for anything else).
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of an integer number (nil for anything else).
    public var integer: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// The items of an array (nil for anything else).
    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// `null`, as nft writes statements without arguments (`{"accept": null}`).
    public var isNull: Bool { self == .null }

    /// Compact JSON text, for messages about an expression the importer does not know.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return "\"" + text + "\""
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.key)\":\($0.value.text)" }.joined(separator: ",") + "}"
        }
    }
}

/// One `"key": value` of a JSON object.
public struct JSONMember: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value.
    public var value: JSONValue
    /// A member.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
