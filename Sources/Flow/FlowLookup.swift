/// What committing a lookup would do.
enum FlowAction: UInt8 {
    /// Nothing: untracked, invalid, or related (an ICMP error changes no flow).
    case none
    /// Create a flow (reusing `slot` when it holds this key's expired flow).
    case create
    /// Count the frame on the flow in `slot` and apply `step`.
    case update
    /// End the flow in `slot` (its TCP connection was over) and start a new one from this SYN.
    case reopen
    /// A non-first fragment: count it on the flow in `slot`, if that flow is still there.
    case fragment
}

/// The result of ``FlowTable/classify(frame:info:now:)``: the frame's `ct state` and
/// `ct direction`, and what ``FlowTable/commit(_:forwarded:length:creator:now:events:)`` needs
/// to apply it once the policy has decided.
///
/// Four words, returned in registers: a new flow's key waits in the table until the commit, so
/// only the lookup of the latest classify may be committed.
public struct FlowLookup: Sendable {
    /// The frame's `ct state`.
    public var state: CTState
    /// The frame's `ct direction`; nil for `invalid` and `untracked` frames, which belong to no
    /// flow (nftables' `ct direction` matches nothing then).
    public var direction: CTDirection?

    var action: FlowAction
    var side: FlowSide
    /// The TCP step (for `.update`) and the state it leads to (`.update`, `.create`).
    var stepKind: TCPStep.Kind
    var nextState: TCPState
    /// The frame is a first fragment: commit remembers its state for the later fragments.
    var isFirstFragment: Bool
    var slot: UInt32
    var hash: UInt32
    var identification: UInt32
    var epoch: UInt64

    /// True when committing a forwarded frame would create a flow (the table may then be full).
    public var createsFlow: Bool { action == .create || action == .reopen }

    @inline(__always)
    init(state: CTState, direction: CTDirection?, action: FlowAction = .none, epoch: UInt64) {
        self.state = state
        self.direction = direction
        self.action = action
        side = .low
        stepKind = .advance
        nextState = .none
        isFirstFragment = false
        slot = FlowTable.none
        hash = 0
        identification = 0
        self.epoch = epoch
    }
}

/// What ``FlowTable/commit(_:forwarded:length:creator:now:events:)`` did.
public enum CommitOutcome: UInt8, Sendable {
    /// Nothing: the frame was not forwarded, or belongs to no flow, or the lookup was stale.
    case untouched
    /// A flow was created for the frame.
    case created
    /// The frame was counted on its flow.
    case updated
    /// The frame would have created a flow, but the table is full and no flow could be evicted:
    /// the caller applies ``FlowSettings/whenFull`` (counted in ``FlowStatistics/refusedFull``).
    case full
}

/// What ``FlowTable/insertEstablished(_:remaining:creator:now:events:)`` did.
public enum RestoreOutcome: UInt8, Sendable {
    /// The flow is in the table now.
    case inserted
    /// The table already had it; it is left as it was.
    case exists
    /// The table is full and nothing could be evicted.
    case full
}
