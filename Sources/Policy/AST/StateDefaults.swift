/// The `defaults { ... }` settings for state the bridge keeps: the flow table's timeouts and
/// pickup, what happens when it is full, the answer rate of `reject`, and the meters' size.
/// Each is nil where the policy leaves it to the built-in default.
public struct StateDefaults: Sendable, Hashable {
    /// `flow-timeout NAME DURATION` (and the shorthand `tcp-closing`, expanded), nanoseconds.
    public var flowTimeouts: [FlowTimeoutName: UInt64]
    /// `flow-pickup loose|strict`.
    public var flowPickup: FlowPickup?
    /// `flows-full drop|forward`.
    public var flowsFull: FlowsFull?
    /// `answer-rate N/UNIT [burst N packets]`: how many answers `reject` may send.
    public var answerRate: Rate?
    /// Its burst (packets).
    public var answerBurst: UInt64?
    /// `meter-size N`: buckets in each `limit ... per` meter.
    public var meterSize: Int?

    public init(
        flowTimeouts: [FlowTimeoutName: UInt64] = [:], flowPickup: FlowPickup? = nil, flowsFull: FlowsFull? = nil,
        answerRate: Rate? = nil, answerBurst: UInt64? = nil, meterSize: Int? = nil
    ) {
        self.flowTimeouts = flowTimeouts
        self.flowPickup = flowPickup
        self.flowsFull = flowsFull
        self.answerRate = answerRate
        self.answerBurst = answerBurst
        self.meterSize = meterSize
    }

    /// The built-in answer rate: 200 a second, bursts of 50.
    public static let defaultAnswerRate = Rate(amount: 200, unit: .second)
    public static let defaultAnswerBurst: UInt64 = 50
    /// The built-in meter size.
    public static let defaultMeterSize = 65_536
}

/// The flow table's timeouts, by the name `defaults { flow-timeout NAME D; }` uses.
public enum FlowTimeoutName: String, Sendable, Hashable, CaseIterable {
    case tcpSynSent = "tcp-syn-sent"
    case tcpSynRecv = "tcp-syn-recv"
    case tcpEstablished = "tcp-established"
    case tcpFinWait = "tcp-fin-wait"
    case tcpCloseWait = "tcp-close-wait"
    case tcpLastAck = "tcp-last-ack"
    case tcpTimeWait = "tcp-time-wait"
    case tcpClose = "tcp-close"
    case tcpUnacknowledged = "tcp-unacknowledged"
    case udp = "udp"
    case udpStream = "udp-stream"
    case icmp = "icmp"
    case generic = "generic"

    /// `tcp-closing D` sets these together.
    public static let closing: [FlowTimeoutName] = [.tcpFinWait, .tcpCloseWait, .tcpLastAck, .tcpTimeWait]
}

/// How a TCP segment of a connection the table does not know is treated.
public enum FlowPickup: String, Sendable, Hashable, CaseIterable {
    /// A bare ACK opens the flow mid-stream (after a restart), as nf_conntrack's default.
    case loose
    /// Only a SYN opens a flow; anything else unknown is `invalid`.
    case strict
}

/// What happens to a frame that would open a flow when the table is full.
public enum FlowsFull: String, Sendable, Hashable, CaseIterable {
    /// Dropped (and counted), as nf_conntrack does.
    case drop
    /// Forwarded without being tracked.
    case forward
}
