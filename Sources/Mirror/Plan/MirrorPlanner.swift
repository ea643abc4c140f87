import Policy

/// Translates a checked policy into its nftables mirror: a pure function, no kernel involved.
///
/// The mirror is one table, `bridge TABLE` (default `bridgekeeper`), holding:
/// - a base chain `forward` (type filter, hook forward, priority 0) whose policy is `accept` for
///   `default forward` and `drop` for `default drop`; it holds the policy's rules for frames
///   the kernel reads natively (untagged, or with one 802.1Q/802.1ad tag, which the receive path
///   moves into the skb's metadata);
/// - when a mirrored rule reads past the link layer, a base chain `tagged` (priority -1) that
///   sends every other frame (a lone 0x9100 tag, two tags and more) to a chain per number of
///   tags, `tags-1` ... `tags-8` and `tags-over-8`, holding the same rules read as raw payload
///   at that framing's offsets (``TaggedRulePlanner``). A tagged frame accepted there passes
///   `forward` untouched: with `default forward`, the `forward` rules that could match it test
///   `meta protocol != @bk.tpids`; with `default drop`, `forward` starts with `meta protocol
///   @bk.tpids accept`;
/// - one nft rule (or a few: see below) per mirrored policy rule and framing, in policy order,
///   each with a `counter` and the rule name as its comment (`NFTNL_UDATA_RULE_COMMENT`
///   userdata), so counters map back by name (a rule's nft rules add up);
/// - one named nft set per policy set (`@name`) used with a field nft has a plain type for
///   (`ipv4_addr`, `ipv6_addr`, `ether_addr`, `ether_type`, `arp_op`, `inet_proto`,
///   `inet_service`, `icmp_type`, `icmpv6_type`); sets used with other fields (`ip dscp`, ...)
///   are written inline as anonymous sets; the tagged chains' raw copies of a rule's set values
///   are named sets of their own (`bk.RULE.N`), as are the TPIDs (`bk.tpids`, `bk.tags`);
/// - anonymous sets (`ANONYMOUS|CONSTANT`, plus `INTERVAL` when an element is a range or prefix)
///   for `{ ... }` values;
/// - named `limit` and `quota` objects (one per term, named after the rule) and one dynamic set
///   per meter (`meter.RULE.N`, `typeof KEY; flags dynamic,timeout; timeout T; size N`, the
///   timeout being the time the bucket takes to fill up again), so every nft rule of a policy
///   rule shares one bucket or count;
/// - with `ct` terms on a kernel without bridge connection tracking, a second table,
///   `bridge bridgekeeper_flows` (``FlowEmulation``), whose sets hold the flows and survive
///   policy reloads.
///
/// Matches compile to the expressions `nft --debug=netlink` shows for the same text: a single
/// value is `cmp eq`; a CIDR prefix is a shorter load on byte boundaries, else `bitwise` + `cmp`;
/// a range is `cmp gte` + `cmp lte` (`range neq` when negated); several values are a set lookup;
/// `!=` is `cmp neq` or an inverted lookup. `iif a|b` is `meta iifname "PORT"`. Each field is
/// preceded by the protocol dependency nft inserts (`meta protocol ip` before `ip saddr`,
/// `meta l4proto tcp` before `tcp dport`), once per rule. `ether type` is compiled as `meta
/// protocol`, and `arp`/`icmp`/`icmpv6` fields depend on `meta protocol`, because the policy
/// reads those fields through a VLAN tag and the kernel's `meta protocol` is the EtherType after
/// the tag it takes off. `vlan id` and `vlan pcp` read the outer tag of any TPID Bridgekeeper
/// walks (`ether type @bk.tpids @ll,116,12 10`), not only 802.1Q ones as nft's `vlan id` does.
///
/// Where nft tests a field only on frames that have it, the policy's `!=` also holds for frames
/// without it, so such a rule becomes several nft rules with the same ending
/// (``RulePlanner/alternatives(_:meterKey:)``): `tcp dport != 23` is `tcp dport != 23`,
/// `meta l4proto != tcp`, the later fragments (whose L4 protocol the kernel knows while the
/// policy sees no L4 header) and `meta protocol != { ip, ip6 }`. A positive `meta l4proto`
/// without a transport-header term gets `@th,0,8 >= 0`, which fails on later fragments.
///
/// Decisions about what cannot be mirrored exactly:
/// - **A rule with a `bpf` term is left out entirely** (note `not-mirrorable`; the differential
///   tests count this as a documented difference).
/// - `meta length` is the frame's whole length to the policy; the kernel's counts from the
///   network header, without the outer tag the receive path took off (0x8100, 0x88a8), so the
///   values are shifted per framing: 14 bytes untagged or behind a 0x9100 tag, 18 behind a tag
///   taken off (``FrameLength``).
/// - **A term the kernel cannot check** (`tcp flags` with several values that are not single
///   flags; an `iif` port without a valid interface name; a `limit` or
///   `quota` the kernel cannot hold; `ct` terms it can neither track nor emulate): a rule that
///   drops (drop, reflect, reject) is mirrored without it, so the kernel drops more than the
///   policy (the safer verdict, note `partly-mirrorable`); a rule that forwards is left out, so
///   the kernel never accepts what the policy may not (note `not-mirrorable`).
/// - **Frames of a framing the kernel cannot read** (an L4 field behind IPv4 options or IPv6
///   extension headers in a tagged frame): a dropping rule drops them, an accepting rule leaves
///   them to the rules after it (both noted).
/// - **A rule whose match is exact but some of its statements or options are not is mirrored**
///   with its verdict and the rewrites nft can do, with a `partly-mirrorable` note: `log`,
///   `pcap`, `mirror`, `vlan push`, `vlan pop` (and `vlan id|pcp set` after them), `delay`,
///   `jitter` and `retries` are left out; `reflect` becomes `drop` and `reflect forward`
///   becomes `accept`, because the kernel bridge cannot hand frames to the host port; rewrites
///   are left out of tagged frames (raw payload writes cannot fix checksums).
/// - Rewrites are payload writes with the checksum updates nft uses (IPv4 header checksum, and
///   the L4 pseudo-header for address rewrites). When the match already implies a rewrite's
///   dependency the rule is one nft rule; otherwise the rule `counter jump`s to a regular chain
///   `rule-NAME` holding one rule per rewrite (each with its own dependency, so a rewrite that
///   does not apply to a frame is skipped as in the policy) and a last rule with the verdict. A
///   rewrite whose dependency contradicts the match never applies and is dropped.
/// - `vlan id set` / `vlan pcp set` only rewrite 802.1Q (0x8100) outer tags in nft.
/// - `reject`: where the kernel has bridge `reject` (``KernelCapabilities/bridgeReject``), the
///   mirror's base chains hook prerouting (the only place the bridge family allows it) and a
///   reject becomes nft's reject statements (``RejectTranslation``); elsewhere it becomes
///   `drop`, with a note naming the rule.
/// - `ct state` / `ct direction`: native `ct` expressions where the kernel tracks bridged
///   connections; otherwise tests of the packet mark that ``FlowEmulation``'s classifier set
///   (see ``ConnectionTrackingTerms``), uncertain frames getting the safer verdict.
/// - `defaults { delay/retries }` gets one policy-wide note rather than one per rule.
///
/// Limits of the kernel that no note repeats, documented here: on a host with `br_netfilter`
/// loaded and `net.bridge.bridge-nf-call-iptables` (or `-ip6tables`) set, the kernel bridge
/// hands untagged IP frames to iptables first, which drops IPv4 with a bad header checksum and
/// trims Ethernet padding (so `meta length` of a padded frame is shorter than Bridgekeeper's);
/// it knows the L4 protocol of IPv6
/// packets with more than 8 extension headers or a no-next-header (59), which the policy does
/// not; it treats IP packets with an unsound header as having no fields beyond the EtherType's
/// (the policy: no IP fields at all); and its counters, byte limits and quotas count bytes from
/// the network header (a frame's length minus 14, or 18 with a VLAN tag it took off).
public enum MirrorPlanner {
    /// The plan for `policy`.
    /// - Parameters:
    ///   - ports: the interface names of ports `a` and `b`, for `iif`.
    ///   - table: the table's name in the `bridge` family.
    ///   - capabilities: what the kernel accepts (``NftablesConnection/capabilities()``); without
    ///     a kernel, ``KernelCapabilities/assumed``, which the plan's text says it assumed.
    ///   - flowSetSize: the flow emulation's set size (the bridge's flow table capacity).
    public static func plan(
        _ policy: Policy, ports: MirrorPorts, table: String = "bridgekeeper",
        capabilities: KernelCapabilities = .assumed, flowSetSize: Int = 262_144
    ) -> MirrorPlan {
        var builder = MirrorPlanBuilder(policy: policy, ports: ports, capabilities: capabilities)
        return builder.build(table: table, flowSetSize: flowSetSize)
    }

    /// Whether a rule reads anything the kernel finds in a different place, or not at all, when
    /// frames carry more tags than it takes off: anything but MACs, the outer tag and the port
    /// (and, with the kernel's own connection tracking, which does not track such frames, `ct`).
    static func readsPastTheLinkLayer(_ rule: Rule, nativeConnectionTracking: Bool) -> Bool {
        rule.match.contains { term in
            switch term {
            case .field(let match):
                if match.field.isConnectionTracking { return nativeConnectionTracking }
                return !match.field.isLinkLevel
            case .concatenation(let match): return match.fields.contains { !$0.isLinkLevel }
            case .bpf: return false
            case .limit(let limit): return limit.per.contains { !RuleTailPlanner.field($0).isLinkLevel }
            case .quota: return false
            case .setMembership(let match): return !match.field.isLinkLevel
            }
        }
    }
}

extension NftBaseChain {
    /// `NF_BR_PRE_ROUTING`.
    public static let bridgePrerouting: UInt32 = 0
}
