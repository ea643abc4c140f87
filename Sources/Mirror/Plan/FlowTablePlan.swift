/// The connection-state emulation's table (`bridge bridgekeeper_flows`): the flow sets, a
/// classifying base chain that runs before the mirror and a learning base chain that runs after
/// it. A commit keeps the table and its sets' elements (the flows) and replaces only the chains'
/// rules, so a policy reload does not lose the kernel's flows. Built by ``FlowEmulation``.
public struct FlowTablePlan: Sendable, Hashable {
    /// The table's name in the `bridge` family.
    public var table: String
    /// The flow sets, created when missing and otherwise left as they are.
    public var sets: [NftSet]
    /// `classify` and `learn`, both base chains.
    public var chains: [NftChain]
    /// Their rules, in chain order.
    public var rules: [NftRule]

    public init(table: String, sets: [NftSet], chains: [NftChain], rules: [NftRule]) {
        self.table = table
        self.sets = sets
        self.chains = chains
        self.rules = rules
    }

    /// The flow table of mirror table `table`: `TABLE_flows` (`bridgekeeper_flows`).
    public static func name(forMirror table: String) -> String { table + "_flows" }

    /// The flow table of the default mirror table.
    public static let defaultTable = name(forMirror: "bridgekeeper")

    /// The rules of one chain, in order.
    public func rules(in chain: String) -> [NftRule] { rules.filter { $0.chain == chain } }
}

/// A flow as the kernel's flow sets hold it, in its originator's orientation: what the bridge
/// pushes when its flow table creates or refreshes a flow, and what a restart reads back.
///
/// The sets key TCP and UDP flows by `saddr . daddr . l4proto . sport . dport`, and ICMP/ICMPv6
/// echo flows by `saddr . daddr . identifier`; other protocols are not kept (the emulation treats
/// their frames as unknown). A flow the other side has answered is in the `est` sets, one it has
/// not in the `new` sets.
public struct KernelFlow: Sendable, Hashable {
    /// IPv4 or IPv6.
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    public var family: Family
    /// 6 (TCP), 17 (UDP), or 1 / 58 for an ICMP / ICMPv6 echo flow.
    public var ipProtocol: UInt8
    /// The originator's address (IPv4: the low 32 bits).
    public var source: UInt128
    /// The responder's address.
    public var destination: UInt128
    /// The originator's port, or the echo identifier.
    public var sourcePort: UInt16
    /// The responder's port (0 for echo flows).
    public var destinationPort: UInt16
    /// The other side has answered (the flow is `established` both ways).
    public var answered: Bool

    public init(
        family: Family, ipProtocol: UInt8, source: UInt128, destination: UInt128, sourcePort: UInt16,
        destinationPort: UInt16, answered: Bool
    ) {
        self.family = family
        self.ipProtocol = ipProtocol
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.answered = answered
    }

    /// The flow is of a kind the sets hold (TCP, UDP, ICMP or ICMPv6 echo of its family).
    public var isKept: Bool {
        ipProtocol == 6 || ipProtocol == 17 || (family == .ipv4 ? ipProtocol == 1 : ipProtocol == 58)
    }

    /// An echo flow (keyed by identifier).
    var isEcho: Bool { ipProtocol == 1 || ipProtocol == 58 }

    /// The name of the set that holds it.
    var setName: String {
        FlowEmulation.setName(answered: answered, echo: isEcho, family: family)
    }

    /// The set key's bytes: each part padded to 4 bytes, as the kernel's registers hold them.
    var key: [UInt8] {
        let width = family == .ipv4 ? 4 : 16
        var bytes = Bytes.bigEndian(source, count: width) + Bytes.bigEndian(destination, count: width)
        if isEcho {
            bytes += Bytes.bigEndian(UInt128(sourcePort), count: 2) + [0, 0]
        } else {
            bytes += [ipProtocol, 0, 0, 0]
            bytes += Bytes.bigEndian(UInt128(sourcePort), count: 2) + [0, 0]
            bytes += Bytes.bigEndian(UInt128(destinationPort), count: 2) + [0, 0]
        }
        return bytes
    }

    /// The flow a set element's key stands for (nil when the key has the wrong length).
    init?(key: [UInt8], setName: String) {
        guard let (answered, echo, family) = FlowEmulation.parse(setName: setName) else { return nil }
        let width = family == .ipv4 ? 4 : 16
        guard key.count == 2 * width + (echo ? 4 : 12) else { return nil }
        func number(_ range: Range<Int>) -> UInt128 { key[range].reduce(0) { $0 << 8 | UInt128($1) } }
        self.family = family
        self.answered = answered
        source = number(0..<width)
        destination = number(width..<(2 * width))
        let rest = 2 * width
        if echo {
            ipProtocol = family == .ipv4 ? 1 : 58
            sourcePort = UInt16(number(rest..<(rest + 2)))
            destinationPort = 0
        } else {
            ipProtocol = key[rest]
            sourcePort = UInt16(number((rest + 4)..<(rest + 6)))
            destinationPort = UInt16(number((rest + 8)..<(rest + 10)))
        }
    }
}

/// A kernel flow with the time it has left (set or read).
public struct KernelFlowEntry: Sendable, Hashable {
    public var flow: KernelFlow
    /// Nanoseconds until the kernel forgets the flow if it sees no frame of it.
    public var remaining: UInt64

    public init(flow: KernelFlow, remaining: UInt64) {
        self.flow = flow
        self.remaining = remaining
    }
}
