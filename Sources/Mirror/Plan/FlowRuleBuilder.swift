import Flow
import Policy

/// Builds the rules of the flow table's classifying and learning chains (see ``FlowEmulation``).
struct FlowRuleBuilder {
    /// The flow sets, and the constant sets the rules look up (made on first use).
    var registry: SetRegistry
    let settings: FlowSettings

    private func set(_ answered: Bool, echo: Bool, _ family: KernelFlow.Family) -> NftSet {
        let name = FlowEmulation.setName(answered: answered, echo: echo, family: family)
        return registry.all.first { $0.name == name }!
    }

    /// `FIELD @NAME` for a constant named set of the flow table.
    private mutating func member(_ field: Field, _ name: String, _ values: [UInt128], negated: Bool = false) -> Piece {
        let layout = FieldLayout.of(field)!
        let set = registry.namedSet(
            name, type: layout.namedSetType!, values: values.map { ValueInterval($0) }, layout: layout,
            fieldMax: field.maxValue, bitWidth: field.bitWidth)
        return Piece(
            expressions: layout.loads + [.lookup(setName: set.name, setID: set.id, inverted: negated)],
            text: "\(layout.selector) \(negated ? "!= " : "")@\(set.name)")
    }

    // MARK: Pieces

    private struct Piece {
        var expressions: [NftExpression]
        var text: String
    }

    private static func word(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private static func protocolOf(_ family: KernelFlow.Family) -> Piece {
        let type: UInt16 = family == .ipv4 ? 0x0800 : 0x86dd
        return Piece(
            expressions: [.meta(.protocolType), .compare(.equal, Bytes.bigEndian(UInt128(type), count: 2))],
            text: "meta protocol \(family == .ipv4 ? "ip" : "ip6")")
    }

    private static func l4(_ proto: UInt8) -> Piece {
        let name = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : "ipv6-icmp"
        return Piece(
            expressions: [.meta(.l4proto), .compare(.equal, [proto])], text: "meta l4proto \(proto == 58 ? "58" : name)"
        )
    }

    /// `tcp flags & MASK == VALUE`.
    private static func flags(_ mask: UInt8, _ value: UInt8) -> Piece {
        Piece(
            expressions: [
                .payload(.transport, offset: 13, length: 1), .bitwise(mask: [mask], xor: [0]),
                .compare(.equal, [value]),
            ], text: "tcp flags & \(hex(mask)) == \(hex(value))")
    }

    /// `icmp type N` / `icmpv6 type N` after the family and protocol.
    private static func icmpType(_ family: KernelFlow.Family, _ type: UInt8) -> Piece {
        Piece(
            expressions: [.payload(.transport, offset: 0, length: 1), .compare(.equal, [type])],
            text: "\(family == .ipv4 ? "icmp" : "icmpv6") type \(type)")
    }

    private static func hex(_ value: UInt8) -> String { "0x" + String(value, radix: 16) }

    /// The flow key's loads, in the frame's orientation or reversed.
    private static func key(_ family: KernelFlow.Family, echo: Bool, reversed: Bool) -> Piece {
        let width = family == .ipv4 ? 4 : 16
        let source = family == .ipv4 ? 12 : 8
        let destination = source + width
        let prefix = family == .ipv4 ? "ip" : "ip6"
        var parts: [(NftExpression, String, Int)] = [
            (
                .payload(.network, offset: reversed ? destination : source, length: width),
                "\(prefix) \(reversed ? "daddr" : "saddr")", width
            ),
            (
                .payload(.network, offset: reversed ? source : destination, length: width),
                "\(prefix) \(reversed ? "saddr" : "daddr")", width
            ),
        ]
        if echo {
            parts.append((.payload(.transport, offset: 4, length: 2), "@th,32,16", 2))
        } else {
            parts.append((.meta(.l4proto), "meta l4proto", 1))
            parts.append(
                (.payload(.transport, offset: reversed ? 2 : 0, length: 2), reversed ? "th dport" : "th sport", 2))
            parts.append(
                (.payload(.transport, offset: reversed ? 0 : 2, length: 2), reversed ? "th sport" : "th dport", 2))
        }
        var expressions: [NftExpression] = []
        var word = 0
        for (load, _, length) in parts {
            let register = NftRegisters.register(atWord: word)
            expressions.append(register == 1 ? load : .inRegister(register, load))
            word += (length + 3) / 4
        }
        return Piece(expressions: expressions, text: parts.map(\.1).joined(separator: " . "))
    }

    private static func lookup(_ key: Piece, _ set: NftSet, inverted: Bool = false) -> Piece {
        Piece(
            expressions: key.expressions + [.lookup(setName: set.name, setID: set.id, inverted: inverted)],
            text: "\(key.text) \(inverted ? "!= " : "")@\(set.name)")
    }

    /// `meta mark set meta mark & ~ALL | value`, then `accept` (this base chain is done).
    private static func mark(
        _ states: UInt32, _ directions: UInt32, learning: FlowEmulation.Learning? = nil, stop: Bool = true
    ) -> Piece {
        let value = states | directions | ((learning?.rawValue ?? 0) << FlowMark.learningShift)
        let keep = ~FlowMark.all
        return Piece(
            expressions: [.meta(.mark), .bitwise(mask: word(keep), xor: word(value)), .metaSet(.mark)]
                + (stop ? [.verdict(.accept)] : []),
            text: "meta mark set meta mark & 0x\(String(keep, radix: 16)) | 0x\(String(value, radix: 16))"
                + (stop ? " accept" : ""))
    }

    private static func rule(_ chain: String, _ pieces: [Piece]) -> NftRule {
        NftRule(
            chain: chain, expressions: pieces.flatMap(\.expressions), comment: nil,
            text: pieces.map(\.text).joined(separator: " "), origin: nil)
    }

    // MARK: Classify

    mutating func classifyRules() -> [NftRule] {
        typealias M = FlowMark
        let chain = "classify"
        var rules: [NftRule] = [Self.rule(chain, [Self.mark(M.states, M.directions, stop: false)])]
        // Not IP (and not tagged, which stays unknown): untracked.
        let types = ([0x0800, 0x86dd] + Framing.tagTypes).map { UInt128($0) }
        rules.append(
            Self.rule(
                chain,
                [member(.etherType, "ip-or-tagged", types, negated: true), Self.mark(M.untracked, M.noDirection)]))
        for family in [KernelFlow.Family.ipv4, .ipv6] {
            rules += familyRules(family, chain: chain)
        }
        return rules
    }

    private mutating func familyRules(_ family: KernelFlow.Family, chain: String) -> [NftRule] {
        typealias M = FlowMark
        let ip = Self.protocolOf(family)
        let est = set(true, echo: false, family)
        let new = set(false, echo: false, family)
        let echoEst = set(true, echo: true, family)
        let echoNew = set(false, echo: true, family)
        let forward = Self.key(family, echo: false, reversed: false)
        let back = Self.key(family, echo: false, reversed: true)
        var rules: [NftRule] = []
        func add(_ pieces: [Piece]) { rules.append(Self.rule(chain, [ip] + pieces)) }

        // Later fragments: anything (the policy gives them their first fragment's state).
        let fragment: Piece =
            family == .ipv4
            ? Piece(
                expressions: [
                    .payload(.network, offset: 6, length: 2), .bitwise(mask: [0x1f, 0xff], xor: [0, 0]),
                    .compare(.notEqual, [0, 0]),
                ], text: "ip frag-off & 0x1fff != 0")
            : Piece(
                expressions: [
                    .extensionHeader(type: 44, offset: 2, length: 2, present: false),
                    .bitwise(mask: [0xff, 0xf8], xor: [0, 0]), .compare(.notEqual, [0, 0]),
                ], text: "frag frag-off != 0")
        add([fragment, Piece(expressions: [.verdict(.accept)], text: "accept")])

        // TCP.
        let tcp = Self.l4(6)
        for (mask, value) in [(0x06, 0x06), (0x05, 0x05), (0x03, 0x03), (0x11, 0x01), (0x17, 0x00)] as [(UInt8, UInt8)]
        {
            add([tcp, Self.flags(mask, value), Self.mark(M.invalid, M.noDirection)])
        }
        add([
            tcp, Self.flags(0x17, 0x12), Self.lookup(forward, est),
            Self.mark(M.established | M.invalid, M.original | M.noDirection, learning: .established),
        ])
        add([tcp, Self.lookup(forward, est), Self.mark(M.established, M.original, learning: .established)])
        add([tcp, Self.lookup(back, est), Self.mark(M.established, M.reply, learning: .establishedReply)])
        add([tcp, Self.flags(0x17, 0x12), Self.lookup(forward, new), Self.mark(M.invalid, M.noDirection)])
        add([tcp, Self.flags(0x17, 0x02), Self.lookup(forward, new), Self.mark(M.new, M.original, learning: .opening)])
        add([tcp, Self.flags(0x07, 0x04), Self.lookup(forward, new), Self.mark(M.new, M.original, learning: .opening)])
        add([
            tcp, Self.lookup(forward, new),
            Self.mark(M.new | M.invalid, M.original | M.noDirection, learning: .opening),
        ])
        add([
            tcp, Self.flags(0x17, 0x11), Self.lookup(back, new),
            Self.mark(M.established | M.invalid, M.reply | M.noDirection, learning: .answer),
        ])
        add([tcp, Self.lookup(back, new), Self.mark(M.established, M.reply, learning: .answer)])
        add([tcp, Self.flags(0x17, 0x02), Self.mark(M.new, M.original, learning: .create)])
        if settings.pickup == .loose {
            add([tcp, Self.flags(0x17, 0x10), Self.mark(M.new, M.original, learning: .create)])
        }
        add([tcp, Self.mark(M.invalid, M.noDirection)])

        // UDP.
        let udp = Self.l4(17)
        add([udp, Self.lookup(forward, est), Self.mark(M.established, M.original, learning: .established)])
        add([udp, Self.lookup(back, est), Self.mark(M.established, M.reply, learning: .establishedReply)])
        add([udp, Self.lookup(forward, new), Self.mark(M.new, M.original, learning: .opening)])
        add([udp, Self.lookup(back, new), Self.mark(M.established, M.reply, learning: .answer)])
        add([udp, Self.mark(M.new, M.original, learning: .create)])

        // ICMP: echo flows; errors are related or invalid; other queries anything; the rest invalid.
        let icmp = Self.l4(family == .ipv4 ? 1 : 58)
        let request: UInt8 = family == .ipv4 ? 8 : 128
        let answer: UInt8 = family == .ipv4 ? 0 : 129
        let echoForward = Self.key(family, echo: true, reversed: false)
        let echoBack = Self.key(family, echo: true, reversed: true)
        let isRequest = Self.icmpType(family, request)
        let isAnswer = Self.icmpType(family, answer)
        add([
            icmp, isRequest, Self.lookup(echoForward, echoEst),
            Self.mark(M.established, M.original, learning: .established),
        ])
        add([
            icmp, isRequest, Self.lookup(echoBack, echoEst),
            Self.mark(M.established, M.reply, learning: .establishedReply),
        ])
        add([icmp, isRequest, Self.lookup(echoForward, echoNew), Self.mark(M.new, M.original, learning: .opening)])
        add([icmp, isRequest, Self.lookup(echoBack, echoNew), Self.mark(M.established, M.reply, learning: .answer)])
        add([icmp, isRequest, Self.mark(M.new, M.original, learning: .create)])
        add([
            icmp, isAnswer, Self.lookup(echoBack, echoEst),
            Self.mark(M.established, M.reply, learning: .establishedReply),
        ])
        add([
            icmp, isAnswer, Self.lookup(echoForward, echoEst),
            Self.mark(M.established, M.original, learning: .established),
        ])
        add([icmp, isAnswer, Self.lookup(echoBack, echoNew), Self.mark(M.established, M.reply, learning: .answer)])
        add([icmp, isAnswer, Self.mark(M.invalid, M.noDirection)])
        let accept = Piece(expressions: [.verdict(.accept)], text: "accept")
        if family == .ipv4 {
            add([
                icmp, member(.icmpType, "icmp-errors", [3, 4, 5, 11, 12]),
                Self.mark(M.related | M.invalid, M.directions),
            ])
            add([icmp, member(.icmpType, "icmp-queries", [13, 14, 15, 16, 17, 18]), accept])
        } else {
            add([
                icmp, member(.icmpv6Type, "icmpv6-untracked", [130, 131, 132, 133, 134, 135, 136, 143]),
                Self.mark(M.untracked, M.noDirection),
            ])
            add([icmp, Self.icmpTypeRange(family, 0, 127), Self.mark(M.related | M.invalid, M.directions)])
            add([icmp, member(.icmpv6Type, "icmpv6-queries", [139, 140]), accept])
        }
        add([icmp, Self.mark(M.invalid, M.noDirection)])
        return rules
    }

    private static func icmpTypeRange(_ family: KernelFlow.Family, _ lo: UInt8, _ hi: UInt8) -> Piece {
        Piece(
            expressions: [
                .payload(.transport, offset: 0, length: 1), .compare(.greaterOrEqual, [lo]),
                .compare(.lessOrEqual, [hi]),
            ], text: "\(family == .ipv4 ? "icmp" : "icmpv6") type \(lo)-\(hi)")
    }

    // MARK: Learn

    func learnRules() -> [NftRule] {
        var rules: [NftRule] = []
        let timeouts = settings.timeouts
        let tcpEstablished = [
            FlowTimeoutName.tcpSynReceived, .tcpEstablished, .tcpFinWait, .tcpCloseWait, .tcpLastAck, .tcpTimeWait,
            .tcpClose, .tcpUnacknowledged,
        ].map { timeouts[$0] }.max()!
        let tcpOpening = max(timeouts[.tcpSynSent], timeouts[.tcpUnacknowledged], timeouts[.tcpEstablished])
        let udpEstablished = max(timeouts[.udp], timeouts[.udpStream])
        let udpOpening = timeouts[.udp]
        let icmp = timeouts[.icmp]
        for family in [KernelFlow.Family.ipv4, .ipv6] {
            let ip = Self.protocolOf(family)
            for (proto, established, opening) in [
                (UInt8(6), tcpEstablished, tcpOpening), (17, udpEstablished, udpOpening),
                (family == .ipv4 ? 1 : 58, icmp, icmp),
            ] {
                let echo = proto == 1 || proto == 58
                for learning in FlowEmulation.Learning.allCases {
                    let answered = learning != .opening && learning != .create
                    let reversed = learning == .establishedReply || learning == .answer
                    let target = set(answered, echo: echo, family)
                    let key = Self.key(family, echo: echo, reversed: reversed)
                    let timeout = (answered ? established : opening) / 1_000_000
                    let value = learning.rawValue << FlowMark.learningShift
                    let test = Piece(
                        expressions: [
                            .meta(.mark), .bitwise(mask: Self.word(FlowMark.learning), xor: Self.word(0)),
                            .compare(.equal, Self.word(value)),
                        ],
                        text: "meta mark & 0x\(String(FlowMark.learning, radix: 16)) == 0x\(String(value, radix: 16))")
                    let update = Piece(
                        expressions: key.expressions + [
                            .dynamicSet(
                                NftDynamicSetUpdate(
                                    operation: .update, setName: target.name, setID: target.id, timeout: timeout))
                        ],
                        text:
                            "update @\(target.name) { \(key.text) timeout \(DurationText.nft(milliseconds: timeout)) }")
                    rules.append(Self.rule("learn", [test, ip, Self.l4(proto), update]))
                }
            }
        }
        return rules
    }
}
