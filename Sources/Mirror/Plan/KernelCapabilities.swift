/// What the running kernel's nftables accepts in the bridge family, for the statements the
/// mirror may use. Found by trying each statement in a throw-away table
/// (``NftablesConnection/capabilities()``), never from a version number.
public struct KernelCapabilities: Sendable, Hashable, CustomStringConvertible {
    /// `ct state` / `ct direction` (the kernel has bridge connection tracking,
    /// `NF_CONNTRACK_BRIDGE`).
    public var bridgeConntrack: Bool
    /// `reject` in a bridge prerouting chain (`nft_reject_bridge`).
    public var bridgeReject: Bool
    /// Named `limit` objects (token buckets shared by every nft rule of a policy rule).
    public var limit: Bool
    /// Meters: a dynamic set whose elements carry a `limit` (`update @m { KEY limit rate ... }`).
    public var meters: Bool
    /// Named `quota` objects.
    public var quota: Bool
    /// Concatenated dynamic sets with per-element timeouts, filled from the packet path, and
    /// `meta mark set` (what the connection-state emulation is made of).
    public var flowSets: Bool
    /// TCP options read and written in the bridge family (`exthdr ... tcpopt`: `tcp option maxseg
    /// size` matches and `set N`).
    public var tcpOptions: Bool
    /// The answers come from the kernel (true) or are assumed (``assumed``).
    public var probed: Bool
    /// A policy's dynamic sets: a set filled from the packet path (`add @s { ip saddr }`,
    /// `update @s { ... }`) and looked up by later rules.
    public var dynamicSets: Bool

    public init(
        bridgeConntrack: Bool, bridgeReject: Bool, limit: Bool, meters: Bool, quota: Bool, flowSets: Bool,
        tcpOptions: Bool = true, probed: Bool, dynamicSets: Bool = true
    ) {
        self.dynamicSets = dynamicSets
        self.bridgeConntrack = bridgeConntrack
        self.bridgeReject = bridgeReject
        self.limit = limit
        self.meters = meters
        self.quota = quota
        self.flowSets = flowSets
        self.tcpOptions = tcpOptions
        self.probed = probed
    }

    /// What the development machine's kernel (6.18) does, for plans made without a kernel
    /// (`check --print-nft`): no bridge connection tracking, no bridge `reject`; limits, meters,
    /// quotas, flow sets and TCP options work.
    public static let assumed = KernelCapabilities(
        bridgeConntrack: false, bridgeReject: false, limit: true, meters: true, quota: true, flowSets: true,
        tcpOptions: true, probed: false)

    /// `bridge conntrack: no, bridge reject: no, limit: yes, ...`.
    public var description: String {
        let items: [(String, Bool)] = [
            ("bridge conntrack", bridgeConntrack), ("bridge reject", bridgeReject), ("limit", limit),
            ("meters", meters), ("quota", quota), ("flow sets", flowSets), ("tcp options", tcpOptions),
            ("dynamic sets", dynamicSets),
        ]
        return items.map { "\($0.0): \($0.1 ? "yes" : "no")" }.joined(separator: ", ")
    }
}
