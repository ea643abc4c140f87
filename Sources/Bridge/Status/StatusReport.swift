/// What `bridgekeeper status` shows, as the control socket sends it (JSON).
public struct StatusReport: Codable, Sendable {
    public struct Port: Codable, Sendable {
        /// `a` or `b`.
        public var name: String
        public var interface: String
        /// `up`, `down` (admin down or no carrier) or `gone` (the interface was removed).
        public var link: String
        /// Counter name (`rx_frames`, ...) → value.
        public var counters: [String: UInt64]
    }

    public struct Rule: Codable, Sendable {
        public var name: String
        public var packets: UInt64
        public var bytes: UInt64
        /// The kernel's counters for the mirrored nft rule (nil when not mirrored or unknown).
        public var kernelPackets: UInt64?
        public var kernelBytes: UInt64?
        /// For a `reject` rule: answers sent, held back by the answer rate, and frames never
        /// answered (ICMP errors, broadcasts, fragments...).
        public var answers: UInt64?
        public var answersSuppressed: UInt64?
        public var unanswered: UInt64?
        /// For a rule with a `quota`: bytes counted, and the quota (the first quota of the rule).
        public var quotaConsumed: UInt64?
        public var quotaBytes: UInt64?
        /// For a rule with a meter: keys evicted because the meter was full.
        public var meterEvictions: UInt64?
    }

    public struct PolicyInfo: Codable, Sendable {
        public var file: String
        public var generation: UInt64
        public var sha256: String
        /// RFC 3339 UTC.
        public var loadedAt: String
        public var rules: Int
    }

    public struct Reload: Codable, Sendable {
        /// RFC 3339 UTC.
        public var at: String
        public var ok: Bool
        /// The generation in force after the attempt.
        public var generation: UInt64
        /// One line: what changed, or why it failed.
        public var message: String
        /// Every diagnostic (`FILE:LINE:COL: error: ...`) when it failed.
        public var errors: [String]
    }

    public var version: String
    public var pid: Int32
    public var uptimeSeconds: Double
    public var ports: [Port]
    public var hostPort: String?
    public var policy: PolicyInfo
    public var lastReload: Reload?
    public var reloads: UInt64
    public var rules: [Rule]
    public var defaultVerdict: String
    public var defaultPackets: UInt64
    public var defaultBytes: UInt64
    /// Frames held for a delay right now.
    public var held: Int
    /// `open` or `closed`.
    public var onFailure: String
    /// The nftables table that mirrors the policy (nil when mirroring is off).
    public var mirrorTable: String?
    /// Workers (forwarding threads).
    public var workers: Int
    /// The flow table (nil when the policy does not track flows).
    public var flows: FlowReport.Table?
    /// `--link-propagate` (nil when it is off): per port (a, b), whether the bridge holds it down
    /// because the other port lost its link, and how many times it did.
    public var linkPropagation: LinkPropagationReport?

    public struct LinkPropagationReport: Codable, Sendable {
        public var heldDown: [Bool]
        public var propagations: [UInt64]
    }

    /// Each worker's own port counters (what `ports` adds up), so a loss is traced to a thread.
    public var perWorker: [WorkerPorts] = []

    /// The dynamic sets of the policy in force (shared by every worker).
    public var dynamicSets: [DynamicSet] = []

    /// One dynamic set: what it holds, its size, and what it refused.
    public struct DynamicSet: Codable, Sendable {
        public var name: String
        /// Elements held and not expired.
        public var elements: Int
        /// The set's `size`.
        public var capacity: Int
        /// Inserts refused because the set was full.
        public var refused: UInt64
        /// Elements inserted since the set was made (initial elements included).
        public var inserted: UInt64
        /// The set's `timeout` in seconds (nil: elements do not expire unless their statement
        /// gives a timeout).
        public var timeoutSeconds: Double?
    }

    /// One worker's counters for port a and port b.
    public struct WorkerPorts: Codable, Sendable {
        public var worker: Int
        /// Port a's counters, then port b's, by counter name.
        public var ports: [[String: UInt64]]
    }
}

/// The answer to `reload` over the control socket.
public struct ReloadReply: Codable, Sendable {
    public var ok: Bool
    public var generation: UInt64
    public var message: String
    public var errors: [String]
}
