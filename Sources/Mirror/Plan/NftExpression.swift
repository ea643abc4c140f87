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
}

/// The `meta` keys the mirror loads.
public enum NftMetaKey: String, Sendable, Hashable {
    /// `meta protocol`: the EtherType after the one VLAN tag the kernel takes off (`skb->protocol`).
    case protocolType = "protocol"
    /// `meta l4proto`: the transport protocol of an IPv4/IPv6 packet with a sound header.
    case l4proto
    /// `meta iifname`: the input interface name, 16 bytes NUL-padded.
    case iifname
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
    /// Jump to a regular chain of the same table.
    case jump(String)
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
