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

    /// The groups a frame's parse must have for the field to exist.
    public var requiredPresence: FieldPresence {
        switch self {
        case .ipSource, .ipDestination: .ipv4
        case .ip6Source, .ip6Destination: .ipv6
        case .etherSource, .etherDestination: .ethernet
        case .tcpSourcePort, .tcpDestinationPort, .udpSourcePort, .udpDestinationPort: .ports
        case .l4Protocol: .l4Protocol
        case .vlanID: .vlan
        }
    }

    /// The transport protocol the field needs, or nil for any.
    public var requiredL4Protocol: UInt8? {
        switch self {
        case .tcpSourcePort, .tcpDestinationPort: IPProtocol.tcp
        case .udpSourcePort, .udpDestinationPort: IPProtocol.udp
        default: nil
        }
    }
}

/// Which fields make a meter's key, in order: how `per FIELD . FIELD ...` becomes a
/// ``MeterKey`` for each frame.
///
/// The fields are packed into one integer (no array to retain per frame), and what a frame must
/// have for all of them is worked out once here, so reading a key is one presence test and a
/// short loop of loads.
public struct MeterKeySpec: Sendable, Hashable {
    /// The most fields a key holds: two addresses and four short fields.
    public static let maximumFields = 6

    /// Field codes, 8 bits each, the first field lowest (codes start at 1, so the loop ends at 0).
    @usableFromInline let packed: UInt64
    /// The union of the fields' ``MeterKeyField/requiredPresence``.
    @usableFromInline let requiredPresence: UInt16
    /// The transport protocol the port fields need, or 0 for any.
    @usableFromInline let requiredL4Protocol: UInt8
    /// The number of fields.
    public let count: Int

    /// A key of `fields`, in order; at most two addresses and four short fields, and not TCP and
    /// UDP ports together (no frame has both, so such a meter would never match).
    public init(_ fields: [MeterKeyField]) throws(LimitError) {
        guard !fields.isEmpty else { throw .emptyMeterKey }
        let addresses = fields.filter(\.isAddress).count
        guard addresses <= 2 else { throw .tooManyMeterKeyAddresses }
        guard fields.count - addresses <= 4 else { throw .tooManyMeterKeyShortFields }
        let protocols = Set(fields.compactMap(\.requiredL4Protocol))
        guard protocols.count <= 1 else { throw .conflictingMeterKeyProtocols }
        var packed: UInt64 = 0
        var presence: FieldPresence = []
        for (index, field) in fields.enumerated() {
            packed |= UInt64(field.rawValue) << (8 * index)
            presence.formUnion(field.requiredPresence)
        }
        self.packed = packed
        self.requiredPresence = presence.rawValue
        self.requiredL4Protocol = protocols.first ?? 0
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
    ///
    /// Always inlined: as a call, the caller copied the 159-byte `FrameInfo` onto the stack for
    /// every frame (`per ip saddr`: 7 ns a frame as a call, 2.6 ns inlined, release build).
    @inlinable @inline(__always)
    public func key(from info: FrameInfo) -> MeterKey? {
        let l4Protocol = info.l4Protocol
        guard info.present.rawValue & requiredPresence == requiredPresence,
            requiredL4Protocol == 0 || l4Protocol == requiredL4Protocol
        else { return nil }
        var key = MeterKey()
        var addresses = 0
        var shortShift: UInt64 = 0
        var codes = packed
        while codes != 0 {
            let code = UInt8(truncatingIfNeeded: codes)
            codes >>= 8
            var address: UInt128 = 0
            var short: UInt16 = 0
            switch code {
            case MeterKeyField.ipSource.rawValue: address = UInt128(info.ipv4Source)
            case MeterKeyField.ipDestination.rawValue: address = UInt128(info.ipv4Destination)
            case MeterKeyField.ip6Source.rawValue: address = info.ipv6Source
            case MeterKeyField.ip6Destination.rawValue: address = info.ipv6Destination
            case MeterKeyField.etherSource.rawValue: address = UInt128(info.sourceMAC)
            case MeterKeyField.etherDestination.rawValue: address = UInt128(info.destinationMAC)
            case MeterKeyField.tcpSourcePort.rawValue, MeterKeyField.udpSourcePort.rawValue: short = info.sourcePort
            case MeterKeyField.tcpDestinationPort.rawValue, MeterKeyField.udpDestinationPort.rawValue:
                short = info.destinationPort
            case MeterKeyField.l4Protocol.rawValue: short = UInt16(info.l4Protocol)
            default: short = info.outerVLANTCI & 0x0fff  // vlanID
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
