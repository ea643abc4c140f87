/// One TCP segment's effect on its flow.
struct TCPStep {
    enum Kind: UInt8 {
        /// Move to `state` and refresh the flow's timer.
        case advance
        /// Let the segment pass; change nothing, refresh nothing (a retransmitted SYN, a SYN in
        /// an open connection, a SYN-ACK retransmitted by the responder).
        case ignore
        /// The segment does not fit the connection: `ct state invalid`, the flow is untouched.
        case invalid
        /// A SYN on a connection that is over (TIME_WAIT, CLOSE): the old flow ends and a new one
        /// starts from this SYN.
        case reopen
    }

    var kind: Kind
    var state: TCPState

    static let ignore = TCPStep(kind: .ignore, state: .none)
    static let invalid = TCPStep(kind: .invalid, state: .none)
    static let reopen = TCPStep(kind: .reopen, state: .synSent)
    @inline(__always) static func advance(_ state: TCPState) -> TCPStep { TCPStep(kind: .advance, state: state) }
}

/// The light TCP state machine: SYN, SYN-ACK, ACK, FIN and RST move a flow through nf_conntrack's
/// states, without sequence or window tracking.
///
/// It follows nf_conntrack's transitions with two refinements that need no sequence numbers: the
/// flow remembers which direction sent the first FIN, so a retransmitted FIN does not pass for
/// the other side's (nf_conntrack moves FIN_WAIT to LAST_ACK on any second FIN), and only the
/// first FIN's sender's ACK ends LAST_ACK. Without window tracking a forged RST or FIN from
/// inside the flow's addresses and ports is believed; that is the price of a light tracker.
enum TCPMachine {
    /// What a segment of class `segment` does to a flow in `state` (never `.none`: that is a flow
    /// not yet created; see ``FlowTable``). `reply` is the segment's direction, `firstFinReply`
    /// the direction of the first FIN (meaningful from FIN_WAIT on), `simultaneous` whether both
    /// sides sent a SYN.
    @inline(__always)
    static func step(
        from state: TCPState, _ segment: TCPSegment, reply: Bool, firstFinReply: Bool, simultaneous: Bool
    ) -> TCPStep {
        switch segment {
        case .invalid:
            return .invalid
        case .rst:
            // A reset from either side, in any state, closes the connection.
            return .advance(.close)
        case .syn:
            switch state {
            case .synSent: return reply ? .advance(.synSent2) : .ignore  // a retransmission refreshes nothing
            case .timeWait, .close: return .reopen
            default: return .ignore  // a SYN in an open connection passes and changes nothing
            }
        case .synAck:
            switch state {
            case .synSent: return reply ? .advance(.synReceived) : .invalid
            case .synSent2: return .advance(.synReceived)  // either side answers in a simultaneous open
            case .synReceived: return .ignore
            default: return reply ? .ignore : .invalid  // the responder retransmitting; never the originator
            }
        case .fin:
            switch state {
            case .none, .synSent, .synSent2: return .invalid
            case .synReceived, .established: return .advance(.finWait)
            case .finWait, .closeWait: return reply == firstFinReply ? .advance(state) : .advance(.lastAck)
            case .lastAck, .timeWait, .close: return .advance(state)
            }
        case .ack:
            switch state {
            case .none: return .invalid
            case .synSent: return reply ? .ignore : .invalid
            case .synSent2: return .ignore
            case .synReceived: return !reply || simultaneous ? .advance(.established) : .ignore
            case .established, .closeWait, .timeWait, .close: return .advance(state)
            case .finWait: return reply == firstFinReply ? .advance(.finWait) : .advance(.closeWait)
            case .lastAck: return reply == firstFinReply ? .advance(.timeWait) : .advance(.lastAck)
            }
        }
    }
}
