/// The groups of flows that share one timeout. The table keeps one list per class, ordered by
/// when its flows were last seen, so expiry only ever looks at list heads.
public enum FlowTimeoutClass: UInt8, Sendable, CaseIterable {
    /// TCP SYN_SENT and SYN_SENT2.
    case tcpSynSent = 0
    /// TCP SYN_RECV.
    case tcpSynReceived
    /// TCP ESTABLISHED with both sides seen.
    case tcpEstablished
    /// TCP FIN_WAIT.
    case tcpFinWait
    /// TCP CLOSE_WAIT.
    case tcpCloseWait
    /// TCP LAST_ACK.
    case tcpLastAck
    /// TCP TIME_WAIT.
    case tcpTimeWait
    /// TCP CLOSE.
    case tcpClose
    /// TCP ESTABLISHED picked up mid-stream, the other side not yet seen.
    case tcpUnacknowledged
    /// UDP not yet answered, or answered less than 2 s after it began.
    case udp
    /// UDP answered, and older than 2 s.
    case udpStream
    /// ICMP and ICMPv6 queries.
    case icmp
    /// Other protocols, not answered.
    case genericUnreplied
    /// Other protocols, answered.
    case genericReplied

    /// How many classes there are.
    public static let count = 14

    /// The timeout that governs this class.
    public var timeoutName: FlowTimeoutName {
        switch self {
        case .tcpSynSent: .tcpSynSent
        case .tcpSynReceived: .tcpSynReceived
        case .tcpEstablished: .tcpEstablished
        case .tcpFinWait: .tcpFinWait
        case .tcpCloseWait: .tcpCloseWait
        case .tcpLastAck: .tcpLastAck
        case .tcpTimeWait: .tcpTimeWait
        case .tcpClose: .tcpClose
        case .tcpUnacknowledged: .tcpUnacknowledged
        case .udp: .udp
        case .udpStream: .udpStream
        case .icmp: .icmp
        case .genericUnreplied, .genericReplied: .generic
        }
    }

    /// The class's timeout under `timeouts`. A picked-up flow waits at most `tcp-unacknowledged`,
    /// and never longer than `tcp-established`.
    public func timeout(in timeouts: FlowTimeouts) -> UInt64 {
        self == .tcpUnacknowledged
            ? min(timeouts[.tcpUnacknowledged], timeouts[.tcpEstablished]) : timeouts[timeoutName]
    }

    /// Flows in this class may be evicted early to make room for a new flow: none of them is
    /// assured (or, for TIME_WAIT and CLOSE, their connection is over). This is nf_conntrack's
    /// early drop, with its choice of victims.
    public var mayBeEvicted: Bool {
        switch self {
        case .tcpSynSent, .tcpSynReceived, .tcpUnacknowledged, .udp, .icmp, .genericUnreplied, .tcpTimeWait,
            .tcpClose:
            true
        case .tcpEstablished, .tcpFinWait, .tcpCloseWait, .tcpLastAck, .udpStream, .genericReplied:
            false
        }
    }
}
