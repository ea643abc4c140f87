import Frame
import Policy

/// Writes a field's value the way the policy language reads it: addresses in their usual text,
/// numbers in decimal (`tcp flags` in hex).
public enum FieldValueText {
    public static func format(_ field: Field, _ value: UInt128) -> String {
        switch field.valueKind {
        case .port: return value == 0 ? "a" : "b"
        case .mac: return AddressText.formatMAC(UInt64(truncatingIfNeeded: value))
        case .ipv4: return AddressText.formatIPv4(UInt32(truncatingIfNeeded: value))
        case .ipv6: return AddressText.formatIPv6(value)
        case .integer:
            if field == .tcpFlags || field == .etherType { return "0x" + String(value, radix: 16) }
            if field.isConnectionTracking { return field.format(value) }
            return String(value)
        }
    }
}
