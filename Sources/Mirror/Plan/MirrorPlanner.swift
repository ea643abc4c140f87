import Policy

/// Translates a checked policy into its nftables mirror: a pure function, no kernel involved.
///
/// The mirror is one table, `bridge TABLE` (default `bridgekeeper`), holding:
/// - a base chain `forward` (type filter, hook forward, priority 0) whose policy is `accept` for
///   `default forward` and `drop` for `default drop`;
/// - one nft rule per mirrored policy rule, in policy order, each with a `counter` and the rule
///   name as its comment (`NFTNL_UDATA_RULE_COMMENT` userdata), so counters map back by name;
/// - one named nft set per policy set (`@name`) used with a field nft has a plain type for
///   (`ipv4_addr`, `ipv6_addr`, `ether_addr`, `ether_type`, `arp_op`, `inet_proto`,
///   `inet_service`, `icmp_type`, `icmpv6_type`); sets used with other fields (`vlan id`,
///   `ip dscp`, ...) are written inline as anonymous sets;
/// - anonymous sets (`ANONYMOUS|CONSTANT`, plus `INTERVAL` when an element is a range or prefix)
///   for `{ ... }` values.
///
/// Matches compile to the expressions `nft --debug=netlink` shows for the same text: a single
/// value is `cmp eq`; a CIDR prefix is a shorter load on byte boundaries, else `bitwise` + `cmp`;
/// a range is `cmp gte` + `cmp lte` (`range neq` when negated); several values are a set lookup;
/// `!=` is `cmp neq` or an inverted lookup. `iif a|b` is `meta iifname "PORT"`. Each field is
/// preceded by the protocol dependency nft inserts (`meta protocol ip` before `ip saddr`,
/// `meta l4proto tcp` before `tcp dport`, `ether type vlan` before `vlan id`), once per rule.
/// `ether type` is compiled as `meta protocol`, and `arp`/`icmp`/`icmpv6` fields depend on
/// `meta protocol`, because the policy reads those fields through a VLAN tag and the kernel's
/// `meta protocol` is the EtherType after the tag it takes off (`ether type` at link offset 12
/// would be 0x8100 for every tagged frame).
///
/// Decisions about what cannot be mirrored exactly:
/// - **A rule whose match has no exact nft form is left out entirely** (note `not-mirrorable`),
///   so the kernel never gives a verdict to frames the policy did not give it. That is: a `bpf`
///   term; `meta length` (the kernel's `meta length` counts from the network header, without the
///   Ethernet header and the VLAN tag it took off, so no single nft value equals the frame
///   length); a negated term whose nft dependency would change its meaning (`tcp dport != 23`
///   also holds for frames that are not TCP, but nft only tests `tcp dport` on TCP frames), unless
///   another positive term of the rule already needs the same dependency; `tcp flags` with
///   several values that are not single flags; terms that contradict (it never matches).
/// - **A rule whose match is exact but some of its statements or options are not is mirrored**
///   with its verdict and the rewrites nft can do, with a `partly-mirrorable` note: `log`,
///   `pcap`, `mirror`, `vlan push`, `vlan pop` (and `vlan id|pcp set` after them), `delay`,
///   `jitter` and `retries` are left out; `reflect` becomes `drop` and `reflect forward`
///   becomes `accept`, because the kernel bridge cannot hand frames to the host port.
/// - Rewrites are payload writes with the checksum updates nft uses (IPv4 header checksum, and
///   the L4 pseudo-header for address rewrites). When the match already implies a rewrite's
///   dependency the rule is one nft rule; otherwise the rule `counter jump`s to a regular chain
///   `rule-NAME` holding one rule per rewrite (each with its own dependency, so a rewrite that
///   does not apply to a frame is skipped as in the policy) and a last rule with the verdict. A
///   rewrite whose dependency contradicts the match never applies and is dropped.
/// - `vlan id`/`vlan pcp` matches and rewrites only see 802.1Q (0x8100) outer tags in nft, not
///   802.1ad (0x88a8, 0x9100) ones: the rule is mirrored with a `partly-mirrorable` note.
/// - `defaults { delay/retries }` gets one policy-wide note rather than one per rule.
///
/// Limits of the kernel that no note repeats, documented here: the kernel reads IP, L4 and
/// `ether type` fields through at most one VLAN tag (frames with two tags do not match rules on
/// those fields); it knows the L4 protocol of non-first IPv4 fragments (`meta l4proto`) although
/// the policy treats them as having no L4 header; and its counters count bytes from the network
/// header (a frame's length minus 14, or 18 with a VLAN tag).
public enum MirrorPlanner {
    /// The plan for `policy`.
    /// - Parameters:
    ///   - ports: the interface names of ports `a` and `b`, for `iif`.
    ///   - table: the table's name in the `bridge` family.
    public static func plan(_ policy: Policy, ports: MirrorPorts, table: String = "bridgekeeper") -> MirrorPlan {
        var sets = SetRegistry()
        var forward: [NftRule] = []
        var chains = [
            NftChain(
                name: "forward",
                base: NftBaseChain(
                    hook: 2, priority: 0, policy: policy.defaultVerdict == .forward ? .accept : .drop))
        ]
        var regular: [NftRule] = []
        var notes: [MirrorNote] = []
        var mirrored: [String] = []

        let defaults = policy.defaults
        if defaults.delay != nil || defaults.jitter != nil || defaults.retries != nil {
            notes.append(
                MirrorNote(
                    rule: nil, ruleNumber: nil, location: policy.defaultLocation, code: .partlyMirrorable,
                    message: "\(VerdictText.options(defaults)) in `defaults` is left out of every mirrored rule: "
                        + VerdictText.optionsReason))
        }
        for (index, rule) in policy.rules.enumerated() {
            let origin = NftRuleOrigin(name: rule.name, number: index + 1, location: rule.location)
            var planner = RulePlanner(rule: rule, origin: origin, ports: ports)
            let result = planner.plan(sets: &sets)
            notes += result.notes
            guard let main = result.rule else { continue }
            forward.append(main)
            if let chain = result.chain {
                chains.append(chain)
                regular += result.chainRules
            }
            mirrored.append(rule.name)
        }
        return MirrorPlan(
            table: table, chains: chains, sets: sets.all, rules: forward + regular, notes: notes,
            mirroredRuleNames: mirrored)
    }
}
