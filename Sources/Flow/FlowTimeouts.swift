/// The user-facing names of the flow timeouts, spelt as the policy language writes them
/// (`defaults { flow-timeout tcp-established 2h; tcp-closing 10s; }`).
public enum FlowTimeoutName: String, Sendable, Hashable, CaseIterable {
    /// TCP after the originator's SYN.
    case tcpSynSent = "tcp-syn-sent"
    /// TCP after the responder's SYN-ACK.
    case tcpSynReceived = "tcp-syn-recv"
    /// TCP once the handshake completed.
    case tcpEstablished = "tcp-established"
    /// TCP after one side's FIN.
    case tcpFinWait = "tcp-fin-wait"
    /// TCP after the first FIN was acknowledged.
    case tcpCloseWait = "tcp-close-wait"
    /// TCP after both FINs.
    case tcpLastAck = "tcp-last-ack"
    /// TCP after the last ACK.
    case tcpTimeWait = "tcp-time-wait"
    /// TCP after a RST.
    case tcpClose = "tcp-close"
    /// The cap on a TCP flow picked up mid-stream until the other side answers.
    case tcpUnacknowledged = "tcp-unacknowledged"
    /// UDP before a reply (and in the first 2 s after one).
    case udp = "udp"
    /// UDP once both sides spoke.
    case udpStream = "udp-stream"
    /// ICMP and ICMPv6 queries (echo, ...).
    case icmp = "icmp"
    /// Any other IP protocol.
    case generic = "generic"
    /// How long a first fragment's state is kept for the rest of its datagram.
    case fragment = "fragment"
    /// Shorthand: sets fin-wait, close-wait, last-ack, time-wait and close together.
    case tcpClosing = "tcp-closing"

    /// The timeouts this name sets: itself, or the five closing states for `tcp-closing`.
    public var members: [FlowTimeoutName] {
        self == .tcpClosing ? [.tcpFinWait, .tcpCloseWait, .tcpLastAck, .tcpTimeWait, .tcpClose] : [self]
    }
}

/// A timeout value the settings refuse.
public enum FlowSettingsError: Error, Sendable, Equatable {
    /// A timeout of zero would expire every flow at once.
    case zeroTimeout(FlowTimeoutName)
    /// Longer than ``FlowTimeouts/maximum``.
    case timeoutTooLong(FlowTimeoutName, nanoseconds: UInt64)
}

/// How long an idle flow is kept, per protocol and state, in nanoseconds. The defaults are
/// nf_conntrack's (`nf_conntrack_tcp_timeout_*`, `nf_conntrack_udp_timeout*`, ...), so the
/// table never forgets a flow before a kernel fallback would.
public struct FlowTimeouts: Sendable, Hashable {
    /// The longest timeout accepted: 365 days.
    public static let maximum: UInt64 = 365 * 86_400 * 1_000_000_000

    @usableFromInline var values: [UInt64]

    /// nf_conntrack's defaults: tcp syn-sent 120 s, syn-recv 60 s, established 5 days, fin-wait
    /// 120 s, close-wait 60 s, last-ack 30 s, time-wait 120 s, close 10 s, unacknowledged 300 s;
    /// udp 30 s, udp-stream 120 s, icmp 30 s, generic 600 s; fragments 30 s (Linux `ipfrag_time`).
    public init() {
        let second: UInt64 = 1_000_000_000
        var values = [UInt64](repeating: 0, count: 14)
        let defaults: [(FlowTimeoutName, UInt64)] = [
            (.tcpSynSent, 120), (.tcpSynReceived, 60), (.tcpEstablished, 432_000), (.tcpFinWait, 120),
            (.tcpCloseWait, 60), (.tcpLastAck, 30), (.tcpTimeWait, 120), (.tcpClose, 10),
            (.tcpUnacknowledged, 300), (.udp, 30), (.udpStream, 120), (.icmp, 30), (.generic, 600),
            (.fragment, 30),
        ]
        for (name, seconds) in defaults { values[FlowTimeouts.index(name)] = seconds * second }
        self.values = values
    }

    /// Where each timeout lives in `values` (`tcp-closing` has no place of its own).
    static func index(_ name: FlowTimeoutName) -> Int {
        switch name {
        case .tcpSynSent: 0
        case .tcpSynReceived: 1
        case .tcpEstablished: 2
        case .tcpFinWait, .tcpClosing: 3
        case .tcpCloseWait: 4
        case .tcpLastAck: 5
        case .tcpTimeWait: 6
        case .tcpClose: 7
        case .tcpUnacknowledged: 8
        case .udp: 9
        case .udpStream: 10
        case .icmp: 11
        case .generic: 12
        case .fragment: 13
        }
    }

    /// The timeout `name` sets, in nanoseconds; for `tcp-closing` the value its five states share,
    /// or nil when they differ.
    public func value(_ name: FlowTimeoutName) -> UInt64? {
        let members = name.members.map { values[FlowTimeouts.index($0)] }
        return members.allSatisfy { $0 == members[0] } ? members[0] : nil
    }

    /// The timeout of one state (not the `tcp-closing` shorthand), in nanoseconds.
    public subscript(name: FlowTimeoutName) -> UInt64 {
        values[FlowTimeouts.index(name)]
    }

    /// Sets `name` (all five closing states for `tcp-closing`) to `nanoseconds`.
    public mutating func set(_ name: FlowTimeoutName, to nanoseconds: UInt64) throws(FlowSettingsError) {
        guard nanoseconds > 0 else { throw .zeroTimeout(name) }
        guard nanoseconds <= FlowTimeouts.maximum else { throw .timeoutTooLong(name, nanoseconds: nanoseconds) }
        for member in name.members { values[FlowTimeouts.index(member)] = nanoseconds }
    }
}

/// What a TCP segment other than a SYN may do on a flow the table does not know.
public enum FlowPickup: String, Sendable, Hashable, CaseIterable {
    /// A bare ACK creates the flow (mid-stream pickup after a restart), like
    /// `nf_conntrack_tcp_loose=1`: its first frame is `new`, its timeout capped at
    /// `tcp-unacknowledged` until the other side answers.
    case loose
    /// Only a SYN creates a TCP flow; anything else on an unknown flow is `invalid`.
    case strict
}

/// What happens to a frame that would create a flow when the table is full and no unassured
/// flow can be evicted.
public enum FlowsFullAction: String, Sendable, Hashable, CaseIterable {
    /// Drop it, as nf_conntrack does ("table full, dropping packet").
    case drop
    /// Forward it untracked.
    case forward
}

/// Everything about flow tracking a policy may set; a reload applies new settings to a running
/// table without losing a flow.
public struct FlowSettings: Sendable, Hashable {
    /// Timeouts per protocol and state.
    public var timeouts: FlowTimeouts
    /// Mid-stream pickup of TCP flows.
    public var pickup: FlowPickup
    /// What the caller does with a frame ``CommitOutcome/full`` refused.
    public var whenFull: FlowsFullAction

    /// nf_conntrack's defaults, loose pickup, drop when full.
    public init(timeouts: FlowTimeouts = FlowTimeouts(), pickup: FlowPickup = .loose, whenFull: FlowsFullAction = .drop)
    {
        self.timeouts = timeouts
        self.pickup = pickup
        self.whenFull = whenFull
    }
}
