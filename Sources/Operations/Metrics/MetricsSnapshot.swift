/// Everything `/metrics` shows, as plain values: the bridge fills one in when scraped.
public struct MetricsSnapshot: Sendable, Equatable {
    /// One bridge port and its counters.
    public struct Port: Sendable, Equatable {
        /// `a` or `b`.
        public var name: String
        /// The interface behind it (`eth1`).
        public var interface: String
        /// Whether the link is up; nil when unknown.
        public var up: Bool?
        /// Counter name (`rx_frames`, `ring_drops`, ...) and value, in the order to show them.
        public var counters: [(name: String, value: UInt64)]

        public init(name: String, interface: String, up: Bool? = nil, counters: [(name: String, value: UInt64)]) {
            self.name = name
            self.interface = interface
            self.up = up
            self.counters = counters
        }

        public static func == (left: Port, right: Port) -> Bool {
            left.name == right.name && left.interface == right.interface && left.up == right.up
                && left.counters.elementsEqual(right.counters, by: { $0.name == $1.name && $0.value == $1.value })
        }
    }

    /// One policy rule's counters, by rule name.
    public struct Rule: Sendable, Equatable {
        public var name: String
        public var packets: UInt64
        public var bytes: UInt64
        /// The kernel's counters for the mirrored nft rule, when known.
        public var kernelPackets: UInt64?
        public var kernelBytes: UInt64?
        /// A `reject` rule's answers: sent, held back by the answer rate, never answered.
        public var answers: UInt64?
        public var answersSuppressed: UInt64?
        public var unanswered: UInt64?
        /// A `quota` rule's bytes counted, and its quota.
        public var quotaConsumed: UInt64?
        public var quotaBytes: UInt64?
        /// A meter's keys evicted because it was full.
        public var meterEvictions: UInt64?

        public init(
            name: String, packets: UInt64, bytes: UInt64, kernelPackets: UInt64? = nil, kernelBytes: UInt64? = nil,
            answers: UInt64? = nil, answersSuppressed: UInt64? = nil, unanswered: UInt64? = nil,
            quotaConsumed: UInt64? = nil, quotaBytes: UInt64? = nil, meterEvictions: UInt64? = nil
        ) {
            self.name = name
            self.packets = packets
            self.bytes = bytes
            self.kernelPackets = kernelPackets
            self.kernelBytes = kernelBytes
            self.answers = answers
            self.answersSuppressed = answersSuppressed
            self.unanswered = unanswered
            self.quotaConsumed = quotaConsumed
            self.quotaBytes = quotaBytes
            self.meterEvictions = meterEvictions
        }
    }

    /// The flow table's figures, all threads together.
    public struct Flows: Sendable, Equatable {
        public var inUse: UInt64
        public var capacity: UInt64
        /// Counters: flows created, expired, closed (TCP), evicted early, refused (table full),
        /// and frames classified invalid.
        public var created: UInt64
        public var expired: UInt64
        public var closed: UInt64
        public var evicted: UInt64
        public var refusedFull: UInt64
        public var invalid: UInt64
        public init(
            inUse: UInt64, capacity: UInt64, created: UInt64, expired: UInt64, closed: UInt64, evicted: UInt64,
            refusedFull: UInt64, invalid: UInt64
        ) {
            self.inUse = inUse
            self.capacity = capacity
            self.created = created
            self.expired = expired
            self.closed = closed
            self.evicted = evicted
            self.refusedFull = refusedFull
            self.invalid = invalid
        }
    }

    /// One dynamic set: elements held now, its size, inserts refused because it was full.
    public struct DynamicSet: Sendable, Equatable {
        public var name: String
        public var elements: UInt64
        public var capacity: UInt64
        public var refused: UInt64
        public init(name: String, elements: UInt64, capacity: UInt64, refused: UInt64) {
            self.name = name
            self.elements = elements
            self.capacity = capacity
            self.refused = refused
        }
    }

    /// The outcome of the last reload attempt.
    public struct LastReload: Sendable, Equatable {
        public var ok: Bool
        /// When it ended, in seconds since the Unix epoch.
        public var timestamp: Double

        public init(ok: Bool, timestamp: Double) {
            self.ok = ok
            self.timestamp = timestamp
        }
    }

    public var ports: [Port]
    public var rules: [Rule]
    /// The default verdict (`forward` or `drop`) and the frames and bytes no rule matched.
    public var defaultVerdict: String
    public var defaultPackets: UInt64
    public var defaultBytes: UInt64
    /// Reload attempts (SIGHUP or control socket) since start, and how many of them failed.
    public var reloads: UInt64
    public var reloadFailures: UInt64
    public var lastReload: LastReload?
    /// The generation of the policy in force (1 at start, +1 per successful reload).
    public var generation: UInt64
    /// When the policy in force was loaded, in seconds since the Unix epoch.
    public var policyLoadedAt: Double?
    public var uptimeSeconds: Double
    /// Frames held for a delay right now.
    public var heldFrames: Int
    /// The bridgekeeper version, shown as a label of `bridgekeeper_build_info`.
    public var version: String
    /// The flow table (nil when the policy does not track flows).
    public var flows: Flows?
    /// `--link-propagate`: times port a and port b were taken down for the other's link (nil: off).
    public var linkPropagations: [UInt64]?
    /// The policy's dynamic sets.
    public var dynamicSets: [DynamicSet] = []

    public init(
        ports: [Port] = [], rules: [Rule] = [], defaultVerdict: String = "forward", defaultPackets: UInt64 = 0,
        defaultBytes: UInt64 = 0, reloads: UInt64 = 0, reloadFailures: UInt64 = 0, lastReload: LastReload? = nil,
        generation: UInt64 = 1, policyLoadedAt: Double? = nil, uptimeSeconds: Double = 0, heldFrames: Int = 0,
        version: String = "", linkPropagations: [UInt64]? = nil, flows: Flows? = nil,
        dynamicSets: [DynamicSet] = []
    ) {
        self.dynamicSets = dynamicSets
        self.flows = flows
        self.linkPropagations = linkPropagations
        self.ports = ports
        self.rules = rules
        self.defaultVerdict = defaultVerdict
        self.defaultPackets = defaultPackets
        self.defaultBytes = defaultBytes
        self.reloads = reloads
        self.reloadFailures = reloadFailures
        self.lastReload = lastReload
        self.generation = generation
        self.policyLoadedAt = policyLoadedAt
        self.uptimeSeconds = uptimeSeconds
        self.heldFrames = heldFrames
        self.version = version
    }
}
