/// One nftables expression of a rule, as the kernel runs it.
///
/// Every data expression uses register 1 (`NFT_REG_1`), the way `nft` compiles the rules the
/// mirror needs; verdicts go to the verdict register. Data bytes are exactly the bytes the
/// kernel compares or writes: network byte order for header fields, NUL-padded for interface
/// names. `nft --debug=netlink` prints the same expressions for the same rule text.
public enum NftExpression: Sendable, Hashable {
    /// `[ meta load KEY => reg 1 ]`.
    case meta(NftMetaKey)
    /// `[ payload load LENb @ BASE header + OFFSET => reg 1 ]`.
    case payload(NftPayloadBase, offset: Int, length: Int)
    /// `[ bitwise reg 1 = ( reg 1 & MASK ) ^ XOR ]`; `mask` and `xor` have the register's length.
    case bitwise(mask: [UInt8], xor: [UInt8])
    /// `[ cmp OP reg 1 DATA ]`.
    case compare(NftCompareOperator, [UInt8])
    /// `[ range OP reg 1 FROM TO ]` (`nft` uses it for `!=` ranges; `==` ranges are two cmps).
    case range(negated: Bool, from: [UInt8], to: [UInt8])
    /// `[ lookup reg 1 set NAME ]`, with `0x1` (NFT_LOOKUP_F_INV) when inverted. `setID` is the
    /// batch-local id of the set in the plan (``NftSet/id``).
    case lookup(setName: String, setID: UInt32, inverted: Bool)
    /// `[ counter ]`.
    case counter
    /// `[ immediate reg 1 DATA ]`.
    case immediate([UInt8])
    /// `[ payload write reg 1 => LENb @ BASE header + OFFSET csum_type ... ]`.
    case payloadWrite(NftPayloadBase, offset: Int, length: Int, checksum: NftChecksumUpdate)
    /// `[ immediate reg 0 VERDICT ]`.
    case verdict(NftVerdict)
    /// The same load (``meta(_:)``, ``payload(_:offset:length:)``) or ``bitwise(mask:xor:)`` with
    /// register `register` (libnftnl's numbering: 1-4 are the 16-byte registers, 8-23 the 4-byte
    /// ones) instead of 1, as `nft` places the parts of a concatenated set key.
    indirect case inRegister(UInt32, NftExpression)
    /// `[ limit rate R/UNIT burst B type packets|bytes flags F ]`: a token bucket of this rule
    /// alone (inside a meter's `dynset`, one per key).
    case limit(NftLimit)
    /// `[ objref type T name NAME ]`: the named stateful object (a `limit` or `quota` shared by
    /// every nft rule a policy rule becomes).
    case objectReference(NftObjectKind, name: String)
    /// `[ dynset OP reg_key 1 set NAME [timeout T] [expr [ ... ]] ]`: adds or refreshes the key in
    /// registers 1... of a dynamic set from the packet path.
    case dynamicSet(NftDynamicSetUpdate)
    /// `[ reject type T code C ]` (`NFT_REJECT_*`).
    case reject(type: UInt32, code: UInt8)
    /// `[ ct load state|direction => reg 1 ]` (needs the kernel's bridge connection tracking).
    case connectionTracking(NftConnectionTrackingKey)
    /// `[ exthdr load ipv6 LENb @ TYPE + OFFSET [present] => reg 1 ]`: an IPv6 extension header
    /// field; with `present`, 1 or 0 for whether the header is there at all.
    case extensionHeader(type: UInt8, offset: Int, length: Int, present: Bool)
    /// `[ exthdr load tcpopt LENb @ KIND + OFFSET => reg 1 ]`: a TCP option's bytes (the rule
    /// stops for a segment without the option, or that is not TCP).
    case tcpOption(kind: UInt8, offset: Int, length: Int)
    /// `[ exthdr write tcpopt reg 1 => LENb @ KIND + OFFSET ]`: register 1 written into a TCP
    /// option, the checksum fixed (the kernel only ever lowers an MSS).
    case tcpOptionWrite(kind: UInt8, offset: Int, length: Int)
    /// `[ meta set KEY with reg 1 ]` (the flow emulation writes the packet mark).
    case metaSet(NftMetaKey)
    /// `[ byteorder reg 1 = hton(reg 1, SIZE, LEN) ]`: a host-order value (`meta length`) turned
    /// to network order, as `nft` does before comparing it with a range or a set.
    case hostToNetwork(length: Int, size: Int)
    /// `[ bitwise reg 1 = ( reg 1 >> BITS ) ]` over `length` bytes: how `nft` lines up a raw
    /// payload field that does not end on a byte boundary (`@ll,112,3`) with its values.
    case shiftRight(bits: UInt32, length: Int)
}

/// A token bucket as the kernel's `limit` expression and object hold it.
public struct NftLimit: Sendable, Hashable {
    /// Packets or bytes per ``unit`` seconds.
    public var rate: UInt64
    /// The unit in seconds (1, 60, 3600, 86400).
    public var unit: UInt64
    /// Packets (packet rates) or bytes (byte rates) the bucket holds beyond the rate.
    public var burst: UInt32
    /// Counts bytes (`NFT_LIMIT_PKT_BYTES`), not packets.
    public var countsBytes: Bool
    /// `over`: holds for packets beyond the rate (`NFT_LIMIT_F_INV`).
    public var inverted: Bool

    public init(rate: UInt64, unit: UInt64, burst: UInt32, countsBytes: Bool, inverted: Bool) {
        self.rate = rate
        self.unit = unit
        self.burst = burst
        self.countsBytes = countsBytes
        self.inverted = inverted
    }
}

/// The named stateful objects the mirror makes (`NFT_OBJECT_*`).
public enum NftObjectKind: UInt32, Sendable, Hashable {
    /// `NFT_OBJECT_QUOTA`.
    case quota = 2
    /// `NFT_OBJECT_LIMIT`.
    case limit = 4
}

/// A `dynset` expression: the packet path adds the key to a set or refreshes it there.
public struct NftDynamicSetUpdate: Sendable, Hashable {
    /// `add` (`NFT_DYNSET_OP_ADD`) keeps an existing element as it is; `update` refreshes its
    /// timeout.
    public enum Operation: UInt32, Sendable, Hashable {
        case add = 0
        case update = 1
    }

    public var operation: Operation
    /// The set's name and batch-local id.
    public var setName: String
    public var setID: UInt32
    /// The element's timeout in milliseconds; nil: the set's own.
    public var timeout: UInt64?
    /// Stateful expressions each element gets its own copy of (a meter's ``NftExpression/limit(_:)``).
    public var expressions: [NftExpression]

    public init(
        operation: Operation, setName: String, setID: UInt32, timeout: UInt64? = nil, expressions: [NftExpression] = []
    ) {
        self.operation = operation
        self.setName = setName
        self.setID = setID
        self.timeout = timeout
        self.expressions = expressions
    }
}

/// What `ct load` reads.
public enum NftConnectionTrackingKey: String, Sendable, Hashable {
    /// `NFT_CT_STATE`: one of the `ct state` bits.
    case state
    /// `NFT_CT_DIRECTION`: 0 original, 1 reply.
    case direction
}

/// The `meta` keys the mirror loads.
public enum NftMetaKey: String, Sendable, Hashable {
    /// `meta protocol`: the EtherType after the one VLAN tag the kernel takes off (`skb->protocol`).
    case protocolType = "protocol"
    /// `meta l4proto`: the transport protocol of an IPv4/IPv6 packet with a sound header.
    case l4proto
    /// `meta iifname`: the input interface name, 16 bytes NUL-padded.
    case iifname
    /// `meta mark`: the packet mark (`skb->mark`, a host-order u32).
    case mark
    /// `meta length`: `skb->len`, the frame's length from the network header (a host-order u32).
    case len
}

/// Where a payload offset counts from.
public enum NftPayloadBase: String, Sendable, Hashable {
    case link
    case network
    case transport
}

/// `cmp` operators.
public enum NftCompareOperator: String, Sendable, Hashable {
    case equal = "eq"
    case notEqual = "neq"
    case lessOrEqual = "lte"
    case greaterOrEqual = "gte"
}

/// A rule's or chain's terminal verdict.
public enum NftVerdict: Sendable, Hashable {
    case accept
    case drop
    /// Jump to a regular chain of the same table (its end returns here).
    case jump(String)
    /// Go to a regular chain of the same table (its end returns to this chain's caller).
    case goto(String)
    /// Back to the chain that jumped here.
    case `return`
}

/// How a payload write fixes checksums, as `nft` asks for each rewritten field.
public struct NftChecksumUpdate: Sendable, Hashable {
    /// `NFT_PAYLOAD_CSUM_NONE` (0) or `NFT_PAYLOAD_CSUM_INET` (1).
    public var type: UInt32
    /// Offset of the checksum field from the same base as the write.
    public var offset: UInt32
    /// `NFT_PAYLOAD_L4CSUM_PSEUDOHDR` (1) when the field is in the L4 pseudo-header.
    public var flags: UInt32

    public init(type: UInt32, offset: UInt32, flags: UInt32) {
        self.type = type
        self.offset = offset
        self.flags = flags
    }

    /// No checksum covers the field (Ethernet, VLAN, IPv6 hop limit and traffic class).
    public static let none = NftChecksumUpdate(type: 0, offset: 0, flags: 0)
    /// An IPv4 header field: fix the header checksum at offset 10.
    public static let ipv4Header = NftChecksumUpdate(type: 1, offset: 10, flags: 0)
    /// An IPv4 address: the header checksum and the TCP/UDP pseudo-header.
    public static let ipv4Address = NftChecksumUpdate(type: 1, offset: 10, flags: 1)
    /// An IPv6 address: only the TCP/UDP/ICMPv6 pseudo-header (IPv6 has no header checksum).
    public static let ipv6Address = NftChecksumUpdate(type: 0, offset: 0, flags: 1)
    /// A TCP port: the TCP checksum at offset 16.
    public static let tcpPort = NftChecksumUpdate(type: 1, offset: 16, flags: 0)
    /// A UDP port: the UDP checksum at offset 6 (a zero checksum stays zero).
    public static let udpPort = NftChecksumUpdate(type: 1, offset: 6, flags: 0)
}
