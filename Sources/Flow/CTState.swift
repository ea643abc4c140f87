/// A frame's connection-tracking state, as nftables' `ct state` names it.
///
/// The raw values are nftables' bits (`ct_state` in its data types), so a compiled
/// `ct state { established, related }` is one mask and one AND: `mask & state.rawValue != 0`.
public enum CTState: UInt8, Sendable, CaseIterable {
    /// The frame fits no flow and may not start one (a SYN-ACK nobody asked for, an ICMP error
    /// quoting nothing known, an unsound IP header, a fragment whose first fragment was not seen).
    case invalid = 1
    /// A reply-direction frame, or any frame of a flow whose other side has answered.
    case established = 2
    /// An ICMP or ICMPv6 error about a known flow.
    case related = 4
    /// The first frame of a flow, and the originator's frames until the other side answers.
    case new = 8
    /// A frame that is not IP (ARP, LLDP, STP, ...) or an ICMPv6 neighbour discovery or MLD
    /// message: never tracked, like nf_conntrack's untracked.
    case untracked = 64

    /// The name nftables prints: `new`, `established`, ...
    public var name: String {
        switch self {
        case .invalid: "invalid"
        case .established: "established"
        case .related: "related"
        case .new: "new"
        case .untracked: "untracked"
        }
    }

    /// The state named `name` (`ct state` spelling), or nil.
    public init?(name: String) {
        guard let state = CTState.allCases.first(where: { $0.name == name }) else { return nil }
        self = state
    }
}

/// Which way a frame travels relative to its flow, as nftables' `ct direction` names it.
public enum CTDirection: UInt8, Sendable, CaseIterable {
    /// From the side that sent the flow's first frame.
    case original = 0
    /// Towards the side that sent the flow's first frame.
    case reply = 1

    /// `original` or `reply`.
    public var name: String { self == .original ? "original" : "reply" }

    /// The other direction.
    @inlinable public var reversed: CTDirection { self == .original ? .reply : .original }
}
