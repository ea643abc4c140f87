import Flow
import Policy

/// `ct state` and `ct direction` for a kernel without bridge connection tracking: a table of
/// its own (``FlowTablePlan``) whose sets hold the flows, kept in step with Bridgekeeper's flow
/// table while it runs (``NftablesConnection/addFlows(_:table:)``) and by the kernel itself
/// once it forwards.
///
/// Two sets per family and kind: `est4`/`est6` hold the TCP and UDP flows whose other side has
/// answered, `new4`/`new6` those it has not, keyed `saddr . daddr . l4proto . sport . dport` in
/// the originator's orientation; `echo-est4` ... `echo-new6` the ICMP/ICMPv6 echo flows keyed
/// `saddr . daddr . identifier`. They never change size or type, so a commit keeps them.
///
/// The base chain `classify` (priority -2, before the mirror's chains) looks each frame up in
/// both orientations and writes into the packet mark (``FlowMark``) every `ct state` and
/// direction Bridgekeeper could give it, from what its flow table would know:
/// - not IP, and ICMPv6 neighbour discovery and MLD: `untracked`;
/// - TCP with a flag combination Bridgekeeper refuses (none, SYN+FIN, FIN without ACK, RST
///   with SYN or FIN): `invalid`;
/// - a flow in `est`: `established`, `original` or `reply` by the orientation found (a SYN-ACK
///   from the originator: `established` or `invalid`);
/// - a flow in `new`: from the originator `new` (a SYN-ACK `invalid`; an ACK or FIN `new` or
///   `invalid`, which depends on a TCP state the kernel cannot keep); from the other side, the
///   answer: `established`, `reply` (a FIN `established` or `invalid`);
/// - no flow: a SYN, a UDP datagram, an echo request, and with loose pickup a bare ACK, start
///   one (`new`, `original`); other TCP segments and echo replies are `invalid`;
/// - ICMP errors: `related` or `invalid` (which needs the quoted packet's flow, see above);
///   other ICMP types `invalid`, other queries and other protocols, later fragments and frames
///   with two or more VLAN tags: anything.
///
/// The base chain `learn` (priority 1, after the mirror: it sees only the frames the kernel
/// forwards) does what Bridgekeeper's table does for a forwarded frame: refreshes the flow it
/// belongs to, records an answer (the flow moves to `est`), or adds a new flow to `new`; each
/// element's timeout is the longest Bridgekeeper's table gives its protocol in that state, so
/// the kernel never forgets a flow before Bridgekeeper would.
enum FlowEmulation {
    /// The classifier's and the learning chain's priorities.
    static let classifyPriority: Int32 = -2
    static let learnPriority: Int32 = 1
    /// Set ids of the flow table: far from the mirror table's (both are in one transaction).
    static let firstSetID: UInt32 = 1_000_001

    /// What the learning chain does with a forwarded frame (the mark's learning bits).
    enum Learning: UInt32, CaseIterable {
        /// Refresh the `est` flow found in the frame's orientation.
        case established = 1
        /// Refresh the `est` flow found in the other orientation.
        case establishedReply = 2
        /// Refresh the `new` flow found in the frame's orientation.
        case opening = 3
        /// The answer to a `new` flow: add it to `est` (in the other orientation).
        case answer = 4
        /// Start a flow: add it to `new`.
        case create = 5
    }

    static func setName(answered: Bool, echo: Bool, family: KernelFlow.Family) -> String {
        (echo ? "echo-" : "") + (answered ? "est" : "new") + (family == .ipv4 ? "4" : "6")
    }

    static func parse(setName: String) -> (answered: Bool, echo: Bool, family: KernelFlow.Family)? {
        var name = Substring(setName)
        let echo = name.hasPrefix("echo-")
        if echo { name = name.dropFirst(5) }
        let family: KernelFlow.Family
        switch name.last {
        case "4": family = .ipv4
        case "6": family = .ipv6
        default: return nil
        }
        switch name.dropLast() {
        case "est": return (true, echo, family)
        case "new": return (false, echo, family)
        default: return nil
        }
    }

    /// Every set name, in creation order.
    static let setNames: [String] = [KernelFlow.Family.ipv4, .ipv6].flatMap { family in
        [false, true].flatMap { echo in [true, false].map { setName(answered: $0, echo: echo, family: family) } }
    }

    static func plan(settings: FlowSettings, hook: UInt32, size: Int, table: String = FlowTablePlan.defaultTable)
        -> FlowTablePlan
    {
        var registry = SetRegistry(firstID: firstSetID)
        for name in setNames {
            let (_, echo, family) = parse(setName: name)!
            _ = registry.add({ flowSet(name: name, id: $0, echo: echo, family: family, size: size) }, named: name)
        }
        var builder = FlowRuleBuilder(registry: registry, settings: settings)
        let rules = builder.classifyRules() + builder.learnRules()
        let chains = [
            NftChain(name: "classify", base: NftBaseChain(hook: hook, priority: classifyPriority, policy: .accept)),
            NftChain(name: "learn", base: NftBaseChain(hook: hook, priority: learnPriority, policy: .accept)),
        ]
        return FlowTablePlan(table: table, sets: builder.registry.all, chains: chains, rules: rules)
    }

    private static func flowSet(name: String, id: UInt32, echo: Bool, family: KernelFlow.Family, size: Int) -> NftSet {
        let address: NftDataType = family == .ipv4 ? .ipv4Address : .ipv6Address
        let width = family == .ipv4 ? 4 : 16
        let dynamics = NftSetDynamics(size: UInt32(clamping: size), timeout: nil)
        if echo {
            let prefix = family == .ipv4 ? "ip" : "ip6"
            let proto: UInt32 = family == .ipv4 ? 12 : 13
            let icmp: UInt32 = family == .ipv4 ? 4 : 14
            let parts: [SetTypeof] = [
                .payload(protocol: proto, field: family == .ipv4 ? 11 : 8),
                .payload(protocol: proto, field: family == .ipv4 ? 12 : 9),
                .payloadInteger(protocol: icmp, field: family == .ipv4 ? 4 : 6, bits: 16),
            ]
            return NftSet(
                name: name, id: id, isAnonymous: false,
                keyType: NftDataType(id: address.id << 12 | address.id << 6 | NftDataType.integer.id, name: ""),
                keyLength: 2 * width + 4, isInterval: false, elements: [], elementsText: "",
                userdata: SetEncoding.concatenationUserdata(parts),
                typeofText: "\(prefix) saddr . \(prefix) daddr . \(family == .ipv4 ? "icmp" : "icmpv6") id",
                dynamic: dynamics)
        }
        let types = [address, address, .inetProtocol, .inetService, .inetService]
        let typeID = types.reduce(UInt32(0)) { $0 << 6 | $1.id }
        return NftSet(
            name: name, id: id, isAnonymous: false,
            keyType: NftDataType(id: typeID, name: types.map(\.name).joined(separator: " . ")),
            keyLength: 2 * width + 12, isInterval: false, elements: [], elementsText: "",
            userdata: SetEncoding.concatenationUserdata([]), dynamic: dynamics)
    }
}

/// Durations as nft writes them (`5d`, `2m`, `30s`, `1500ms`).
enum DurationText {
    static func nft(milliseconds: UInt64) -> String {
        if milliseconds % 86_400_000 == 0 { return "\(milliseconds / 86_400_000)d" }
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
