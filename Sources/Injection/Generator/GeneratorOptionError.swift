/// Why a `pktgen` option was refused; each reads as one line naming the option.
public enum GeneratorOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not the kind of value the option takes (`expected` says which: "an IPv4 address", ...).
    case notAValue(option: String, text: String, expected: String)
    /// A range whose first value is above its last.
    case backwardsRange(option: String, text: String)
    /// A range with more values than ``FieldRange/maximumCount``.
    case rangeTooLarge(option: String, text: String)
    /// Not a MAC address.
    case invalidMAC(option: String, text: String)
    /// A source MAC with the group (multicast) bit set.
    case groupSourceMAC(text: String)
    /// A VLAN ID outside 0-4095.
    case invalidVLAN(Int)
    /// A frame size the interface cannot carry, or too small for the headers.
    case sizeOutOfRange(size: Int, minimum: Int, maximum: Int, interface: String, mtu: Int)

    /// One line for the operator.
    public var description: String {
        switch self {
        case .notAValue(let option, let text, let expected):
            return "\(option) '\(text)': expected \(expected) or a range like A-B"
        case .backwardsRange(let option, let text):
            return "\(option) '\(text)': the range runs backwards; write the lower value first"
        case .rangeTooLarge(let option, let text):
            return "\(option) '\(text)': the range holds more than \(FieldRange.maximumCount) values"
        case .invalidMAC(let option, let text):
            return "\(option) '\(text)': expected a MAC address like 02:00:00:00:00:01"
        case .groupSourceMAC(let text):
            return "--src-mac '\(text)': a source MAC must not be a group (multicast) address"
        case .invalidVLAN(let id):
            return "--vlan \(id): a VLAN ID is 0-4095"
        case .sizeOutOfRange(let size, let minimum, let maximum, let interface, let mtu):
            return "--size \(size): must be \(minimum)-\(maximum) bytes (without FCS) on '\(interface)' "
                + "(MTU \(mtu) plus the Ethernet header\(maximum - mtu > 14 ? " and the VLAN tag" : ""))"
        }
    }
}
