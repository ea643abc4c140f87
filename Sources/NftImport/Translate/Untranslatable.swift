/// A rule (or chain) the policy language cannot say: it is left out, and `reason` becomes the
/// `#` comment in its place.
struct Untranslatable: Error, Sendable, Hashable {
    var reason: String
    init(_ reason: String) {
        self.reason = reason
    }
}

/// nft constructs that have no meaning for a transparent bridge's forwarded frames, with why.
enum MeaninglessOnABridge {
    static let meta: [String: String] = [
        "mark":
            "meta mark: packet marks are set and read by the host's routing and queueing, which a bridge's frames never reach",
        "skuid": "meta skuid: forwarded frames belong to no local socket",
        "skgid": "meta skgid: forwarded frames belong to no local socket",
        "cgroup": "meta cgroup: forwarded frames belong to no local process",
        "rtclassid": "meta rtclassid: a bridge makes no routing decision",
        "priority": "meta priority: the host's queueing priority, not a property of the frame",
        "secmark": "meta secmark: a security label of the host's, not of the frame",
        "nftrace": "meta nftrace: nft's tracing, not a property of the frame",
        "cpu": "meta cpu: which CPU handles a frame is not a property of the frame",
        "iifgroup": "meta iifgroup: interface groups: use the port (iif a|b)",
        "oifgroup": "meta oifgroup: interface groups: use the port (iif a|b)",
        "iiftype": "meta iiftype: both ports are Ethernet",
        "oiftype": "meta oiftype: both ports are Ethernet",
        "time": "meta time: time-of-day matches are not in the language",
        "day": "meta day: time-of-day matches are not in the language",
        "hour": "meta hour: time-of-day matches are not in the language",
    ]

    static let ct: [String: String] = [
        "mark": "ct mark: connection marks are the host's conntrack's, not the bridge's flow table's",
        "helper": "ct helper: the bridge's flow table runs no protocol helpers (FTP, SIP...)",
        "zone": "ct zone: the bridge's flow table has no zones",
        "label": "ct label: the bridge's flow table has no labels",
        "status": "ct status: nat and helper statuses of the host's conntrack",
        "expiration": "ct expiration: flow timeouts are set in defaults, not matched",
        "count": "ct count: connection counting is not in the language",
        "bytes": "ct bytes: per-flow byte counts are not matched",
        "packets": "ct packets: per-flow packet counts are not matched",
    ]
}
