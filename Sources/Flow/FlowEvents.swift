/// Why a flow left the table.
public enum FlowEndReason: UInt8, Sendable {
    /// Idle longer than its timeout.
    case expired
    /// A TCP connection that was over: its TIME_WAIT or CLOSE timer ran out, or a new SYN reused
    /// its addresses and ports.
    case closed
    /// Evicted early to make room for a new flow (it was not assured).
    case evicted
}

/// One flow, as an event reports it.
public struct FlowEvent: Sendable, Equatable, BitwiseCopyable {
    /// Addresses, ports, protocol and VLANs in the originator's orientation.
    public var tuple: FlowTuple
    /// The opaque number the rule that created the flow passed to ``FlowTable/commit(_:forwarded:length:creator:now:events:)``.
    public var creator: UInt32
    /// Nanoseconds until the flow would expire if nothing more were seen (0 when it expired).
    public var remainingTimeout: UInt64
    /// The TCP state (`.none` for other protocols).
    public var tcpState: TCPState
    /// The sink was told this flow became established (or it was restored): an ending flow for
    /// which this is false was never put in the kernel's set.
    public var wasEstablished: Bool

    /// An event from its parts.
    public init(
        tuple: FlowTuple, creator: UInt32, remainingTimeout: UInt64, tcpState: TCPState, wasEstablished: Bool
    ) {
        self.tuple = tuple
        self.creator = creator
        self.remainingTimeout = remainingTimeout
        self.tcpState = tcpState
        self.wasEstablished = wasEstablished
    }
}

/// Hears about flows that become established and flows that end; the integrator keeps a kernel
/// nft set of established flows in step with it, so fail-open keeps established connections.
///
/// Used as a generic constraint (`events: inout some FlowEventSink`), so the calls are direct.
/// They run on the table's thread, inside ``FlowTable/commit(_:forwarded:length:creator:now:events:)``
/// and ``FlowTable/expire(now:budget:events:)``: keep them short (append to a buffer).
public protocol FlowEventSink {
    /// `flow` became established: a TCP handshake completed (or a picked-up TCP flow was
    /// answered), or another protocol's flow was answered for the first time.
    mutating func flowEstablished(_ flow: FlowEvent)
    /// `flow` left the table.
    mutating func flowEnded(_ flow: FlowEvent, reason: FlowEndReason)
}

/// A sink that ignores every event.
public struct NoFlowEvents: FlowEventSink {
    /// A sink that ignores every event.
    public init() {}
    /// Ignored.
    @inlinable public mutating func flowEstablished(_ flow: FlowEvent) {}
    /// Ignored.
    @inlinable public mutating func flowEnded(_ flow: FlowEvent, reason: FlowEndReason) {}
}
