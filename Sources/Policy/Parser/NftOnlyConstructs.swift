/// nft constructs the language does not have, each with the reason: most mean nothing on a
/// transparent bridge (no routing, no local sockets, no later hook reading a mark); a few are
/// not supported yet. The parser reports these instead of "unknown field" or "unknown statement".
enum NftOnlyConstructs {
    private static let noRouting = "a transparent bridge does no routing, so it has no meaning here"
    private static let noSocket = "a bridged frame belongs to no local socket or process, so it has no meaning here"
    private static let mark =
        "marks have no meaning on a transparent bridge: no routing decision, qdisc or later hook reads a mark "
        + "Bridgekeeper could set or match"
    private static let ifIndex =
        "is an interface index of the host; a frame here comes in on one of the bridge's two ports and leaves by "
        + "the other: match iif a or iif b"

    /// Match fields nft writes as one word (`fib daddr type local`, `mark 0x1`).
    static let words: [String: String] = [
        "fib": "looks up the host's routing table; " + noRouting,
        "rt": "reads the route a frame took; " + noRouting,
        "socket": "looks up a local socket; " + noSocket,
        "skuid": "is a local socket's user; " + noSocket,
        "skgid": "is a local socket's group; " + noSocket,
        "mark": "(meta mark) is the packet mark; " + mark,
        "oif": ifIndex,
        "ipsec": "reads the IPsec state of a frame the host decrypted; a transparent bridge terminates no IPsec",
        "osf": "(passive OS fingerprinting) is not supported yet",
        "numgen": "feeds maps for load balancing, which Bridgekeeper does not do; not supported",
        "jhash": "feeds maps for load balancing, which Bridgekeeper does not do; not supported",
        "symhash": "feeds maps for load balancing, which Bridgekeeper does not do; not supported",
    ]

    /// Two-word fields whose first word is a protocol the language knows (`meta mark`, `ct helper`).
    static let pairs: [String: String] = [
        "meta mark": "is the packet mark; " + mark,
        "meta iif": ifIndex,
        "meta oif": ifIndex,
        "meta iifgroup": "is an interface group of the host; match iif a or iif b",
        "meta oifgroup": "is an interface group of the host; match iif a or iif b",
        "meta skuid": "is a local socket's user; " + noSocket,
        "meta skgid": "is a local socket's group; " + noSocket,
        "meta cgroup": "is a local process's cgroup; " + noSocket,
        "meta priority": "is the qdisc priority; no qdisc reads it on a transparent bridge",
        "meta secmark": "is the SELinux packet label; " + mark,
        "meta rtclassid": "is a routing realm; " + noRouting,
        "ct mark": "is the connection mark; " + mark,
        "ct helper": "names a kernel conntrack helper (ftp, sip...); Bridgekeeper's flow table has no helpers, "
            + "so expected connections are not tracked (not supported yet)",
        "ct zone": "is a kernel conntrack zone; the bridge's flow table is keyed by VLAN instead, so it has no "
            + "meaning here",
        "ct label": "is a connection label; not supported yet",
        "ct status": "is not supported yet; ct state covers new, established, related and invalid",
        "ct expiration": "is not supported yet; set flow timeouts in defaults { flow-timeout ... }",
        "ct count": "(a connection count limit) is not supported yet",
        "ct bytes": "is not supported yet",
        "ct packets": "is not supported yet",
    ]

    /// Statements in a rule's body (`queue`, `snat`...).
    static let statements: [String: String] = [
        "queue": "hands frames to a userspace program through the kernel; Bridgekeeper already is that program, "
            + "so write the decision in the policy",
        "snat": nat, "dnat": nat, "masquerade": nat, "redirect": nat,
        "notrack": "turns off the kernel's conntrack; Bridgekeeper tracks flows itself, and only when a ct match "
            + "needs them, so there is nothing to turn off",
        "tproxy": "delivers frames to a local socket; a transparent bridge delivers nothing locally",
        "synproxy": "is not supported yet",
        "fwd": "sends the frame out of another interface; a frame here leaves by the other port, and "
            + "mirror \"IF\" copies it to a third interface",
        "dup": "copies the frame to another interface; write mirror \"IF\"",
        "flow": "offloads routed flows to a flowtable; " + noRouting,
        "add": setStatement, "update": setStatement,
        "delete": "removes an element from a set from the datapath, which is not supported yet; elements of a "
            + "dynamic set leave when their timeout expires",
        "limit": "is a match term here: put it on the rule's match line, as in match tcp dport 22 limit rate 10/second",
        "quota": "is a match term here: put it on the rule's match line, as in match quota over 10 mbytes",
    ]

    private static let nat =
        "is NAT, which has no meaning on a transparent bridge: it owns no addresses and routes nothing; to rewrite "
        + "a header field write FIELD set VALUE, as in ip daddr set 198.18.0.9"
    private static let setStatement =
        "adds to a set from the datapath and is written add @SET { FIELD } or update @SET { FIELD timeout 30s }; "
        + "a meter is written limit rate ... per ip saddr on the match line"

    /// The message for a match field written `first` or `first second`, if nft has it.
    static func field(_ first: String, _ second: String?) -> String? {
        if let second, let reason = pairs[first + " " + second] { return "'\(first) \(second)' \(reason)" }
        return words[first].map { "'\(first)' \($0)" }
    }

    /// The message for a statement starting with `word`, if nft has it.
    static func statement(_ word: String) -> String? {
        if let reason = statements[word] ?? words[word] { return "'\(word)' \(reason)" }
        return nil
    }
}
