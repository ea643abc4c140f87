import Policy

/// The interface names of the bridge's two ports, used for `iif a|b` (`meta iifname "NAME"`):
/// the same two names the policy's `iifname`/`oifname` are resolved against.
public typealias MirrorPorts = PortInterfaces

/// Something of a policy rule that the mirror leaves out, and why.
///
/// ``code`` is ``DiagnosticCode/notMirrorable`` when the whole rule is left out of the mirror
/// (`check` reports a warning), ``DiagnosticCode/partlyMirrorable`` when the rule is mirrored
/// without some statement, option or verdict detail (`check` reports a note: the kernel still
/// applies the rule's verdict to exactly the frames it matches).
public struct MirrorNote: Sendable, Hashable {
    /// The policy rule's name; nil for a note about the whole policy (`defaults { ... }`).
    public var rule: String?
    /// 1-based position of the rule in the policy; nil for a policy-wide note.
    public var ruleNumber: Int?
    /// Where the rule (or `default`, for a policy-wide note) was written.
    public var location: SourceLocation
    /// ``DiagnosticCode/notMirrorable`` or ``DiagnosticCode/partlyMirrorable``.
    public var code: DiagnosticCode
    /// Why, in words, without the rule name (``diagnostic`` adds it).
    public var message: String

    public init(rule: String?, ruleNumber: Int?, location: SourceLocation, code: DiagnosticCode, message: String) {
        self.rule = rule
        self.ruleNumber = ruleNumber
        self.location = location
        self.code = code
        self.message = message
    }

    /// The one-line form used in nft text comments: `rule "NAME" is not mirrored: WHY`.
    public var text: String {
        let subject = rule.map { "rule \"\($0)\"" } ?? "the policy"
        switch code {
        case .notMirrorable: return "\(subject) is not mirrored: \(message)"
        default: return "\(subject) is mirrored in part: \(message)"
        }
    }

    /// The note as a `check` diagnostic: a warning when the rule is left out, a note otherwise.
    public var diagnostic: Diagnostic {
        Diagnostic(code == .notMirrorable ? .warning : .note, code, text, at: location)
    }
}

/// The policy rule an nft rule comes from, so kernel errors and counters map back to it.
public struct NftRuleOrigin: Sendable, Hashable {
    /// The policy rule's name (also the nft rule comment in the forward chain).
    public var name: String
    /// 1-based position of the rule in the policy.
    public var number: Int
    /// Where the rule was written.
    public var location: SourceLocation

    public init(name: String, number: Int, location: SourceLocation) {
        self.name = name
        self.number = number
        self.location = location
    }
}

/// One nft rule: its expressions, its comment, and the same rule as `nft` text.
public struct NftRule: Sendable, Hashable {
    /// The chain the rule is appended to.
    public var chain: String
    /// The expressions, in the order the kernel runs them.
    public var expressions: [NftExpression]
    /// Stored as `NFTNL_UDATA_RULE_COMMENT` userdata; `nft list` shows it as `comment "..."`.
    public var comment: String?
    /// The rule in `nft -f` syntax, without the comment (``NftText`` appends it).
    public var text: String
    /// The policy rule it comes from (nil for the guard's rule).
    public var origin: NftRuleOrigin?

    public init(
        chain: String, expressions: [NftExpression], comment: String?, text: String, origin: NftRuleOrigin?
    ) {
        self.chain = chain
        self.expressions = expressions
        self.comment = comment
        self.text = text
        self.origin = origin
    }
}

/// The hook of a base chain.
public struct NftBaseChain: Sendable, Hashable {
    /// `NF_BR_FORWARD` for the mirror and the guard (`NF_BR_PRE_ROUTING` when the mirror holds
    /// native `reject` rules, which the bridge family allows only there).
    public var hook: UInt32
    /// Lower runs first: the guard (-200) runs before the mirror (0).
    public var priority: Int32
    /// The chain policy: `.accept` or `.drop`.
    public var policy: NftVerdict

    public init(hook: UInt32, priority: Int32, policy: NftVerdict) {
        self.hook = hook
        self.priority = priority
        self.policy = policy
    }
}

extension NftBaseChain {
    /// The hook's name in nft text.
    var hookName: String {
        switch hook {
        case 0: return "prerouting"
        case 1: return "input"
        case 3: return "output"
        case 4: return "postrouting"
        default: return "forward"
        }
    }
}

/// A chain of the table: the base chain `forward`, or a regular chain one rule jumps to.
public struct NftChain: Sendable, Hashable {
    /// `forward`, or `rule-NAME` for a regular chain.
    public var name: String
    /// Nil for a regular chain.
    public var base: NftBaseChain?

    public init(name: String, base: NftBaseChain?) {
        self.name = name
        self.base = base
    }
}

/// One element of a set as the kernel stores it.
public struct NftSetElement: Sendable, Hashable {
    /// The key bytes as the set stores them (network byte order, shifted like the field).
    public var key: [UInt8]
    /// `NFT_SET_ELEM_INTERVAL_END`: the first value after an interval.
    public var isIntervalEnd: Bool
    /// The interval that starts here runs to the largest value (no end element follows);
    /// stored as the `NFTNL_SET_ELEM_F_INTERVAL_OPEN` userdata flag, as `nft` does.
    public var isOpenInterval: Bool

    public init(key: [UInt8], isIntervalEnd: Bool = false, isOpenInterval: Bool = false) {
        self.key = key
        self.isIntervalEnd = isIntervalEnd
        self.isOpenInterval = isOpenInterval
    }
}

/// An nft set: a named set of the policy (`@name`), or an anonymous `{ ... }` set of one rule.
public struct NftSet: Sendable, Hashable {
    /// The nft name; `__set0`, `__set1`... for anonymous sets, the names the kernel gives them.
    public var name: String
    /// Batch-local id, unique in the plan; lookups refer to it.
    public var id: UInt32
    /// An anonymous `{ ... }` set of one rule (`ANONYMOUS|CONSTANT`), rather than a named set.
    public var isAnonymous: Bool
    /// The nft datatype of the key (`ipv4_addr` is 7, `inet_service` 13, ...).
    public var keyType: NftDataType
    /// Key length in bytes.
    public var keyLength: Int
    /// Elements are intervals (`NFT_SET_INTERVAL`).
    public var isInterval: Bool
    /// Elements in the kernel's encoding (interval sets: start elements and end elements).
    public var elements: [NftSetElement]
    /// The set's elements as `nft` text: `{ 192.0.2.0/24, 198.51.100.7 }`.
    public var elementsText: String
    /// Set userdata as `nft` writes it: key byte order, and for anonymous sets the merge flag and
    /// the `typeof` description of the key (`nft list` prints elements with it).
    public var userdata: [UInt8]
    /// The key as `nft` text declares it with `typeof` (`ip saddr . tcp dport`); nil: `type NAME`.
    public var typeofText: String?
    /// For a set the packet path fills (a meter, a flow set): its size and timeouts.
    public var dynamic: NftSetDynamics?

    public init(
        name: String, id: UInt32, isAnonymous: Bool, keyType: NftDataType, keyLength: Int, isInterval: Bool,
        elements: [NftSetElement], elementsText: String, userdata: [UInt8], typeofText: String? = nil,
        dynamic: NftSetDynamics? = nil
    ) {
        self.name = name
        self.id = id
        self.isAnonymous = isAnonymous
        self.keyType = keyType
        self.keyLength = keyLength
        self.isInterval = isInterval
        self.elements = elements
        self.elementsText = elementsText
        self.userdata = userdata
        self.typeofText = typeofText
        self.dynamic = dynamic
    }

    /// `NFT_SET_*` flags as `nft` sets them: anonymous sets are ANONYMOUS|CONSTANT; a set the
    /// packet path fills is TIMEOUT|EVAL (`flags dynamic,timeout`).
    public var flags: UInt32 {
        var flags: UInt32 = 0
        if isAnonymous { flags |= 0x1 | 0x2 }
        if isInterval { flags |= 0x4 }
        if let dynamic { flags |= dynamic.timeouts ? 0x10 | 0x20 : 0x20 }
        return flags
    }
}

/// What a set the packet path adds to (`flags dynamic,timeout`) needs: a bound and a timeout.
public struct NftSetDynamics: Sendable, Hashable {
    /// Most elements (`size N`; `NFTNL_SET_DESC_SIZE`).
    public var size: UInt32
    /// The elements' default timeout in milliseconds (`timeout T`); nil: each element's own.
    public var timeout: UInt64?
    /// Elements may time out (`NFT_SET_TIMEOUT`): every set but a policy's dynamic set declared
    /// without timeouts.
    public var timeouts: Bool

    /// `size` 0: none given (`nft` sends no size then).
    public init(size: UInt32, timeout: UInt64?, timeouts: Bool = true) {
        self.size = size
        self.timeout = timeout
        self.timeouts = timeouts
    }
}

/// The nft datatypes of set keys (nftables `enum datatypes`), with their names in `nft` text.
public struct NftDataType: Sendable, Hashable {
    /// nftables' datatype number (`NFTNL_SET_KEY_TYPE`).
    public var id: UInt32
    /// The name in `type NAME` of an nft set.
    public var name: String

    public init(id: UInt32, name: String) {
        self.id = id
        self.name = name
    }

    /// Integers without an nft type of their own (`vlan id`, `ip ttl`, ...).
    public static let integer = NftDataType(id: 4, name: "integer")
    /// `ip saddr|daddr`.
    public static let ipv4Address = NftDataType(id: 7, name: "ipv4_addr")
    /// `ip6 saddr|daddr`.
    public static let ipv6Address = NftDataType(id: 8, name: "ipv6_addr")
    /// `ether saddr|daddr`.
    public static let etherAddress = NftDataType(id: 9, name: "ether_addr")
    /// `ether type` (compiled as `meta protocol`).
    public static let etherType = NftDataType(id: 10, name: "ether_type")
    /// `arp operation`.
    public static let arpOperation = NftDataType(id: 11, name: "arp_op")
    /// `ip protocol`, `ip6 nexthdr`, `meta l4proto`.
    public static let inetProtocol = NftDataType(id: 12, name: "inet_proto")
    /// TCP and UDP ports.
    public static let inetService = NftDataType(id: 13, name: "inet_service")
    /// `icmp type`.
    public static let icmpType = NftDataType(id: 14, name: "icmp_type")
    /// `icmpv6 type`.
    public static let icmpv6Type = NftDataType(id: 29, name: "icmpv6_type")
    /// `meta iifname` (for `iif`).
    public static let interfaceName = NftDataType(id: 41, name: "ifname")
}

/// The mirror of one policy: the nft objects of table `bridge TABLE`, in the order a commit
/// creates them, and the notes on what was left out. Built by ``MirrorPlanner/plan(_:ports:table:)``,
/// printed by ``NftText/render(_:)``, committed by ``NftablesConnection/commit(_:)``.
public struct MirrorPlan: Sendable, Hashable {
    /// The table's name in the `bridge` family.
    public var table: String
    /// The base chain `forward` first, then one regular chain per rule that needs one.
    public var chains: [NftChain]
    /// Named sets first (in policy order), then anonymous sets (in rule order).
    public var sets: [NftSet]
    /// Rules in chain order: the forward chain's, then each regular chain's.
    public var rules: [NftRule]
    /// What was left out, one note per reason, in policy order.
    public var notes: [MirrorNote]
    /// The names of the policy rules that have an nft rule, in policy order.
    public var mirroredRuleNames: [String]
    /// Named limits and quotas, in policy order (created before the sets).
    public var objects: [NftObject]
    /// What the plan took the kernel to accept (``KernelCapabilities/assumed`` unless probed).
    public var capabilities: KernelCapabilities
    /// The connection-state emulation's own table, which a commit keeps across policy reloads
    /// (its sets hold the flows); nil when the policy has no `ct` term or the kernel tracks
    /// connections itself.
    public var flows: FlowTablePlan?

    public init(
        table: String, chains: [NftChain], sets: [NftSet], rules: [NftRule], notes: [MirrorNote],
        mirroredRuleNames: [String], objects: [NftObject] = [], capabilities: KernelCapabilities = .assumed,
        flows: FlowTablePlan? = nil
    ) {
        self.table = table
        self.chains = chains
        self.sets = sets
        self.rules = rules
        self.notes = notes
        self.mirroredRuleNames = mirroredRuleNames
        self.objects = objects
        self.capabilities = capabilities
        self.flows = flows
    }

    /// The rules of one chain, in order.
    public func rules(in chain: String) -> [NftRule] { rules.filter { $0.chain == chain } }
}
