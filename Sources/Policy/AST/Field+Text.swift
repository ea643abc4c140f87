import Frame

/// Fields and values as a policy writes them, for messages, logs, `--trace` and test reports.
extension Field {
    /// The field spelt `name` (`"ip saddr"`, `"iif"`), or nil.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// The names the field's values can be written with, in documentation order (`ip dscp`:
    /// `cs0`...`cs7`, `af11`...`af43`, `ef`, `be`, `va`). Some values have two names (`cs0` and
    /// `be`); the first one listed is the one ``format(_:)-(UInt128)`` writes.
    public var valueNames: [(name: String, value: UInt128)] {
        NamedValues.names(for: self).map { (name: $0.0, value: $0.1) }
    }

    /// `value` the way a policy writes it: addresses in their usual notation, named values by
    /// name, `tcp flags` as `syn|ack`, other numbers in decimal.
    public func format(_ value: UInt128) -> String {
        switch valueKind {
        case .port: return value <= 1 ? (PortName(rawValue: Int(value))?.description ?? "\(value)") : "\(value)"
        case .mac: return AddressText.formatMAC(UInt64(truncatingIfNeeded: value))
        case .ipv4: return AddressText.formatIPv4(UInt32(truncatingIfNeeded: value))
        case .ipv6: return AddressText.formatIPv6(value)
        case .integer: break
        }
        // Ports print as numbers: a service name is a way to write one, not its name.
        if isTransportPort { return "\(value)" }
        if isBitmask && value != 0 {
            let names = valueNames.filter { value & $0.value == $0.value }
            if names.reduce(0, { $0 | $1.value }) == value { return names.map(\.name).joined(separator: "|") }
            return "\(value)"
        }
        return valueNames.first { $0.value == value }?.name ?? "\(value)"
    }

    /// `interval` the way a policy writes it: one value, a prefix for addresses, or a range `a-b`.
    public func format(_ interval: ValueInterval) -> String {
        if interval.isSingle { return format(interval.lo) }
        if valueKind != .integer, valueKind != .port, let length = interval.prefixLength(bitWidth: bitWidth) {
            return "\(format(interval.lo))/\(length)"
        }
        return "\(format(interval.lo))-\(format(interval.hi))"
    }
}
