/// How fields are spelt: a protocol word and, except for `iif`, a second word.
enum FieldNames {
    /// Every field by its full name (`"ip saddr"`).
    static let byName: [String: Field] = Dictionary(uniqueKeysWithValues: Field.allCases.map { ($0.rawValue, $0) })

    /// First words of field names: `iif`, `ether`, `vlan`, `arp`, `ip`, `ip6`, ...
    static let protocols: Set<String> = Set(Field.allCases.map { String($0.rawValue.split(separator: " ")[0]) })

    /// Full names, for suggestions.
    static let allNames: [String] = Field.allCases.map(\.rawValue)

    /// Second words valid after `proto`.
    static func members(of proto: String) -> [String] {
        Field.allCases.compactMap { field in
            let parts = field.rawValue.split(separator: " ")
            return parts.count == 2 && parts[0] == proto ? String(parts[1]) : nil
        }
    }
}
