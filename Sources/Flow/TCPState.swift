/// The TCP connection states of nf_conntrack's tracker (no window tracking), with its names.
public enum TCPState: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    /// No state (a flow that is not TCP).
    case none = 0
    /// The originator sent a SYN.
    case synSent = 1
    /// The responder answered with SYN-ACK.
    case synReceived = 2
    /// The handshake completed (or the flow was picked up mid-stream).
    case established = 3
    /// One side sent a FIN.
    case finWait = 4
    /// The other side acknowledged it; it may still send.
    case closeWait = 5
    /// Both sides sent a FIN; the last ACK is awaited.
    case lastAck = 6
    /// The last ACK passed; stray segments are still absorbed.
    case timeWait = 7
    /// Reset (or closed): stray segments are absorbed for a short while.
    case close = 8
    /// Both sides sent a SYN (simultaneous open).
    case synSent2 = 9

    /// The name nf_conntrack prints (`conntrack -L`): `SYN_SENT`, `ESTABLISHED`, ...
    public var name: String {
        switch self {
        case .none: "NONE"
        case .synSent: "SYN_SENT"
        case .synReceived: "SYN_RECV"
        case .established: "ESTABLISHED"
        case .finWait: "FIN_WAIT"
        case .closeWait: "CLOSE_WAIT"
        case .lastAck: "LAST_ACK"
        case .timeWait: "TIME_WAIT"
        case .close: "CLOSE"
        case .synSent2: "SYN_SENT2"
        }
    }
}

/// What a TCP segment's flags say, after PSH, URG, ECE and CWR are masked off.
enum TCPSegment: UInt8 {
    case syn
    case synAck
    case fin
    case ack
    case rst
    /// Any other combination (no flags, SYN+FIN, FIN without ACK, SYN+RST, ...): invalid.
    case invalid

    /// The class of a segment with flags byte `flags` (CWR ECE URG ACK PSH RST SYN FIN).
    @inline(__always)
    init(flags: UInt8) {
        switch flags & 0x17 {
        case 0x02: self = .syn
        case 0x12: self = .synAck
        case 0x11: self = .fin
        case 0x10: self = .ack
        case 0x04, 0x14: self = .rst
        default: self = .invalid
        }
    }
}
