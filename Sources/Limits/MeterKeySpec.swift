import Frame

/// One field of a meter key (`per ip saddr . tcp dport`), with nft's spelling.
public enum MeterKeyField: UInt8, Sendable, Hashable, CaseIterable {
    /// `ip saddr`.
    case ipSource = 1
    /// `ip daddr`.
    case ipDestination
    /// `ip6 saddr`.
    case ip6Source
    /// `ip6 daddr`.
    case ip6Destination
    /// `ether saddr`.
    case etherSource
    /// `ether daddr`.
    case etherDestination
    /// `tcp sport`.
    case tcpSourcePort
    /// `tcp dport`.
    case tcpDestinationPort
    /// `udp sport`.
    case udpSourcePort
    /// `udp dport`.
    case udpDestinationPort
    /// `meta l4proto`.
    case l4Protocol
    /// `vlan id` (of the outer tag).
    case vlanID

    /// nft's spelling.
    public var name: String {
        switch self {
        case .ipSource: "ip saddr"
        case .ipDestination: "ip daddr"
        case .ip6Source: "ip6 saddr"
        case .ip6Destination: "ip6 daddr"
        case .etherSource: "ether saddr"
        case .etherDestination: "ether daddr"
        case .tcpSourcePort: "tcp sport"
        case .tcpDestinationPort: "tcp dport"
        case .udpSourcePort: "udp sport"
        case .udpDestinationPort: "udp dport"
        case .l4Protocol: "meta l4proto"
        case .vlanID: "vlan id"
        }
    }

    /// The field nft spells `name` (`"ip saddr"`), or nil.
    public init?(name: Substring) {
        guard let field = MeterKeyField.allCases.first(where: { $0.name == name }) else { return nil }
        self = field
    }

    /// True for the fields that take one of the key's two address words.
    @inlinable
    public var isAddress: Bool { rawValue <= MeterKeyField.etherDestination.rawValue }
}

/// Which fields make a meter's key, in order: how `per FIELD . FIELD ...` becomes a
/// ``MeterKey`` for each frame.
///
/// The fields are packed into one integer (no array to retain per frame), so reading a key is a
/// short loop over at most six codes.
public struct MeterKeySpec: Sendable, Hashable {
    /// The most fields a key holds: two addresses and four short fields.
    public static let maximumFields = 6

    /// Field codes, 8 bits each, the first field lowest.
    @usableFromInline let packed: UInt64
    /// The number of fields.
    public let count: Int

    /// A key of `fields`, in order; at most two addresses and four short fields.
    public init(_ fields: [MeterKeyField]) throws(LimitError) {
        guard !fields.isEmpty else { throw .emptyMeterKey }
        let addresses = fields.filter(\.isAddress).count
        guard addresses <= 2 else { throw .tooManyMeterKeyAddresses }
        guard fields.count - addresses <= 4 else { throw .tooManyMeterKeyShortFields }
        var packed: UInt64 = 0
        for (index, field) in fields.enumerated() { packed |= UInt64(field.rawValue) << (8 * index) }
        self.packed = packed
        self.count = fields.count
    }

    /// The fields, in order.
    public var fields: [MeterKeyField] {
        (0..<count).map { MeterKeyField(rawValue: UInt8(truncatingIfNeeded: packed >> (8 * $0)))! }
    }

    /// nft's spelling of the whole key: `ip saddr . tcp dport`.
    public var name: String { fields.map(\.name).joined(separator: " . ") }

    /// The key of a frame, or nil when the frame lacks one of the fields (a `per ip saddr` meter
    /// and an IPv6 frame; `per tcp dport` and UDP): in nft the field's protocol dependency fails
    /// and the rule does not match, so such a frame should not match the meter's rule.
    ///
    /// IPv4 addresses and MACs are stored as their numbers (zero-extended); ports, the protocol
    /// and the VLAN id as 16 bits.
    @inlinable
    public func key(from info: FrameInfo) -> MeterKey? {
        var key = MeterKey()
        var addresses = 0
        var shortShift: UInt64 = 0
        var codes = packed
        for _ in 0..<count {
            let code = UInt8(truncatingIfNeeded: codes)
            codes >>= 8
            let present = info.present
            var address: UInt128 = 0
            var short: UInt16 = 0
            switch code {
            case MeterKeyField.ipSource.rawValue:
                guard present.contains(.ipv4) else { return nil }
                address = UInt128(info.ipv4Source)
            case MeterKeyField.ipDestination.rawValue:
                guard present.contains(.ipv4) else { return nil }
                address = UInt128(info.ipv4Destination)
            case MeterKeyField.ip6Source.rawValue:
                guard present.contains(.ipv6) else { return nil }
                address = info.ipv6Source
            case MeterKeyField.ip6Destination.rawValue:
                guard present.contains(.ipv6) else { return nil }
                address = info.ipv6Destination
            case MeterKeyField.etherSource.rawValue:
                guard present.contains(.ethernet) else { return nil }
                address = UInt128(info.sourceMAC)
            case MeterKeyField.etherDestination.rawValue:
                guard present.contains(.ethernet) else { return nil }
                address = UInt128(info.destinationMAC)
            case MeterKeyField.tcpSourcePort.rawValue, MeterKeyField.tcpDestinationPort.rawValue:
                guard present.contains(.ports), info.l4Protocol == IPProtocol.tcp else { return nil }
                short = code == MeterKeyField.tcpSourcePort.rawValue ? info.sourcePort : info.destinationPort
            case MeterKeyField.udpSourcePort.rawValue, MeterKeyField.udpDestinationPort.rawValue:
                guard present.contains(.ports), info.l4Protocol == IPProtocol.udp else { return nil }
                short = code == MeterKeyField.udpSourcePort.rawValue ? info.sourcePort : info.destinationPort
            case MeterKeyField.l4Protocol.rawValue:
                guard present.contains(.l4Protocol) else { return nil }
                short = UInt16(info.l4Protocol)
            default:  // vlanID
                guard present.contains(.vlan) else { return nil }
                short = info.outerVLANTCI & 0x0fff
            }
            if code <= MeterKeyField.etherDestination.rawValue {
                if addresses == 0 { key.first = address } else { key.second = address }
                addresses &+= 1
            } else {
                key.short |= UInt64(short) << shortShift
                shortShift &+= 16
            }
        }
        return key
    }
}
