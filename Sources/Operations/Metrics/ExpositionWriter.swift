/// Writes the Prometheus text exposition format, version 0.0.4: per family a `# HELP` and a
/// `# TYPE` line, then its samples, one per line.
struct ExpositionWriter {
    enum Kind: String {
        case counter
        case gauge
    }

    private(set) var text = ""

    init(capacity: Int) {
        text.reserveCapacity(capacity)
    }

    /// Starts the family `name` (names must be unique in one exposition).
    mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample of the current family.
    mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], _ value: UInt64) {
        line(name, labels, String(value))
    }

    mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], _ value: Double) {
        line(name, labels, Self.format(value))
    }

    private mutating func line(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, label) in labels.enumerated() {
                if index > 0 { text += "," }
                text += "\(label.key)=\"\(Self.escapeLabelValue(label.value))\""
            }
            text += "}"
        }
        text += " \(value)\n"
    }

    /// A label value: backslash, double quote and line feed escaped as `\\`, `\"` and `\n`.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        for character in help {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A float as Prometheus parses it (`+Inf`, `-Inf`, `NaN`, otherwise decimal).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `text` made into a metric name part: anything outside `[a-zA-Z0-9_]` becomes `_`.
    static func sanitize(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_": return Character(scalar)
                default: return "_"
                }
            })
    }
}
